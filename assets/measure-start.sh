#!/usr/bin/env bash
# Start to the first painted rows, end to end: from just before the release binary is spawned
# in a pseudo-terminal of 200x50 (process start, config, terminal set-up, the mirror file read)
# to the end of the first frame whose list shows the mirror's rows. A demo server (its own
# process, seed 1) filled the mirror first. Prints min / median / max over RUNS starts.
#
#   assets/measure-start.sh [SIZES] [RUNS] [BINARY]   # defaults: 1000,20000,100000 7 (this build)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${1:-1000,20000,100000}
runs=${2:-7}
extra=()
if [ -n "${3:-}" ]; then extra=(--bin "$(realpath "$3")"); fi
cargo bench --bench e2e -- start --customers "$sizes" --runs "$runs" "${extra[@]}"
