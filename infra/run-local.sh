#!/usr/bin/env bash
# Runs the whole portal on loopback with demo data: moto_server (DynamoDB, S3, SES stand-in), the
# functions under `cargo lambda watch` (routes from Cargo.toml), the prerendered site, and one origin
# in front of both. Prints "Portal ready at http://127.0.0.1:PORT" and the demo sign-ins.
# PORTAL_PORT picks the port (default 8080); PORTAL_DEMO_PASSWORD the demo password; PORTAL_STRIPE=double
# takes payments through a local Stripe stand-in (infra/stripe_double.py); PORTAL_SSO=off leaves out the
# local Microsoft and Google sign-in stand-in (infra/idp_double.py); PORTAL_RELOAD=0 keeps the
# functions as built instead of rebuilding them when a source file changes; PORTAL_PREBUILT=1 runs the
# binaries a `cargo build --workspace --all-targets` left in target/debug (the function binaries under
# the emulator's runtime API, no compiling at all: the test command builds everything once that way);
# PORTAL_LOGS names the directory for this stack's logs (default .local; the test command runs three
# stacks at once, each with its own). Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
source infra/lib.sh

PORT=${PORTAL_PORT:-8080}
DEMO_PASSWORD=${PORTAL_DEMO_PASSWORD:-portal-demo}
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  log "Port $PORT is in use: set PORTAL_PORT to a free port."
  exit 1
fi

ensure_python_env
LOGS=${PORTAL_LOGS:-.local}
mkdir -p .local "$LOGS"

set -m # every background job in its own process group, so cleanup stops its children too
PGIDS=()
cleanup() {
  trap - EXIT INT TERM
  for pg in "${PGIDS[@]}"; do kill -TERM -- "-$pg" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

MOTO_PORT=$(free_port)
"$VENV/bin/python" infra/moto_server.py -H 127.0.0.1 -p "$MOTO_PORT" >"$LOGS/moto.log" 2>&1 &
PGIDS+=($!)

export AWS_ENDPOINT_URL="http://127.0.0.1:$MOTO_PORT" AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 \
  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_EC2_METADATA_DISABLED=true
export TABLE_NAME=portal-local ATTACHMENTS_BUCKET=portal-local-attachments SITE_BUCKET=portal-local-site
export PORTAL_ORIGIN="http://127.0.0.1:$PORT" COOKIE_SECURE=false PORTAL_SECRETS_FILE="$ROOT/.local/secrets.json"

FUNCTIONS=(auth accounts tickets projects billing assets kb reports)
if [ "${PORTAL_PREBUILT:-0}" = 1 ]; then
  for bin in portal-admin site "${FUNCTIONS[@]}"; do
    [ -x "target/debug/$bin" ] || { log "target/debug/$bin is missing: run cargo build --workspace --all-targets"; exit 1; }
  done
  # One site/dist for every stack: stacks started together write it one at a time.
  flock .local/site.lock target/debug/site >/dev/null
else
  log "Building the admin tool and the site…"
  cargo build -q -p portal-admin
  cargo run -q -p site >/dev/null
fi
# Made once and kept; `ln` makes it whole or not at all, so stacks started together agree on it.
if [ ! -s .local/secrets.json ]; then
  target/debug/portal-admin gen-secrets >".local/secrets.json.$$"
  ln ".local/secrets.json.$$" .local/secrets.json 2>/dev/null || true
  rm -f ".local/secrets.json.$$"
fi

# The stand-ins' keys go into a copy of the secrets file for this stack ($LOGS/secrets-local.json).
SECRET_UPDATES=()
# PORTAL_STRIPE=double: payments go to a local Stripe stand-in (infra/stripe_double.py) with
# matching test keys; otherwise Stripe keys come from the secrets file (none: online payment off).
if [ "${PORTAL_STRIPE:-}" = double ]; then
  STRIPE_PORT=$(free_port)
  STRIPE_WEBHOOK_SECRET="whsec_local_double_$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  SECRET_UPDATES+=(stripe_secret_key=sk_test_local_double "stripe_webhook_secret=$STRIPE_WEBHOOK_SECRET")
  export STRIPE_API_BASE="http://127.0.0.1:$STRIPE_PORT/"
  python3 infra/stripe_double.py --port "$STRIPE_PORT" --webhook "$PORTAL_ORIGIN/api/payments/webhook" \
    --secret "$STRIPE_WEBHOOK_SECRET" >"$LOGS/stripe-double.log" 2>&1 &
  PGIDS+=($!)
fi
# Sign in with Microsoft and Google: a local stand-in plays both (infra/idp_double.py, no account
# needed) unless the secrets file holds client ids of real app registrations (docs/sso.md) or
# PORTAL_SSO=off.
if [ "${PORTAL_SSO:-double}" = double ] && ! grep -q '"\(microsoft\|google\)_client_id"' .local/secrets.json; then
  IDP_PORT=$(free_port)
  IDP_SECRET="local-idp-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  SECRET_UPDATES+=(microsoft_client_id=local-idp-client "microsoft_client_secret=$IDP_SECRET"
    google_client_id=local-idp-client "google_client_secret=$IDP_SECRET")
  export SSO_MICROSOFT_AUTHORITY="http://127.0.0.1:$IDP_PORT/microsoft" SSO_GOOGLE_ISSUER="http://127.0.0.1:$IDP_PORT/google"
  "$VENV/bin/python" infra/idp_double.py --port "$IDP_PORT" --origin "$PORTAL_ORIGIN" \
    --client-id local-idp-client --client-secret "$IDP_SECRET" >"$LOGS/idp-double.log" 2>&1 &
  PGIDS+=($!)
fi
if [ ${#SECRET_UPDATES[@]} -gt 0 ]; then
  python3 - "$LOGS/secrets-local.json" "${SECRET_UPDATES[@]}" <<'PY'
import json, os, sys
secrets = json.load(open(".local/secrets.json"))
secrets.update(pair.split("=", 1) for pair in sys.argv[2:])
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
with os.fdopen(fd, "w") as out:
    json.dump(secrets, out)
PY
  PORTAL_SECRETS_FILE="$(cd "$LOGS" && pwd)/secrets-local.json"
fi

wait_for_port "$MOTO_PORT" 60
target/debug/portal-admin create-table >/dev/null
for bucket in "$ATTACHMENTS_BUCKET" "$SITE_BUCKET"; do
  curl -fsS -X PUT "$AWS_ENDPOINT_URL/$bucket" >/dev/null
done
PORTAL_DEMO_PASSWORD="$DEMO_PASSWORD" target/debug/portal-admin seed-demo >/dev/null
MAIL_FROM=portal@northwind.example SUPPORT_EMAIL=support@northwind.example
python3 infra/aws_ops.py verify-sender "$MAIL_FROM" >/dev/null

WATCH_PORT=$(free_port)
# What CloudFront adds to every API request in AWS; the dev proxy adds it here, and the functions
# refuse requests without it (so they are reached only through the proxy, as through CloudFront).
export ORIGIN_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
FUNCTION_ENV="ORIGIN_SECRET=$ORIGIN_SECRET,TABLE_NAME=$TABLE_NAME,PORTAL_ORIGIN=$PORTAL_ORIGIN,COOKIE_SECURE=false,PORTAL_SECRETS_FILE=$PORTAL_SECRETS_FILE,ATTACHMENTS_BUCKET=$ATTACHMENTS_BUCKET,S3_PUBLIC_ENDPOINT=$PORTAL_ORIGIN/_s3,MAIL_FROM=$MAIL_FROM,SUPPORT_EMAIL=$SUPPORT_EMAIL,AWS_ENDPOINT_URL=$AWS_ENDPOINT_URL,AWS_REGION=us-east-1,AWS_ACCESS_KEY_ID=local,AWS_SECRET_ACCESS_KEY=local,RUST_LOG=info${STRIPE_API_BASE:+,STRIPE_API_BASE=$STRIPE_API_BASE}${IDP_PORT:+,SSO_MICROSOFT_AUTHORITY=$SSO_MICROSOFT_AUTHORITY,SSO_GOOGLE_ISSUER=$SSO_GOOGLE_ISSUER}"
if [ "${PORTAL_PREBUILT:-0}" = 1 ]; then
  # The emulator's runtime API and router only; each function is its built binary polling it (two
  # instances each, so a page's parallel calls to one function do not queue behind each other).
  cargo lambda watch -q --only-lambda-apis --disable-cors -A 127.0.0.1 -P "$WATCH_PORT" >"$LOGS/functions.log" 2>&1 &
  PGIDS+=($!)
  wait_for_port "$WATCH_PORT" 120
  IFS=, read -ra vars <<<"$FUNCTION_ENV"
  for fn in "${FUNCTIONS[@]}"; do
    for instance in 1 2; do
      log "spawning function instance $fn/$instance" 2>>"$LOGS/functions.log"
      env "${vars[@]}" AWS_LAMBDA_RUNTIME_API="http://127.0.0.1:$WATCH_PORT/.rt/$fn" AWS_LAMBDA_FUNCTION_NAME="$fn" \
        AWS_LAMBDA_FUNCTION_VERSION=1 AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256 "target/debug/$fn" >>"$LOGS/functions.log" 2>&1 &
      PGIDS+=($!)
    done
  done
else
  RELOAD=()
  [ "${PORTAL_RELOAD:-1}" = 0 ] && RELOAD=(--ignore-changes)
  cargo lambda watch -q "${RELOAD[@]}" --disable-cors -A 127.0.0.1 -P "$WATCH_PORT" \
    --env-vars "$FUNCTION_ENV" >"$LOGS/functions.log" 2>&1 &
  PGIDS+=($!)
fi

python3 infra/dev_proxy.py --port "$PORT" --root site/dist --api "127.0.0.1:$WATCH_PORT" --moto "127.0.0.1:$MOTO_PORT" \
  --functions-log "$LOGS/functions.log" &
PGIDS+=($!)
wait_for_port "$WATCH_PORT" 120
wait_for_port "$PORT" 30
if [ -n "${IDP_PORT:-}" ]; then wait_for_port "$IDP_PORT" 30; fi

# The first request to each function compiles it: ask each once so the portal is warm when ready.
log "Compiling the functions on first use (the first run takes a few minutes)…"
for path in /api/me /api/companies /api/tickets /api/projects /api/invoices; do
  status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 900 "http://127.0.0.1:$PORT$path")
  if [ "$status" != 401 ]; then
    log "$path answered $status instead of 401; see $LOGS/functions.log"
    tail -n 30 "$LOGS/functions.log" >&2
    exit 1
  fi
done

echo "Portal ready at http://127.0.0.1:$PORT"
SSO_NOTE="Sign in with Microsoft or Google: off (PORTAL_SSO=off), or your app registrations (docs/sso.md)."
if [ -n "${IDP_PORT:-}" ]; then
  SSO_NOTE="Sign in with Microsoft or Google goes to a local stand-in (no account needed): Acme Dental's users,
or anyone of its tenant or domain (they get a Standard User at their first sign-in)."
fi
cat <<MSG
Demo sign-ins (password: $DEMO_PASSWORD)
  MSP Northwind IT:          admin@northwind.example (MSP admin), tech@northwind.example (technician)
  Client Acme Dental:        fulladmin@acme.example (Full Admin), ticketmanager@acme.example (Ticket Manager),
                             billing@acme.example (Billing Admin), readonly@acme.example (Ticket Read-Only),
                             user@acme.example (Standard User)
  Client Globex Logistics:   fulladmin@globex.example (Full Admin), user@globex.example (Standard User)
$SSO_NOTE
Mail the portal sends: http://127.0.0.1:$PORT/dev/mailbox (local only).
Logs: $LOGS/functions.log, $LOGS/moto.log${STRIPE_PORT:+, $LOGS/stripe-double.log (Stripe stand-in)}${IDP_PORT:+, $LOGS/idp-double.log (sign-in stand-in)}. Press Ctrl-C to stop.
MSG
wait
