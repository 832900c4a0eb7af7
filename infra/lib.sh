# Shared by the run, test and bench scripts: installs what is missing, finds free ports, waits.
# Source it from the repository root.

ROOT=$(pwd)
VENV="$ROOT/.venv"

log() { printf '%s\n' "$*" >&2; }

# The project-local Python environment (moto_server, cargo-lambda, aws-sam-cli, cfn-lint,
# schemathesis), pinned in infra/requirements.txt, installed by uv (itself pinned here): pip took
# 121 s and 103 s of CPU for the same file on this machine, uv 20 s and 26 s (pip's time goes mostly
# on reading the package index's long release lists).
# Reinstalled only when that file changes.
UV_VERSION=0.13.9
ensure_python_env() {
  if [ ! -x "$VENV/bin/python" ]; then
    log "Creating .venv (project-local Python environment)…"
    python3 -m venv "$VENV"
  fi
  local stamp="$VENV/.requirements.sha256"
  local want
  want=$( (sha256sum infra/requirements.txt; echo "uv $UV_VERSION") | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "Installing pinned Python tools into .venv (moto, cargo-lambda, aws-sam-cli, cfn-lint, schemathesis)…"
    "$VENV/bin/pip" install --disable-pip-version-check -q "uv==$UV_VERSION"
    "$VENV/bin/uv" pip install --python "$VENV/bin/python" -q -r infra/requirements.txt
    echo "$want" > "$stamp"
  fi
  export PATH="$VENV/bin:$PATH"
}

# The three browser engines the browser tests drive, from Debian's packages (never a browser downloaded
# by a test tool): Chromium (its headless shell); Firefox ESR; WebKitGTK's WebDriver with the MiniBrowser of its library,
# and Xvfb, the virtual display MiniBrowser needs. With pdftotext and zbarimg, which read back a
# downloaded PDF and the two-factor QR code.
ensure_browsers() {
  local missing=""
  for tool in chromium-headless-shell firefox-esr WebKitWebDriver Xvfb pdftotext zbarimg; do
    command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
  done
  [ -n "$missing" ] || return 0
  log "Installing the browsers and PDF/QR readers (Debian packages; missing:$missing)…"
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
    chromium-headless-shell firefox-esr webkit2gtk-driver libwebkit2gtk-4.1-0 xvfb poppler-utils zbar-tools >/dev/null
}

# The browser-test packages (playwright-core, puppeteer-core, selenium-webdriver, axe-core), pinned by
# tests/browser/package-lock.json.
ensure_node_modules() {
  local dir="$ROOT/tests/browser"
  local stamp="$dir/node_modules/.lock.sha256"
  local want
  want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "Installing browser-test packages (npm ci)…"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    echo "$want" > "$stamp"
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_for_port PORT SECONDS
wait_for_port() {
  local port=$1 deadline=$((SECONDS + $2))
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    if [ $SECONDS -ge "$deadline" ]; then log "nothing listens on port $port after $2 s"; return 1; fi
    sleep 0.2
  done
}
