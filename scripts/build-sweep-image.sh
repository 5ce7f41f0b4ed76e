#!/usr/bin/env bash
# Builds the Remora image that `remora sweep --on kubernetes` runs (src/kube-sweep), with no registry and no
# daemon: a minimal root filesystem holding the host's Node binary and the shared libraries it links (ldd), the
# compiled dist/, bin/, data/ and the production node_modules, packed by tools/lab/mkimage as a docker-archive for
# `ctr -n k8s.io images import` (the way build-lab-images.sh packs the lab's images).
#
# Why the host's node and not Debian's nodejs: Debian 12 ships Node 18, and Remora needs Node >= 20; the host's
# Node is the one the tests run on, so a pod trains with the same runtime (and the same model bytes) as a local
# sweep. Users with a registry build deploy/sweep/Dockerfile instead.
#
# Cached by content hash (sources, lockfile, data, the node binary, tools/lab, this script):
#   ${REMORA_LAB_CACHE:-$HOME/.cache/remora/lab}/sweep-<hash>/{remora.tar,image.env}
# Idempotent. Prints the image directory on its last line of stdout. Env: REMORA_LAB_CACHE, GO, NODE.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
GO="${GO:-go}"
NODE_BIN="$(readlink -f "${NODE:-$(command -v node)}")"
cd "$ROOT"
HASH="$( { git ls-files -s src data bin tools/lab package.json package-lock.json tsconfig.json tsconfig.build.json scripts/build-sweep-image.sh 2>/dev/null \
  || find src data bin tools/lab -type f | LC_ALL=C sort | xargs sha256sum; \
  git diff HEAD -- src data bin tools/lab package.json package-lock.json scripts/build-sweep-image.sh 2>/dev/null || true; \
  git ls-files --others --exclude-standard src data bin tools/lab 2>/dev/null | LC_ALL=C sort | xargs -r sha256sum; \
  sha256sum "$NODE_BIN"; } | sha256sum | cut -c1-12)"
OUT="${REMORA_LAB_CACHE:-$HOME/.cache/remora/lab}/sweep-$HASH"
if [ -s "$OUT/image.env" ] && [ -s "$OUT/remora.tar" ]; then
  echo "sweep image cached: $OUT" >&2
  echo "$OUT"
  exit 0
fi
command -v "$GO" >/dev/null 2>&1 || { echo "build-sweep-image: '$GO' not found; install Go >= 1.25" >&2; exit 3; }
[ -d node_modules ] || { echo "build-sweep-image: node_modules missing; run npm ci first" >&2; exit 3; }
START=$(date +%s.%N)
mkdir -p "$OUT"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
R="$TMP/rootfs"
mkdir -p "$R/usr/bin" "$R/app" "$R/tmp" "$R/etc" "$R/out"
chmod 1777 "$R/tmp"
# The runtime: node and exactly the libraries it links, at the paths the loader looks them up.
cp "$NODE_BIN" "$R/usr/bin/node"
for lib in $(ldd "$NODE_BIN" | grep -o '/[^ ]*' | sort -u); do
  mkdir -p "$R$(dirname "$lib")"
  cp -L "$lib" "$R$lib"
done
printf 'root:x:0:0:root:/root:/bin/false\nremora:x:65532:65532:remora:/app:/bin/false\n' > "$R/etc/passwd"
printf 'root:x:0:\nremora:x:65532:\n' > "$R/etc/group"
# The project: dist/ compiled from the sources of this hash (not a stale dist/ of the checkout).
npx tsc -p tsconfig.build.json --outDir "$R/app/dist" >&2
cp -r bin data package.json "$R/app/"
# Production dependencies only, as npm resolves them (no dev tools, no tfjs, no playwright).
mkdir -p "$R/app/node_modules"
npm ls --omit=dev --all --parseable 2>/dev/null | tail -n +2 | while read -r dir; do
  rel="${dir#"$ROOT"/}"
  mkdir -p "$R/app/$(dirname "$rel")"
  cp -r "$dir" "$R/app/$rel"
done
# One deterministic layer: sorted names, fixed times and owners (the same inputs give the same image ID).
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=posix \
  --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime -C "$R" -cf "$TMP/layer.tar" .
export CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false -trimpath" GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
(cd tools/lab && "$GO" build -ldflags "-s -w" -o "$TMP/mkimage" ./mkimage)
REF="remora.local/lab/remora:$HASH"
"$TMP/mkimage" -o "$TMP/remora.tar" -ref "$REF" -layer "$TMP/layer.tar" -workdir /app \
  -env PATH=/usr/bin -env NODE_ENV=production -entrypoint /usr/bin/node -entrypoint /app/bin/remora.js >&2
mv -f "$TMP/remora.tar" "$OUT/"
SECS=$(echo "$(date +%s.%N) - $START" | bc 2>/dev/null || echo "?")
printf 'REMORA_IMAGE=%s\nBUILD_SECONDS=%s\n' "$REF" "$SECS" > "$OUT/image.env.tmp"
mv -f "$OUT/image.env.tmp" "$OUT/image.env"
# Older builds are superseded: keep the cache at one image (~180 MB).
find "$(dirname "$OUT")" -maxdepth 1 -name 'sweep-*' ! -name "sweep-$HASH" -exec rm -rf {} + 2>/dev/null || true
echo "sweep image built: $REF in $OUT ($(du -h "$OUT/remora.tar" | cut -f1), ${SECS} s)" >&2
echo "$OUT"
