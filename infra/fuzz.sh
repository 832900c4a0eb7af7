#!/usr/bin/env bash
# Fuzzes the API with schemathesis against the local stack: every operation of docs/openapi.json,
# signed in as a client Full Admin and as an MSP admin, with every check schemathesis has
# (`--checks all`: no 5xx, every status and body as documented, valid requests accepted and invalid
# ones refused, 405 with Allow for other methods…), the two users side by side (schemathesis's own
# work, not the portal's, is most of the time, and one schemathesis is one core), four workers each
# (FUZZ_WORKERS; the requests wait on the functions more than on the cores).
# Ends non-zero on any failure.
#
#   infra/fuzz.sh            the long run (500 cases per operation and user)
#   infra/fuzz.sh --quick    the bounded run the test command makes (FUZZ_EXAMPLES, default 25)
#
# FUZZ_CHECKS narrows the checks (comma-separated schemathesis check names; default all).
# PORTAL_URL=http://127.0.0.1:PORT fuzzes a stack already running (test.sh passes its own);
# otherwise one is started (PORTAL_STRIPE=double) and stopped afterwards.
#
# Left out, because they end the fuzzer's own session or change its password (every other
# operation runs): POST /api/auth/logout, POST /api/me/password, POST /api/me/sessions/end-others,
# DELETE /api/me/sessions/{session_id}. infra/fuzz_hooks.py keeps valid requests from requiring MFA
# of the fuzzer's own company or deactivating or demoting its own user (they are still sent).
set -euo pipefail
cd "$(dirname "$0")/.."
source infra/lib.sh
ensure_python_env

examples=500
workers=${FUZZ_WORKERS:-4}
if [ "${1:-}" = --quick ]; then examples=${FUZZ_EXAMPLES:-25}; fi
password=${PORTAL_DEMO_PASSWORD:-portal-demo}

stack=""
if [ -z "${PORTAL_URL:-}" ]; then
  mkdir -p .local
  port=$(free_port)
  PORTAL_PORT=$port PORTAL_STRIPE=double PORTAL_PREBUILT=${PORTAL_PREBUILT:-0} ./infra/run-local.sh >.local/fuzz-stack.log 2>&1 &
  stack=$!
  trap 'kill -TERM "$stack" 2>/dev/null || true; wait "$stack" 2>/dev/null || true' EXIT
  until grep -q "^Portal ready at " .local/fuzz-stack.log; do
    kill -0 "$stack" 2>/dev/null || { tail -n 40 .local/fuzz-stack.log >&2; exit 1; }
    sleep 1
  done
  PORTAL_URL="http://127.0.0.1:$port"
fi

# A session cookie for each role, taken before any fuzzing (the fuzzer's own wrong sign-ins count
# against this machine's address).
sign_in() {
  curl -s -o /dev/null -D - -H "Origin: $PORTAL_URL" -H "Content-Type: application/json" \
    --data "{\"email\":\"$1\",\"password\":\"$password\"}" "$PORTAL_URL/api/auth/login" |
    sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p' | head -n 1
}
client=$(sign_in fulladmin@acme.example)
msp=$(sign_in admin@northwind.example)
[ -n "$client" ] && [ -n "$msp" ] || { log "could not sign the fuzzer in at $PORTAL_URL"; exit 1; }

# Who each session is, for infra/fuzz_hooks.py: `user:role:company`.
me() {
  curl -s -H "Cookie: $1" "$PORTAL_URL/api/me" |
    python3 -c 'import json,sys; m=json.load(sys.stdin); print("%s:%s:%s" % (m["user"]["id"], m["user"]["role"], m["company"]["id"]))'
}
FUZZ_PROTECT="$(me "$client") $(me "$msp")"
export FUZZ_PROTECT PYTHONPATH="$PWD/infra${PYTHONPATH:+:$PYTHONPATH}" SCHEMATHESIS_HOOKS=fuzz_hooks

mkdir -p .local/fuzz
fuzz() {
  st --config-file infra/schemathesis.toml run docs/openapi.json --url "$PORTAL_URL" \
    -H "Cookie: ${!1}" -H "Origin: $PORTAL_URL" \
    --checks "${FUZZ_CHECKS:-all}" --workers "$workers" --max-examples "$examples" --seed 20261202 \
    --generation-database none --request-timeout 10 --max-response-time 10 \
    --exclude-path /api/auth/logout --exclude-path /api/me/password \
    --exclude-path /api/me/sessions/end-others \
    --exclude-path '/api/me/sessions/{session_id}' \
    --report junit --report-junit-path ".local/fuzz/$1.xml" \
    --no-color >".local/fuzz/$1.log" 2>&1
}
log "==> schemathesis as the client admin and as the msp admin, side by side: $examples cases per operation, $workers workers each"
fuzz client & client_run=$!
fuzz msp & msp_run=$!
failed=0
for who in client msp; do
  run=${who}_run
  if wait "${!run}"; then status=passed; else status=FAILED; failed=1; fi
  log ""
  log "==> schemathesis as the $who admin: $status (.local/fuzz/$who.log)"
  cat ".local/fuzz/$who.log"
done
exit $failed
