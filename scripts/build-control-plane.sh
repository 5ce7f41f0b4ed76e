#!/usr/bin/env bash
# Builds a real kube-apiserver and etcd from the Go module proxy for the cluster test suite
# (src/cluster/testing). Idempotent: when the binaries for the pinned versions are cached it
# exits in seconds. Binaries are cached OUTSIDE the repo, keyed by version:
#   ${REMORA_K8S_CACHE:-$HOME/.cache/remora/k8s}/<KUBE_VERSION>/{kube-apiserver,etcd}
# Prints the cache directory on its last line of stdout.
# Env: REMORA_K8S_CACHE, GO (default: go), BUILD_JOBS (default 2; the build machine has 2 cores).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=../tools/k8s/versions.env
. "$ROOT/tools/k8s/versions.env"
GO="${GO:-go}"
JOBS="${BUILD_JOBS:-2}"
CACHE_ROOT="${REMORA_K8S_CACHE:-$HOME/.cache/remora/k8s}"
OUT="$CACHE_ROOT/$KUBE_VERSION"
mkdir -p "$OUT"

have_apiserver() { [ -x "$OUT/kube-apiserver" ] && "$OUT/kube-apiserver" --version 2>/dev/null | grep -qF "$KUBE_VERSION"; }
have_etcd() { [ -x "$OUT/etcd" ] && "$OUT/etcd" --version >/dev/null 2>&1; }

if have_apiserver && have_etcd; then
  echo "control plane cached: $("$OUT/kube-apiserver" --version), $("$OUT/etcd" --version | head -1)" >&2
  echo "$OUT"
  exit 0
fi

if ! command -v "$GO" >/dev/null 2>&1; then
  echo "build-control-plane: '$GO' not found; install Go >= 1.25 to build kube-apiserver $KUBE_VERSION" >&2
  exit 3
fi

# One build at a time per cache dir (CI and a developer shell may race).
exec 9>"$OUT/.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi
if have_apiserver && have_etcd; then echo "$OUT"; exit 0; fi

export CGO_ENABLED=0 GOMAXPROCS="$JOBS" GOFLAGS="${GOFLAGS:-} -mod=mod -buildvcs=false" GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
MINOR="${KUBE_VERSION#v1.}"; MINOR="${MINOR%%.*}"
T0=$(date +%s)

if ! have_apiserver; then
  echo "== building kube-apiserver $KUBE_VERSION (cold: ~10-20 min on 2 cores)" >&2
  LDFLAGS="-s -w \
    -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION \
    -X k8s.io/component-base/version.gitMajor=1 \
    -X k8s.io/component-base/version.gitMinor=$MINOR \
    -X k8s.io/component-base/version.gitTreeState=clean \
    -X k8s.io/component-base/version.buildDate=1970-01-01T00:00:00Z \
    -X k8s.io/client-go/pkg/version.gitVersion=$KUBE_VERSION"
  (cd "$ROOT/tools/k8s/apiserver" && "$GO" build -p "$JOBS" -trimpath -ldflags "$LDFLAGS" \
     -o "$OUT/kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver)
  mv -f "$OUT/kube-apiserver.tmp" "$OUT/kube-apiserver"
fi

if ! have_etcd; then
  echo "== building etcd $ETCD_VERSION" >&2
  if (cd "$ROOT/tools/k8s/etcd" && "$GO" build -p "$JOBS" -trimpath \
        -ldflags "-s -w" -o "$OUT/etcd.tmp" go.etcd.io/etcd/server/v3); then
    mv -f "$OUT/etcd.tmp" "$OUT/etcd"
  elif command -v etcd >/dev/null 2>&1; then
    # Fallback: Debian's etcd-server (3.4.x) works for tests; it lacks --unsafe-no-fsync,
    # the harness puts its data dir on tmpfs instead.
    echo "build-control-plane: etcd build failed; using $(command -v etcd)" >&2
    ln -sf "$(command -v etcd)" "$OUT/etcd"
  else
    echo "build-control-plane: etcd build failed and no system etcd (apt-get install etcd-server)" >&2
    exit 4
  fi
fi

echo "built in $(( $(date +%s) - T0 ))s: $("$OUT/kube-apiserver" --version), $("$OUT/etcd" --version | head -1)" >&2
echo "$OUT"
