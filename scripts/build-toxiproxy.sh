#!/usr/bin/env bash
# Builds Toxiproxy (the lab's per-node latency injector, src/lab/toxiproxy.ts) from the Go module proxy,
# cached outside the repo by version:
#   ${REMORA_TOXIPROXY_CACHE:-$HOME/.cache/remora/toxiproxy}/<version>/toxiproxy-server
# Idempotent: a cached binary exits at once. Prints the binary's path on its last line of stdout.
# Env: REMORA_TOXIPROXY_CACHE, GO (default: go), TOXIPROXY_VERSION (default: the pinned one below).
set -euo pipefail
VERSION="${TOXIPROXY_VERSION:-v2.5.0}"
GO="${GO:-go}"
OUT="${REMORA_TOXIPROXY_CACHE:-$HOME/.cache/remora/toxiproxy}/$VERSION"
BIN="$OUT/toxiproxy-server"
have() { [ -x "$BIN" ] && "$BIN" -version 2>&1 | grep -qF "${VERSION#v}"; }
if have; then
  echo "toxiproxy cached: $BIN" >&2
  echo "$BIN"
  exit 0
fi
command -v "$GO" >/dev/null 2>&1 || { echo "build-toxiproxy: '$GO' not found; install Go >= 1.17" >&2; exit 3; }
mkdir -p "$OUT"
exec 9>"$OUT/.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi
if have; then echo "$BIN"; exit 0; fi
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
# `go install` of the module's command at the pinned version: no replace directives, nothing downloaded but modules.
# The version stamp is toxiproxy's own -ldflags variable, so `-version` names what was built.
CGO_ENABLED=0 GOBIN="$TMP" GOFLAGS="-mod=mod -buildvcs=false -trimpath" GOTOOLCHAIN="${GOTOOLCHAIN:-local}" \
  "$GO" install -ldflags "-s -w -X github.com/Shopify/toxiproxy/v2.Version=${VERSION#v}" "github.com/Shopify/toxiproxy/v2/cmd/server@$VERSION"
mv -f "$TMP/server" "$BIN"
have || { echo "build-toxiproxy: $BIN -version does not report ${VERSION#v}" >&2; exit 1; }
echo "toxiproxy $VERSION built: $BIN" >&2
echo "$BIN"
