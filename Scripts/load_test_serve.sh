#!/usr/bin/env bash
# Load on a real `styleprompter serve` over loopback: CLIENTS clients (default 50) for SECONDS
# (default 60) upload photos and request previews, full renders and latents as fast as the
# server lets them (50 ms back-off after a 429), while /healthz and the server's resident memory
# are sampled twice a second. Prints requests/s, every status seen, preview latency, the slowest
# /healthz and the server's peak RSS; fails on any status other than 200, 201 and 429, on any
# transport error, or if the server does not stop cleanly on SIGTERM.
#
#   Scripts/load_test_serve.sh [SECONDS] [CLIENTS] [BINARY]    (default 60 50 .build/release/styleprompter)
#
# The clients are the LoadTests suite (Tests/WebEditorTests/LoadTests.swift) pointed at the
# server through STYLEPROMPTER_LOAD_URL; `swift test` runs the same suite in-process for 10 s.
# Extra `serve` arguments: SERVE_ARGS="--model M --directions D" Scripts/load_test_serve.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN=${1:-60}
CLIENTS=${2:-50}
BIN=${3:-.build/release/styleprompter}
if [[ ! -x "$BIN" ]]; then
    [[ "$BIN" == .build/release/* ]] && swift build -c release --product styleprompter
    [[ "$BIN" == .build/debug/* ]] && swift build --product styleprompter
fi
# Build the release test products now (a filter that matches nothing), not while the server is under load.
swift test -c release --filter "^BuildOnly$" >/dev/null 2>&1 || true

WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
    [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# Port 0: the server picks a free port and prints it. More sessions than clients, so that no
# client's session is evicted mid-run (eviction is tested on its own in RouteTests).
# shellcheck disable=SC2086
"$BIN" serve --port 0 --max-sessions $((CLIENTS + 8)) --log-level warning ${SERVE_ARGS:-} >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
URL=
for _ in $(seq 1 600); do
    URL=$(grep -o 'http://127.0.0.1:[0-9]*' "$WORK/serve.out" 2>/dev/null | head -1 || true)
    [[ -n "$URL" ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/serve.err"; echo "load_test_serve: the server exited"; exit 1; }
    sleep 0.1
done
[[ -n "$URL" ]] || { echo "load_test_serve: the server printed no address"; exit 1; }
curl -fsS "$URL/healthz" >/dev/null
echo "load_test_serve: $CLIENTS clients for $SECONDS_TO_RUN s on $URL (server pid $SERVER_PID, $BIN)"

STYLEPROMPTER_LOAD_URL=$URL STYLEPROMPTER_LOAD_SECONDS=$SECONDS_TO_RUN STYLEPROMPTER_LOAD_CLIENTS=$CLIENTS \
STYLEPROMPTER_LOAD_PID=$SERVER_PID \
    swift test -c release --skip-build --filter 'WebEditorTests.EndToEndTests/LoadTests' 2>&1 | tee "$WORK/load.log" | grep -E '^load:|✘|✔ Test fifty' || true
grep -q '✔ Test fiftyClients' "$WORK/load.log" || { echo "load_test_serve: FAILED"; grep -E 'Expectation|recorded an issue' "$WORK/load.log" | head; exit 1; }
echo "server: $(grep VmHWM /proc/$SERVER_PID/status | tr -s ' ') peak, $(grep VmRSS /proc/$SERVER_PID/status | tr -s ' ') now; /healthz: $(curl -fsS "$URL/healthz")"

# Graceful shutdown: SIGTERM, and the server exits 0 on its own.
kill -TERM "$SERVER_PID"
status=0
wait "$SERVER_PID" || status=$?
SERVER_PID=
[[ $status == 0 ]] || { echo "load_test_serve: the server exited with status $status after SIGTERM"; cat "$WORK/serve.err"; exit 1; }
echo "load_test_serve: passed (the server stopped cleanly on SIGTERM)"
