#!/usr/bin/env bash
# Builds the lab's VM guest (src/lab/vm): a Debian cloud kernel and a tiny initramfs that runs the
# project's own echo service (tools/lab/echo), for pre-copy live migration between two QEMU processes (TCG).
# Nothing is downloaded except through apt (the kernel package) and the Go module proxy (the echo service is
# standard-library Go, so in practice nothing).
#
#   ${REMORA_LAB_CACHE:-$HOME/.cache/remora/lab}/vm-<hash>/{vmlinuz,initramfs.cpio.gz,guest.env}
#
# The hash covers the kernel package and version, busybox-static's version, tools/lab's sources and this script
# (it holds /init), so any change gives a new folder. Idempotent: a cached run takes milliseconds. Prints the
# guest folder on its last line of stdout.
#
# The guest's /init reads its settings from the kernel command line (src/lab/vm/guest.ts writes them):
#   remora.ip=<addr>/<len>  remora.gw=<addr>  remora.host=<hostname>
# loads the virtio-net modules (the cloud kernel builds them as modules), configures eth0, prints
# "remora-guest: ready" on the serial console and runs the echo service (PING on 7000, /healthz on 8080).
#
# Env: REMORA_LAB_CACHE; REMORA_VM_KERNEL_PKG (default: what linux-image-cloud-amd64 depends on); GO (default: go).
# Exit 3: a build tool is missing (the message names it and its package).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
GO="${GO:-go}"
SRC="$ROOT/tools/lab"

need() { command -v "$1" >/dev/null 2>&1 || { echo "build-vm-guest: '$1' not found (apt-get install $2)" >&2; exit 3; }; }
need apt-get apt
need dpkg-deb dpkg
need cpio cpio
need gzip gzip
# busybox-static's binary (Debian's `busybox` package is dynamic and would not run in the initramfs).
BUSYBOX=/bin/busybox
BUSYBOX_VERSION="$(dpkg-query -W -f '${Version}' busybox-static 2>/dev/null || true)"
[ -n "$BUSYBOX_VERSION" ] || { echo "build-vm-guest: busybox-static is not installed (apt-get install busybox-static)" >&2; exit 3; }

KPKG="${REMORA_VM_KERNEL_PKG:-}"
meta_kernel() { apt-cache depends linux-image-cloud-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' | head -1; }
if [ -z "$KPKG" ]; then
  KPKG="$(meta_kernel)"
  # A clean machine may have no package lists yet; as root, fetch them once.
  if [ -z "$KPKG" ] && [ "$(id -u)" = 0 ]; then apt-get update -qq >&2 && KPKG="$(meta_kernel)"; fi
  [ -n "$KPKG" ] || { echo "build-vm-guest: apt knows no linux-image-cloud-amd64 (run apt-get update, or set REMORA_VM_KERNEL_PKG)" >&2; exit 3; }
fi
KVER_PKG="$(apt-cache policy "$KPKG" 2>/dev/null | sed -n 's/^ *Candidate: //p')"
[ -n "$KVER_PKG" ] && [ "$KVER_PKG" != "(none)" ] || { echo "build-vm-guest: apt has no candidate for $KPKG (run apt-get update)" >&2; exit 3; }

HASH="$( { echo "$KPKG=$KVER_PKG busybox=$BUSYBOX_VERSION"; sha256sum "$0"; (cd "$SRC" && find . -type f \( -name '*.go' -o -name go.mod \) | LC_ALL=C sort | xargs sha256sum); } | sha256sum | cut -c1-12)"
OUT="${REMORA_LAB_CACHE:-$HOME/.cache/remora/lab}/vm-$HASH"
if [ -s "$OUT/guest.env" ] && [ -s "$OUT/vmlinuz" ] && [ -s "$OUT/initramfs.cpio.gz" ]; then
  echo "vm guest cached: $OUT" >&2
  echo "$OUT"
  exit 0
fi
command -v "$GO" >/dev/null 2>&1 || { echo "build-vm-guest: '$GO' not found; install Go >= 1.25" >&2; exit 3; }

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
chmod 0755 "$TMP" # apt-get download runs as _apt and must write there
mkdir -p "$OUT"

echo "build-vm-guest: apt-get download $KPKG ($KVER_PKG)" >&2
(cd "$TMP" && apt-get download -q "$KPKG=$KVER_PKG" >&2 2>&1)
dpkg-deb -x "$TMP"/linux-image-*.deb "$TMP/k"
KREL="${KPKG#linux-image-}"
MODS="$TMP/k/lib/modules/$KREL/kernel"
[ -s "$TMP/k/boot/vmlinuz-$KREL" ] || { echo "build-vm-guest: $KPKG holds no boot/vmlinuz-$KREL" >&2; exit 1; }

# The initramfs: busybox, the echo service, the virtio-net modules in load order, and /init.
R="$TMP/root"
mkdir -p "$R"/{bin,sbin,proc,sys,dev,tmp,run,lib/modules,etc}
cp "$BUSYBOX" "$R/bin/busybox"
for a in sh mount insmod ip hostname sleep cat echo poweroff; do ln -s busybox "$R/bin/$a"; done
export CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false -trimpath" GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
(cd "$SRC" && "$GO" build -ldflags "-s -w" -o "$R/bin/echo-service" ./echo)
MODLIST="drivers/virtio/virtio.ko drivers/virtio/virtio_ring.ko drivers/virtio/virtio_pci_modern_dev.ko drivers/virtio/virtio_pci_legacy_dev.ko drivers/virtio/virtio_pci.ko net/core/failover.ko drivers/net/net_failover.ko drivers/net/virtio_net.ko"
ORDER=""
for m in $MODLIST; do
  f="$MODS/$m"
  [ -f "$f" ] || { echo "build-vm-guest: $KPKG lacks kernel/$m (a kernel that builds it in needs no module; adjust MODLIST)" >&2; exit 1; }
  cp "$f" "$R/lib/modules/"
  ORDER="$ORDER $(basename "$m")"
done
cat > "$R/init" <<EOF
#!/bin/sh
# The Remora lab's VM guest (scripts/build-vm-guest.sh). Settings come from the kernel command line.
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
# The modules' declared dependencies are incomplete (virtio needs virtio_ring's symbols), so load in passes
# until none is left or a pass makes no progress.
LEFT="$ORDER"
for pass in 1 2 3 4; do
  NEXT=""
  for m in \$LEFT; do insmod /lib/modules/\$m 2>/dev/null || NEXT="\$NEXT \$m"; done
  [ -z "\$NEXT" ] && break
  LEFT="\$NEXT"
done
[ -n "\$NEXT" ] && echo "remora-guest: could not load\$NEXT"
IP=""; GW=""; HOST="remora-vm"
for a in \$(cat /proc/cmdline); do
  case "\$a" in
    remora.ip=*) IP="\${a#remora.ip=}" ;;
    remora.gw=*) GW="\${a#remora.gw=}" ;;
    remora.host=*) HOST="\${a#remora.host=}" ;;
  esac
done
hostname "\$HOST"
ip link set lo up
ip link set eth0 up
[ -n "\$IP" ] && ip addr add "\$IP" dev eth0
[ -n "\$GW" ] && ip route add default via "\$GW"
echo "remora-guest: ready host=\$HOST ip=\$IP"
/bin/echo-service -listen :7000 -http :8080
echo "remora-guest: echo service exited \$?"
poweroff -f
EOF
chmod 0755 "$R/init"
(cd "$R" && find . | LC_ALL=C sort | cpio --quiet -o -H newc --reproducible 2>/dev/null | gzip -n -9 > "$TMP/initramfs.cpio.gz")
cp "$TMP/k/boot/vmlinuz-$KREL" "$TMP/vmlinuz"
mv -f "$TMP/vmlinuz" "$TMP/initramfs.cpio.gz" "$OUT/"
printf 'KERNEL_PACKAGE=%s\nKERNEL_VERSION=%s\nBUSYBOX_VERSION=%s\n' "$KPKG" "$KVER_PKG" "$BUSYBOX_VERSION" > "$OUT/guest.env.tmp"
mv -f "$OUT/guest.env.tmp" "$OUT/guest.env"
echo "vm guest built: $KPKG $KVER_PKG, initramfs $(du -k "$OUT/initramfs.cpio.gz" | cut -f1) KiB in $OUT" >&2
echo "$OUT"
