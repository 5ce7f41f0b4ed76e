#!/usr/bin/env bash
# Opt-in tier (not in `npm test` or CI): Stable-Baselines3 and sb3-contrib on the Gymnasium adapter, and the fleet
# through PettingZoo → SuperSuit → SB3 (python/sb3/fleet_ppo.py).
# Makes (once) a venv that sees the system's gymnasium/numpy/pytest and installs ./python[sb3] into it; torch comes
# from PyPI as its CUDA build, so the venv weighs ~5 GB. REMORA_SB3_VENV picks another place.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${REMORA_SB3_VENV:-$HOME/.cache/remora/sb3-venv}"
[ -f dist/cli/main.js ] || npm run build
if [ ! -x "$venv/bin/python" ]; then
  echo "== creating $venv (--system-site-packages)"
  python3 -m venv --system-site-packages "$venv"
fi
echo "== pip install ./python[sb3] into $venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "./python[sb3]"
echo "== pytest python/sb3"
# The installed (non-editable) package finds the Node side through REMORA_HOME, as a user's would.
cd python/sb3 && REMORA_HOME="$(cd ../.. && pwd)" exec "$venv/bin/python" -m pytest -q -p no:cacheprovider "$@" .
