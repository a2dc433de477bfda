#!/usr/bin/env bash
# The whole jest suite with the system clock a year ahead and a year back, for this process and every
# child it starts (libfaketime via LD_PRELOAD): no test may depend on the calendar date.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v faketime >/dev/null; then
  echo "test:any-date needs faketime (Debian/Ubuntu: apt-get install faketime; macOS: brew install libfaketime)" >&2
  exit 2
fi
for shift in +365d -365d; do
  echo "── jest with the system clock moved ${shift}: $(FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f "$shift" date -u +%FT%TZ) ──"
  ANY_DATE_SHIFT="$shift" FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f "$shift" npm run jest -- "$@"
done
