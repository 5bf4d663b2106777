#!/usr/bin/env bash
# Times `syncro-tui sync` of 5,000 customers and 10,000 contacts against the demo server at
# Syncro's rate limit (180 requests a minute per IP), end to end:
#   1. starts `syncro-tui demo-server` on a free loopback port,
#   2. runs `time syncro-tui --base-url URL sync` with SYNCRO_API_KEY=demo in a throw-away HOME,
#   3. prints the summary line and stops the server.
#
# Usage: assets/measure-sync.sh [listed|embedded]
#   listed   (default) customer pages without contacts: contacts come from /contacts, 50 a page
#            (50 + 200 = 250 requests, more than one window holds: the sync is paced)
#   embedded contacts embedded in the customer pages, as Syncro does (50 + 1 = 51 requests)
# Environment: SYNCRO_TUI (binary; default: the release build, built if missing),
#   CUSTOMERS (5000), CONTACTS (10000), RATE_LIMIT (180),
#   COLLEAGUE_RPM (0): a colleague behind the same IP sends this many requests a minute with
#   curl during the sync, so the server answers the sync with 429 (it slows down and finishes).
set -euo pipefail

mode=${1:-listed}
customers=${CUSTOMERS:-5000}
contacts=${CONTACTS:-10000}
rate=${RATE_LIMIT:-180}
cd "$(dirname "$0")/.."

bin=${SYNCRO_TUI:-${CARGO_TARGET_DIR:-target}/release/syncro-tui}
if [[ ! -x $bin ]]; then
    cargo build --release
fi

work=$(mktemp -d)
server_pid=
colleague_pid=
cleanup() {
    if [[ -n $colleague_pid ]]; then
        kill "$colleague_pid" 2>/dev/null || true
        wait "$colleague_pid" 2>/dev/null || true
    fi
    if [[ -n $server_pid ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

server_args=(demo-server --customers "$customers" --contacts "$contacts" --rate-limit "$rate")
case $mode in
    listed) server_args+=(--no-embedded-contacts) ;;
    embedded) ;;
    *) echo "usage: $0 [listed|embedded]" >&2; exit 2 ;;
esac

mkfifo "$work/out"
"$bin" "${server_args[@]}" >"$work/out" 2>"$work/server.log" &
server_pid=$!
exec 3<"$work/out"
read -r first <&3
url=${first#listening on }
if [[ $url != http* ]]; then
    echo "demo server did not start: $first" >&2
    cat "$work/server.log" >&2
    exit 1
fi
cat "$work/server.log" >&2

echo "\$ ${server_args[*]}" >&2
colleague_rpm=${COLLEAGUE_RPM:-0}
if (( colleague_rpm > 0 )); then
    pause=$(awk "BEGIN { print 60 / $colleague_rpm }")
    (
        ok=0 refused=0
        trap 'echo "colleague: $ok answered, $refused refused with 429" >&2; exit 0' TERM
        while true; do
            code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer demo' \
                "$url/invoices?page=1" || true)
            if [[ $code == 429 ]]; then refused=$((refused + 1)); else ok=$((ok + 1)); fi
            sleep "$pause" & wait $!
        done
    ) &
    colleague_pid=$!
    echo "(a colleague sends $colleague_rpm requests a minute to the same server meanwhile)" >&2
fi
echo "\$ time syncro-tui --base-url $url sync" >&2
mkdir -p "$work/home"
export HOME="$work/home" XDG_DATA_HOME="$work/home/data" XDG_CONFIG_HOME="$work/home/config"
export SYNCRO_API_KEY=demo
time "$bin" --base-url "$url" sync
