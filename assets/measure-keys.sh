#!/usr/bin/env bash
# Keystroke to the end of the frame it causes, end to end: the release binary in a
# pseudo-terminal of 200x50 over a demo server (its own process, seed 1) whose account the
# mirror holds. Prints min / median / max per key (j, PgDn, `/` and each letter of a name, an
# e-mail fragment, phone digits, a typo and a non-Latin name, Esc, the same in `F`, `s`).
#
#   assets/measure-keys.sh [SIZES] [ROUNDS] [BINARY]   # defaults: 1000,10000,100000 3 (this build)
#
# BINARY measures another build (an older commit's `target/release/syncro-tui`, say). The
# measuring program is `benches/e2e.rs`; see it for how a frame's end is found.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${1:-1000,10000,100000}
rounds=${2:-3}
extra=()
if [ -n "${3:-}" ]; then extra=(--bin "$(realpath "$3")"); fi
cargo bench --bench e2e -- keys --customers "$sizes" --rounds "$rounds" "${extra[@]}"
