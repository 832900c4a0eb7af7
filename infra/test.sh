#!/usr/bin/env bash
# Runs every test suite, installing what is missing first (pinned Python tools in .venv, Debian's
# Chromium, Firefox ESR and WebKitGTK, the browser-test npm packages): formatting, one build of
# every target with clippy's lints, checks that the local stand-ins answer as what they stand in
# for (infra/moto_server_check.py, infra/stripe_double_check.py), the SAM template checks, the
# OpenAPI drift check, the Rust unit and API tests (against moto_server), the browser tests against
# the local stack (the full suite in Chromium, the daily paths in Chromium, Firefox and WebKit), and
# a bounded schemathesis run against the same stack. `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
source infra/lib.sh
export SAM_CLI_TELEMETRY=0 CARGO_TERM_COLOR=never
# A cold target/ (CI, a fresh clone) builds once: incremental caches would only take disk (~1.3 GB).
[ -d target/debug ] || export CARGO_INCREMENTAL=0
started=$SECONDS
step() { log ""; log "==> $* ($((SECONDS - started)) s)"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "Dependency policy: TLS through rustls + aws-lc-rs only, no OpenSSL"
if cargo tree --workspace -e normal,build --prefix none | grep -E "^(openssl-sys|openssl|native-tls|hyper-tls) "; then
  log "OpenSSL or native-tls is in the dependency tree (see above)"; exit 1
fi

# The Python tools, the browsers and the browser-test packages install (mostly downloading) while
# cargo builds; what they print is shown once they are done.
step "Installing what is missing (beside the build)"
mkdir -p .local
(ensure_python_env && ensure_browsers && ensure_node_modules) >.local/install.log 2>&1 &
installing=$!

# One build of every target: the test binaries, the function binaries the browser-test stack runs,
# the admin tool, the site and the OpenAPI tool. Building them in separate cargo invocations would
# compile the dependencies again for each feature set (cargo unifies features per invocation).
# Clippy lints the workspace's crates as they compile, every warning an error: clippy-driver as the
# workspace's compiler wrapper is what `cargo clippy` itself sets up, but `cargo clippy` would also
# compile every dependency a second time, in check mode (about 200 s of the 2 cores). Exported, so
# that `cargo test` below reuses this build rather than compiling the workspace again.
step "Building every target once, with clippy's lints"
export RUSTC_WORKSPACE_WRAPPER
RUSTC_WORKSPACE_WRAPPER="$(rustc --print sysroot)/bin/clippy-driver"
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
cargo build --workspace --all-targets

step "Waiting for the installs"
if ! wait "$installing"; then
  cat .local/install.log >&2; log "Installing the Python tools, the browsers or the npm packages failed (above)"; exit 1
fi
cat .local/install.log
ensure_python_env # its PATH, in this shell

step "The local DynamoDB stand-in's speed-ups answer as moto does"
"$VENV/bin/python" infra/moto_server_check.py

step "The local Stripe stand-in refuses what Stripe refuses"
python3 infra/stripe_double_check.py

step "Template checks (cfn-lint, sam validate --lint)"
cfn-lint --non-zero-exit-code error infra/template.yaml
sam validate --lint --region us-east-1 -t infra/template.yaml

step "OpenAPI drift check"
target/debug/openapi --check

step "Rust tests (unit, and API tests over the real handlers against moto_server)"
cargo test --workspace

step "Browser tests (Chromium against the local stack)"
port=$(free_port)
stack_log=.local/browser-stack.log
PORTAL_PORT=$port PORTAL_STRIPE=double PORTAL_PREBUILT=1 ./infra/run-local.sh >"$stack_log" 2>&1 &
stack=$!
stop_stack() { kill -TERM "$stack" 2>/dev/null || true; wait "$stack" 2>/dev/null || true; }
trap stop_stack EXIT
deadline=$((SECONDS + 1200))
until grep -q "^Portal ready at " "$stack_log"; do
  if ! kill -0 "$stack" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
    log "The local stack did not come up:"; tail -n 40 "$stack_log" >&2
    tail -n 40 .local/functions.log >&2 || true
    exit 1
  fi
  sleep 1
done
# What the stack said while failed browser tests ran: slow or failed API calls, function errors, restarts.
stack_said() {
  log "Browser tests failed. The local stack logged:"
  grep "^proxy: " "$stack_log" | tail -n 20 >&2 || true
  grep -v " INFO " .local/functions.log | grep -v AWS_LAMBDA_MAX_CONCURRENCY | tail -n 30 >&2 || true
  grep -c "spawning function instance" .local/functions.log | sed 's/^/function instances started: /' >&2 || true
}
if ! (cd tests/browser && PORTAL_URL="http://127.0.0.1:$port" node --test --test-concurrency=1 .); then
  stack_said; exit 1
fi

step "Browser tests: the daily paths in Chromium, Firefox and WebKit (tests/browser/engines)"
if ! (cd tests/browser && PORTAL_URL="http://127.0.0.1:$port" node --test --test-concurrency=1 engines/suite.js); then
  stack_said; exit 1
fi

# The API against its OpenAPI document, on the same stack once the browser tests are done: as a
# client Full Admin and as an MSP admin, side by side, four workers each, every check schemathesis
# has, bounded (the long run is infra/fuzz.sh).
step "API fuzzing (schemathesis against the local stack)"
if ! PORTAL_URL="http://127.0.0.1:$port" FUZZ_EXAMPLES=10 ./infra/fuzz.sh --quick; then
  log "The API fuzzer found failures (above). The local stack logged:"
  grep -v " INFO " .local/functions.log | grep -v AWS_LAMBDA_MAX_CONCURRENCY | tail -n 30 >&2 || true
  exit 1
fi
stop_stack
trap - EXIT

log ""
log "All suites passed in $((SECONDS - started)) s."
