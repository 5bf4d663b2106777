#!/usr/bin/env bash
# Memory of the app with a large account loaded (issue #6: at most 300 MB RSS with 100,000
# customers). Prints the app's VmRSS and VmHWM once the list is painted from the mirror, the
# search index is built and the background sync is over.
#
#   cargo build --release
#   assets/measure-memory.sh [CUSTOMERS] [BINARY]      # defaults: 100000 target/release/syncro-tui
#   FIRST_START=1 assets/measure-memory.sh             # no mirror yet: the app's own full sync
#   FULL_SYNCS=2 assets/measure-memory.sh              # then two full passes (`R`), as every hour
#   CONTACTS_PANE=1 assets/measure-memory.sh           # then the contacts pane opened (`c`)
#
# Steps: a demo server with CUSTOMERS customers (about two contacts each) runs in its own
# process, so its memory is not counted; `syncro-tui sync` fills the mirror file; the app is then
# started in a tmux session against the server (SYNCRO_API_KEY=demo-key-0000, --base-url), as a
# technician starts it on the second day: painted from the mirror, then synced in the
# background. Everything lives in a temporary HOME that is removed at the end.
set -euo pipefail

customers=${1:-100000}
bin=${2:-${CARGO_TARGET_DIR:-target}/release/syncro-tui}
bin=$(realpath "$bin")
work=$(mktemp -d)
session="measure-memory-$$"
server_pid=""

cleanup() {
    tmux kill-session -t "$session" 2>/dev/null || true
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

export HOME="$work" XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data"
export SYNCRO_API_KEY=demo-key-0000
# The demo server runs without a rate limit; the client's own limiter is lifted too, or filling
# the mirror of 100,000 customers would take its 5.5 minutes at 180 requests a minute.
mkdir -p "$XDG_CONFIG_HOME/syncro-tui"
echo "requests_per_minute = 0" >"$XDG_CONFIG_HOME/syncro-tui/config.toml"

"$bin" demo-server --customers "$customers" --no-rate-limit >"$work/server.out" 2>&1 &
server_pid=$!
url=""
for _ in $(seq 1 600); do
    url=$(sed -n 's/^listening on //p' "$work/server.out")
    [ -n "$url" ] && break
    sleep 0.1
done
[ -n "$url" ] || { echo "the demo server did not start" >&2; exit 1; }

if [ -z "${FIRST_START:-}" ]; then
    "$bin" --base-url "$url" sync 2>"$work/sync.err" || { echo "the sync failed:" >&2; cat "$work/sync.err" >&2; exit 1; }
fi
ls -l "$XDG_DATA_HOME"/*/mirror-*.bin 2>/dev/null | awk '{print "mirror file: " $5 " bytes"}' || true

tmux new-session -d -s "$session" -x 200 -y 50 \
    "env HOME='$HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' XDG_DATA_HOME='$XDG_DATA_HOME' \
     SYNCRO_API_KEY=demo-key-0000 TERM=xterm-256color '$bin' --base-url '$url'"
app_pid=$(tmux display-message -p -t "$session" '#{pane_pid}')

status() { grep -E "^$1:" "/proc/$app_pid/status" | awk '{print $2}'; }

# Loaded when the screen shows the mirror's age, no sync runs any more, and RSS has not moved
# for two seconds.
start=$(date +%s)
last=""
steady=0
while :; do
    [ -e "/proc/$app_pid/status" ] || { echo "the app exited" >&2; exit 1; }
    screen=$(tmux capture-pane -p -t "$session")
    rss=$(status VmRSS)
    if grep -qE "synced (just now|[0-9])" <<<"$screen" && ! grep -q "Syncing" <<<"$screen" && [ "$rss" = "$last" ]; then
        steady=$((steady + 1))
    else
        steady=0
    fi
    last=$rss
    [ "$steady" -ge 4 ] && break
    if [ $(( $(date +%s) - start )) -gt 300 ]; then
        echo "not loaded after 300 s; last screen:" >&2
        echo "$screen" >&2
        exit 1
    fi
    sleep 0.5
done

echo "customers: $customers"
echo "app VmRSS: $(( $(status VmRSS) / 1024 )) MB"
echo "app VmHWM: $(( $(status VmHWM) / 1024 )) MB (peak)"

# A technician's day: the full pass every hour (`R` starts one at once). Each replaces the whole
# account; the memory it frees must go back, not pile up.
for round in $(seq 1 "${FULL_SYNCS:-0}"); do
    tmux send-keys -t "$session" R
    sleep 3
    steady=0
    last=""
    while :; do
        [ -e "/proc/$app_pid/status" ] || { echo "the app exited" >&2; exit 1; }
        screen=$(tmux capture-pane -p -t "$session")
        rss=$(status VmRSS)
        if ! grep -q "Syncing" <<<"$screen" && [ "$rss" = "$last" ]; then
            steady=$((steady + 1))
        else
            steady=0
        fi
        last=$rss
        [ "$steady" -ge 6 ] && break
        sleep 0.5
    done
    echo "after full sync $round: VmRSS $(( $(status VmRSS) / 1024 )) MB, VmHWM $(( $(status VmHWM) / 1024 )) MB"
done

# The contacts pane (`c`): every contact of the account as rows, with their orders.
if [ -n "${CONTACTS_PANE:-}" ]; then
    tmux send-keys -t "$session" c
    sleep 1
    steady=0
    last=""
    while :; do
        [ -e "/proc/$app_pid/status" ] || { echo "the app exited" >&2; exit 1; }
        screen=$(tmux capture-pane -p -t "$session")
        rss=$(status VmRSS)
        if grep -q "Contacts" <<<"$screen" && ! grep -q "Reading" <<<"$screen" && [ "$rss" = "$last" ]; then
            steady=$((steady + 1))
        else
            steady=0
        fi
        last=$rss
        [ "$steady" -ge 4 ] && break
        sleep 0.5
    done
    echo "contacts pane open: VmRSS $(( $(status VmRSS) / 1024 )) MB, VmHWM $(( $(status VmHWM) / 1024 )) MB"
    grep -h "contacts pane built" "$XDG_DATA_HOME"/syncro-tui/syncro-tui.log 2>/dev/null | tail -1 || true
fi
