#!/usr/bin/env bash
# Builds the lab's two images (src/lab) with no registry and no daemon: the pause image and the echo
# service, static Go binaries from tools/lab, each written as a docker-archive tar by tools/lab/mkimage for
# `ctr -n k8s.io images import`. Cached outside the repo, keyed by a hash of tools/lab's sources:
#   ${REMORA_LAB_CACHE:-$HOME/.cache/remora/lab}/images-<hash>/{pause.tar,echo.tar,images.env}
# Idempotent. Prints the image directory on its last line of stdout.
# Env: REMORA_LAB_CACHE, GO (default: go).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
GO="${GO:-go}"
SRC="$ROOT/tools/lab"
HASH="$(cd "$SRC" && find . -type f \( -name '*.go' -o -name go.mod \) | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-12)"
OUT="${REMORA_LAB_CACHE:-$HOME/.cache/remora/lab}/images-$HASH"
if [ -s "$OUT/images.env" ] && [ -s "$OUT/pause.tar" ] && [ -s "$OUT/echo.tar" ]; then
  echo "lab images cached: $OUT" >&2
  echo "$OUT"
  exit 0
fi
command -v "$GO" >/dev/null 2>&1 || { echo "build-lab-images: '$GO' not found; install Go >= 1.25" >&2; exit 3; }
mkdir -p "$OUT"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
export CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false -trimpath" GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
(cd "$SRC" && for c in echo pause mkimage; do "$GO" build -ldflags "-s -w" -o "$TMP/$c" "./$c"; done)
PAUSE_REF="remora.local/lab/pause:$HASH"
ECHO_REF="remora.local/lab/echo:$HASH"
"$TMP/mkimage" -o "$TMP/pause.tar" -ref "$PAUSE_REF" -entrypoint /pause pause="$TMP/pause" >&2
"$TMP/mkimage" -o "$TMP/echo.tar" -ref "$ECHO_REF" -entrypoint /echo -port 7000 -port 8080 echo="$TMP/echo" >&2
mv -f "$TMP/pause.tar" "$TMP/echo.tar" "$OUT/"
printf 'PAUSE_IMAGE=%s\nECHO_IMAGE=%s\n' "$PAUSE_REF" "$ECHO_REF" > "$OUT/images.env.tmp"
mv -f "$OUT/images.env.tmp" "$OUT/images.env"
echo "lab images built: $PAUSE_REF, $ECHO_REF in $OUT" >&2
echo "$OUT"
