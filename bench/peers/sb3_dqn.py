"""Stable-Baselines3 DQN on one torch thread, with the bench's MLP (24-24 → 4) and DQN settings, timed like
`remora bench train`'s loop: env steps per second once updates run (after the 1,000-step warm-up).

    python bench/peers/sb3_dqn.py [--env standin|remora] [--steps 6000]

`--env standin` (default) is the pure-Python stand-in (standin_env.py); `--env remora` is the twin through the
Gymnasium adapter (python/remora_gym; needs `npm run build`), which adds a JSON round trip to Node per step.
SB3's DQN has no recurrent policy, so there is no LSTM row (sb3-contrib's recurrent policies are PPO only).
Prints one JSON line: {"peer": "sb3-dqn", "network": "mlp", "env": ..., "stepsPerSecond": ..., ...}.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "python"))

WARMUP = 1000


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--env", choices=["standin", "remora"], default="standin")
    ap.add_argument("--steps", type=int, default=6000, help="measured steps after the warm-up")
    args = ap.parse_args()
    try:
        import torch
        from stable_baselines3 import DQN
        from stable_baselines3.common.callbacks import BaseCallback
    except ImportError as e:
        print(f"sb3-dqn: missing Python package ({e.name}); see bench/peers/README.md", file=sys.stderr)
        return 3
    torch.set_num_threads(1)
    if args.env == "standin":
        from standin_env import StandInMigrationEnv

        env = StandInMigrationEnv()
    else:
        from remora_gym import RemoraEnv

        env = RemoraEnv(scenario="sr111", remora_home=HERE.parents[1])

    marks: dict[str, float] = {}

    class Clock(BaseCallback):
        def _on_step(self) -> bool:
            if self.num_timesteps == WARMUP + 1:
                marks["start"] = time.perf_counter()
                marks["cpu"] = time.process_time()
            return True

    # keras-rl2 / Remora DQN settings (Table II): batch 32, one update per step after 1,000 steps, a hard target copy
    # every 20 steps, γ 0.99, Adam 1e-3, replay 20,000, ε linear 1 → 0.1.
    model = DQN(
        "MlpPolicy", env, policy_kwargs={"net_arch": [24, 24]}, learning_rate=1e-3, buffer_size=20_000,
        learning_starts=WARMUP, batch_size=32, gamma=0.99, train_freq=1, gradient_steps=1, target_update_interval=20,
        exploration_fraction=1.0, exploration_initial_eps=1.0, exploration_final_eps=0.1, device="cpu", seed=1, verbose=0,
    )
    model.learn(total_timesteps=WARMUP + args.steps, callback=Clock())
    seconds = time.perf_counter() - marks["start"]
    cpu_seconds = time.process_time() - marks["cpu"]
    env.close()
    out = {"peer": "sb3-dqn", "network": "mlp", "env": args.env, "steps": args.steps, "seconds": round(seconds, 3),
           "stepsPerSecond": round(args.steps / seconds, 1),
           "cpuStepsPerSecond": round(args.steps / cpu_seconds, 1), "torch": torch.__version__, "threads": torch.get_num_threads()}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
