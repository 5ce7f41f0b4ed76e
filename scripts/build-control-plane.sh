#!/usr/bin/env bash
# Builds real Kubernetes binaries and etcd from the Go module proxy, for the cluster test suite
# (src/cluster/testing) and the lab (src/lab). Idempotent: when the binaries for the pinned
# versions are cached it exits in seconds. Binaries are cached OUTSIDE the repo, keyed by version:
#   ${REMORA_K8S_CACHE:-$HOME/.cache/remora/k8s}/<KUBE_VERSION>/{kube-apiserver,etcd}
#   with --lab also {kubelet,kube-scheduler,kube-controller-manager}, from the same builder module
#   (tools/k8s/apiserver: k8s.io/kubernetes at KUBE_VERSION), so every component has the same version.
# Prints the cache directory on its last line of stdout.
# Usage: scripts/build-control-plane.sh [--lab]
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

KUBE_CMDS=(kube-apiserver)
case "${1:-}" in
  --lab) KUBE_CMDS+=(kubelet kube-scheduler kube-controller-manager) ;;
  "") ;;
  *) echo "build-control-plane: unknown argument '$1' (expected --lab or nothing)" >&2; exit 2 ;;
esac

have_kube() { [ -x "$OUT/$1" ] && "$OUT/$1" --version 2>/dev/null | grep -qF "$KUBE_VERSION"; }
have_etcd() { [ -x "$OUT/etcd" ] && "$OUT/etcd" --version >/dev/null 2>&1; }
have_all() {
  local c
  for c in "${KUBE_CMDS[@]}"; do have_kube "$c" || return 1; done
  have_etcd
}

if have_all; then
  echo "cached: ${KUBE_CMDS[*]} $KUBE_VERSION, $("$OUT/etcd" --version | head -1)" >&2
  echo "$OUT"
  exit 0
fi

if ! command -v "$GO" >/dev/null 2>&1; then
  echo "build-control-plane: '$GO' not found; install Go >= 1.25 to build ${KUBE_CMDS[*]} $KUBE_VERSION" >&2
  exit 3
fi

# One build at a time per cache dir (CI and a developer shell may race).
exec 9>"$OUT/.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi
if have_all; then echo "$OUT"; exit 0; fi

export CGO_ENABLED=0 GOMAXPROCS="$JOBS" GOFLAGS="${GOFLAGS:-} -mod=mod -buildvcs=false" GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
MINOR="${KUBE_VERSION#v1.}"; MINOR="${MINOR%%.*}"
T0=$(date +%s)
LDFLAGS="-s -w \
  -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION \
  -X k8s.io/component-base/version.gitMajor=1 \
  -X k8s.io/component-base/version.gitMinor=$MINOR \
  -X k8s.io/component-base/version.gitTreeState=clean \
  -X k8s.io/component-base/version.buildDate=1970-01-01T00:00:00Z \
  -X k8s.io/client-go/pkg/version.gitVersion=$KUBE_VERSION"

for c in "${KUBE_CMDS[@]}"; do
  have_kube "$c" && continue
  echo "== building $c $KUBE_VERSION (cold kube-apiserver: ~10-20 min on 2 cores; each further component reuses its build cache)" >&2
  t=$(date +%s)
  (cd "$ROOT/tools/k8s/apiserver" && "$GO" build -p "$JOBS" -trimpath -ldflags "$LDFLAGS" \
     -o "$OUT/$c.tmp" "k8s.io/kubernetes/cmd/$c")
  mv -f "$OUT/$c.tmp" "$OUT/$c"
  echo "== $c built in $(( $(date +%s) - t ))s" >&2
done

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

echo "built in $(( $(date +%s) - T0 ))s: ${KUBE_CMDS[*]} $KUBE_VERSION, $("$OUT/etcd" --version | head -1)" >&2
echo "$OUT"
