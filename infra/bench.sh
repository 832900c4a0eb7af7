#!/usr/bin/env bash
# Benchmarks (figures, not pass/fail): release binary size per function (zipped, arm64 as deployed),
# cold start and peak memory under cargo-lambda's Lambda emulator, and DynamoDB calls per route.
# Takes ~20 minutes on 2 cores (three release builds). Results go to stdout as Markdown.
set -euo pipefail
cd "$(dirname "$0")/.."
source infra/lib.sh
ensure_python_env
FUNCTIONS=(auth accounts tickets projects billing assets kb reports)
mkdir -p .local

log "Release build, arm64, zipped (what sam deploy uploads)…"
cargo lambda build -q --release --arm64 --output-format zip "${FUNCTIONS[@]/#/--bin=}" >&2
echo "### Binary size (release, arm64, zipped)"
echo "| function | bootstrap.zip | bootstrap (unzipped) |"
echo "|---|---|---|"
for f in "${FUNCTIONS[@]}"; do
  zip=target/lambda/$f/bootstrap.zip
  raw=$(unzip -l "$zip" | awk 'END {print $1}')
  printf '| %s | %s KiB | %s KiB |\n' "$f" $(( $(stat -c %s "$zip") / 1024 )) $(( raw / 1024 ))
done

log "Release build for this machine, for the emulator…"
cargo build -q --release "${FUNCTIONS[@]/#/--bin=}" >&2

set -m
PGIDS=()
cleanup() { for pg in "${PGIDS[@]}"; do kill -TERM -- "-$pg" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
MOTO_PORT=$(free_port)
"$VENV/bin/python" infra/moto_server.py -H 127.0.0.1 -p "$MOTO_PORT" >.local/bench-moto.log 2>&1 &
PGIDS+=($!)
export AWS_ENDPOINT_URL="http://127.0.0.1:$MOTO_PORT" AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
export TABLE_NAME=portal-bench PORTAL_ORIGIN=http://127.0.0.1:9 COOKIE_SECURE=false PORTAL_SECRETS_FILE="$ROOT/.local/bench-secrets.json"
wait_for_port "$MOTO_PORT" 60
cargo build -q -p portal-admin
target/debug/portal-admin gen-secrets >"$PORTAL_SECRETS_FILE"
target/debug/portal-admin create-table >/dev/null
target/debug/portal-admin seed-demo >/dev/null

EMULATOR_PORT=$(free_port)
cargo lambda watch -q --only-lambda-apis -A 127.0.0.1 -P "$EMULATOR_PORT" >.local/bench-emulator.log 2>&1 &
PGIDS+=($!)
wait_for_port "$EMULATOR_PORT" 120
echo
echo "### Cold start and memory (cargo lambda watch --only-lambda-apis, release build, this machine)"
BENCH_EMULATOR="127.0.0.1:$EMULATOR_PORT" python3 infra/bench.py

echo
echo "### DynamoDB calls per request (SDK interceptor, against moto_server)"
cargo run -q -p portal-tests --bin bench-calls

echo
echo "### First-load page weight (gzip)"
cargo run -q -p site >/dev/null
python3 infra/page_weight.py site/dist

echo
echo "### Invoice PDF: 100 lines (release build)"
cargo run -q --release -p portal-tests --bin bench-pdf
