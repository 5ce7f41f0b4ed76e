"""Steps/s from Python through the Gymnasium adapter, random policy, against the twin alone (`remora bench env`).

    npm run build && python3 bench/python_vector.py [--scenario sr111] [--seconds 3]

Rows: the single env (`RemoraEnv`, one JSON line per step) and the native vector env (`RemoraVectorEnv`, one line per
K steps) for K = 1, 8, 64. Steps count every copy's step. The policy draws uniform actions with NumPy; masked ones run
as Wait (the default).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))

from remora_gym import RemoraEnv, RemoraVectorEnv  # noqa: E402


def rate_single(scenario: str, seconds: float) -> float:
    env = RemoraEnv(scenario=scenario)
    rng = np.random.default_rng(0)
    n = int(env.action_space.n)
    try:
        env.reset(seed=0)
        steps, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            for _ in range(100):
                _, _, terminated, truncated, _ = env.step(int(rng.integers(n)))
                if terminated or truncated:
                    env.reset()
            steps += 100
        return steps / (time.perf_counter() - t0)
    finally:
        env.close()


def rate_vector(scenario: str, k: int, seconds: float) -> float:
    envs = RemoraVectorEnv(num_envs=k, scenario=scenario)
    rng = np.random.default_rng(0)
    n = int(envs.single_action_space.n)
    try:
        envs.reset(seed=0)
        calls, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            for _ in range(20):
                envs.step(rng.integers(n, size=k))
            calls += 20
        return calls * k / (time.perf_counter() - t0)
    finally:
        envs.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="sr111")
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--json", action="store_true", help="also print one JSON line with every rate")
    args = ap.parse_args()
    out = subprocess.run(["node", str(ROOT / "bin" / "remora.js"), "bench", "env", "--json", "--scenario", args.scenario, "--seconds", str(args.seconds)],
                         check=True, capture_output=True, text=True)
    twin = float(json.loads(out.stdout)["stepsPerSecond"])
    rows = [("RemoraEnv (single)", 1, rate_single(args.scenario, args.seconds))]
    for k in (1, 8, 64):
        rows.append(("RemoraVectorEnv", k, rate_vector(args.scenario, k, args.seconds)))
    print(f"scenario {args.scenario}; `remora bench env`: {twin:,.0f} steps/s (the twin alone, policy excluded)\n")
    print(f"{'env':<20} {'K':>3} {'steps/s':>10} {'vs bench env':>13}")
    print(f"{'-' * 20} {'-' * 3} {'-' * 10} {'-' * 13}")
    for name, k, r in rows:
        print(f"{name:<20} {k:>3} {r:>10,.0f} {r / twin:>13.4f}")
    if args.json:
        print(json.dumps({"scenario": args.scenario, "benchEnv": round(twin), "python": [{"env": n, "k": k, "stepsPerSecond": round(r)} for n, k, r in rows]}))


if __name__ == "__main__":
    main()
