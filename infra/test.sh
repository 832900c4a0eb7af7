#!/usr/bin/env bash
# Runs every test suite, installing what is missing first (pinned Python tools in .venv, Debian's
# Chromium, Firefox ESR and WebKitGTK, the browser-test npm packages): formatting, one build of
# every target with clippy's lints, checks that the local stand-ins answer as what they stand in
# for (infra/moto_server_check.py, infra/stripe_double_check.py), the SAM template checks and the
# OpenAPI drift check; then, in two lanes side by side over two local stacks: the full browser
# suite in Chromium (lane A); the Rust unit and API tests (against moto_server) and the daily paths
# in Firefox and WebKit (lane B); last, a bounded schemathesis run on a third stack. `.ci/run`
# calls exactly this.
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
# cargo builds, and then the checks that need only them run; what they print is shown once they
# are done.
checks_beside_the_build() {
  ensure_python_env && ensure_browsers && ensure_node_modules || { log "Installing the Python tools, the browsers or the npm packages failed (above)"; return 1; }
  step "The local DynamoDB stand-in's speed-ups answer as moto does"
  "$VENV/bin/python" infra/moto_server_check.py || return 1
  step "The local Stripe stand-in refuses what Stripe refuses"
  python3 infra/stripe_double_check.py || return 1
  step "Template checks (cfn-lint, sam validate --lint)"
  cfn-lint --non-zero-exit-code error infra/template.yaml || { log "cfn-lint found errors (above)"; return 1; }
  sam validate --lint --region us-east-1 -t infra/template.yaml || return 1
}
step "Installing what is missing, then the stand-in and template checks (beside the build)"
mkdir -p .local
checks_beside_the_build >.local/install.log 2>&1 &
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

step "Waiting for the installs and checks beside the build"
if ! wait "$installing"; then
  cat .local/install.log >&2; log "The installs or the checks beside the build failed (above)"; exit 1
fi
cat .local/install.log
ensure_python_env # its PATH, in this shell

step "OpenAPI drift check"
target/debug/openapi --check

# Two lanes side by side from here: the Chromium suite on stack A; the Rust tests, then the daily
# paths in Firefox and WebKit on stack B. Then the API fuzzer alone, on stack C (fresh: moto's
# index queries slow as the table grows, and the fuzzer took 233 s after the Chromium suite on A).
# Each stack has its own DynamoDB, Stripe stand-in, functions and logs: no lane sees another's data.
step "Starting three local stacks (A: the Chromium suite; B: Firefox and WebKit; C: the API fuzzer)"
declare -A stack_pid stack_url
start_stack() { # NAME
  local port logs=".local/stack-$1"
  port=$(free_port)
  mkdir -p "$logs"
  PORTAL_PORT=$port PORTAL_LOGS=$logs PORTAL_STRIPE=double PORTAL_PREBUILT=1 ./infra/run-local.sh >"$logs/stack.log" 2>&1 &
  stack_pid[$1]=$!
  stack_url[$1]="http://127.0.0.1:$port"
}
stop_stacks() {
  for pid in "${stack_pid[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop_stacks EXIT
wait_stack() { # NAME
  local logs=".local/stack-$1" deadline=$((SECONDS + 600))
  until grep -q "^Portal ready at " "$logs/stack.log"; do
    if ! kill -0 "${stack_pid[$1]}" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
      log "Local stack $1 did not come up:"; tail -n 40 "$logs/stack.log" >&2
      tail -n 40 "$logs/functions.log" >&2 || true
      exit 1
    fi
    sleep 1
  done
}
start_stack A
start_stack B
start_stack C
wait_stack A
wait_stack B
wait_stack C
# What stack NAME said while its tests failed: slow or failed API calls, function errors, restarts.
stack_said() { # NAME
  local logs=".local/stack-$1"
  log "Tests on stack $1 failed. It logged:"
  grep "^proxy: " "$logs/stack.log" | tail -n 20 >&2 || true
  grep -v " INFO " "$logs/functions.log" | grep -v AWS_LAMBDA_MAX_CONCURRENCY | tail -n 30 >&2 || true
  grep -c "spawning function instance" "$logs/functions.log" | sed 's/^/function instances started: /' >&2 || true
}

lane_b() {
  step "Lane B: Rust tests (unit, and API tests over the real handlers against moto_server)"
  cargo test --workspace || { log "Rust tests failed (above)"; return 1; }
  # Firefox and WebKit: Chromium runs the whole suite in lane A (ENGINES=chromium runs these paths
  # in it too, to try a change to their description).
  step "Lane B: the daily paths in Firefox and WebKit (tests/browser/engines), stack B"
  (cd tests/browser && ENGINES=firefox,webkit PORTAL_URL="${stack_url[B]}" node --test --test-concurrency=1 engines/suite.js) \
    || { stack_said B; return 1; }
}
step "Lane B starts (its output follows lane A's: .local/lane-b.log)"
lane_b >.local/lane-b.log 2>&1 &
lane=$!

step "Lane A: browser tests (Chromium), stack A"
lane_a_ok=1
(cd tests/browser && PORTAL_URL="${stack_url[A]}" node --test --test-concurrency=1 .) || { lane_a_ok=0; stack_said A; }

step "Waiting for lane B"
lane_ok=1
wait "$lane" || lane_ok=0
cat .local/lane-b.log
[ "$lane_a_ok" = 1 ] || { log "The Chromium browser tests failed (lane A, above)"; exit 1; }
[ "$lane_ok" = 1 ] || { log "Lane B failed (above)"; exit 1; }

# The API against its OpenAPI document, on its own stack and with the machine to itself (its
# answers must come within schemathesis's time limit): as a client Full Admin and as an MSP admin,
# side by side, four workers each, every check schemathesis has, bounded (the long run is
# infra/fuzz.sh).
step "API fuzzing (schemathesis), stack C"
PORTAL_URL="${stack_url[C]}" FUZZ_EXAMPLES=10 ./infra/fuzz.sh --quick || { stack_said C; exit 1; }
stop_stacks
trap - EXIT

log ""
log "All suites passed in $((SECONDS - started)) s."
