#!/usr/bin/env bash
# Times a bulk edit of 300 customers (their type set to Government) against the demo server at
# Syncro's rate limit (180 requests a minute per IP, 429 past it), end to end, with the app's
# default client settings (180 requests per 61 s):
#   1. builds and runs `benches/bulk.rs`, which starts the demo server in-process on a free
#      loopback port for each run (so that the server's window starts empty),
#   2. reads the 300 customers once (as the app holds them in its mirror), plans the change,
#      and times `BulkRun::execute`: 300 PUTs and 6 batched check reads, the change log appended,
#   3. prints one line per run: seconds, requests sent, 429s met, the preview's estimate and
#      the floor of 100 s (300 requests at 3 a second).
#
# Usage: assets/measure-bulk.sh [paced|burst|paced,burst]   (default: both, about 3 minutes)
#   paced  what the app does: requests spaced 61 s / 180 apart, so that the app's own requests
#          (and colleagues behind the same IP) still get through during the run
#   burst  as fast as the sliding window allows: 180 at once, then the rest after the window
# Environment: PROFILE (bench): the cargo profile to build with; the run is bound by the rate
#   limit, not the CPU, so `PROFILE=dev` measures the same and builds faster.
set -euo pipefail

modes=${1:-paced,burst}
profile=${PROFILE:-bench}
cd "$(dirname "$0")/.."

echo "\$ BULK_MODES=$modes cargo bench --profile $profile --bench bulk" >&2
BULK_MODES=$modes cargo bench --profile "$profile" --bench bulk
