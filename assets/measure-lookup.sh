#!/usr/bin/env bash
# Caller-ID lookup from a large mirror, process start to answer (issue #15: 100 ms at 100,000
# customers). Prints min / median / max over RUNS runs of each query.
#
#   cargo build --release
#   assets/measure-lookup.sh [CUSTOMERS] [BINARY]     # defaults: 100000 target/release/syncro-tui
#   RUNS=30 assets/measure-lookup.sh
#
# Steps: a demo server with CUSTOMERS customers (about three contacts each) runs in its own
# process; `syncro-tui sync` fills the mirror file; the server is stopped (a lookup from the
# mirror never asks it); then each query runs RUNS times as a phone system would run it, the
# wall time of the whole process measured (hyperfine when installed, else date +%s%N).
# Everything lives in a temporary HOME that is removed at the end.
set -euo pipefail

customers=${1:-100000}
bin=${2:-${CARGO_TARGET_DIR:-target}/release/syncro-tui}
bin=$(realpath "$bin")
runs=${RUNS:-20}
work=$(mktemp -d)
server_pid=""

cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

export HOME="$work" XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data"
mkdir -p "$XDG_CONFIG_HOME/syncro-tui"
echo "requests_per_minute = 0" >"$XDG_CONFIG_HOME/syncro-tui/config.toml"

"$bin" demo-server --customers "$customers" --no-rate-limit --api-key demo-key-0000 >"$work/server.out" 2>&1 &
server_pid=$!
url=""
for _ in $(seq 1 600); do
    url=$(sed -n 's/^listening on //p' "$work/server.out")
    [ -n "$url" ] && break
    sleep 0.1
done
[ -n "$url" ] || { echo "the demo server did not start" >&2; exit 1; }
SYNCRO_API_KEY=demo-key-0000 "$bin" --base-url "$url" sync 2>"$work/sync.err" || { echo "the sync failed:" >&2; cat "$work/sync.err" >&2; exit 1; }
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
ls -l "$XDG_DATA_HOME"/syncro-tui/mirror-*.bin | awk '{print "mirror file: " $5 " bytes"}'

# The same server identity as the sync (the server is gone: nothing but the mirror answers).
lookup=("$bin" --base-url "$url" lookup)

measure() {
    local label=$1; shift
    local first
    first=$("${lookup[@]}" "$@" || true)
    echo "== $label: lookup $*"
    echo "   answer: ${first:-(none, exit 1)}"
    if command -v hyperfine >/dev/null; then
        hyperfine --runs "$runs" --warmup 2 -N -i --export-json "$work/h.json" \
            "$(printf '%q ' "${lookup[@]}" "$@")" >/dev/null
        python3 - "$work/h.json" <<'EOF'
import json, sys, statistics
t = [x * 1000 for x in json.load(open(sys.argv[1]))["results"][0]["times"]]
print(f"   min {min(t):.1f} ms  median {statistics.median(t):.1f} ms  max {max(t):.1f} ms  ({len(t)} runs, hyperfine)")
EOF
    else
        local times=()
        for _ in 1 2; do "${lookup[@]}" "$@" >/dev/null || true; done
        for _ in $(seq 1 "$runs"); do
            local s e
            s=$(date +%s%N)
            "${lookup[@]}" "$@" >/dev/null || true
            e=$(date +%s%N)
            times+=($(( (e - s) / 1000 )))
        done
        printf '%s\n' "${times[@]}" | sort -n | awk -v n="$runs" '
            { t[NR] = $1 }
            END {
                med = (n % 2) ? t[(n + 1) / 2] : (t[n / 2] + t[n / 2 + 1]) / 2
                printf "   min %.1f ms  median %.1f ms  max %.1f ms  (%d runs)\n", t[1] / 1000, med / 1000, t[n] / 1000, n
            }'
    fi
}

measure "a known number, last 7 digits" 5550142
measure "an unknown number" 5559876999
measure "an e-mail address" sandra@acmedental.com
measure "a name" "acme dental"
