"""keras-rl2's DQNAgent (the paper's stack: keras-rl2 1.0.5 on TensorFlow 2.5, Python ≤ 3.9) with the bench's
networks and Table II settings, timed like `remora bench train`'s loop (wall clock, and the process's CPU time for loaded machines): env steps per second once updates run.

    python3.9 bench/peers/kerasrl2_dqn.py --network lstm|mlp [--env standin|remora] [--steps 3000]

Networks: `lstm` = LSTM(24) over a window of 4 observations → Dense(24, ReLU) → Dense(4) (keras-rl2 feeds the
window as the LSTM's time axis); `mlp` = Dense(24, ReLU) → Dense(24, ReLU) → Dense(4) on one observation.
keras-rl2 speaks the old Gym API (reset → obs, step → 4-tuple), so the Gymnasium env is wrapped (`OldGymApi`).
TF 2.5's Keras needs `tf.compat.v1.experimental.output_all_intermediates(True)` for keras-rl2's LSTM target model,
which it builds with `clone_model` inside a `tf.function` (without it, the LSTM's while loop hides the
intermediates the gradient needs and fitting fails). Prints one JSON line like sb3_dqn.py.
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


class OldGymApi:
    """A Gymnasium env as keras-rl2 expects it: `reset()` → obs, `step(a)` → (obs, reward, done, info)."""

    def __init__(self, env):
        self.env = env
        self.observation_space = env.observation_space
        self.action_space = env.action_space
        self._seeded = False

    def reset(self):
        obs, _ = self.env.reset(seed=None if self._seeded else 1)
        self._seeded = True
        return obs

    def step(self, action):
        obs, reward, terminated, truncated, info = self.env.step(action)
        # keras-rl2 has one `done`; Remora keeps terminated and truncated apart (see src/agents/README.md).
        return obs, reward, terminated or truncated, info

    def render(self, mode="human"):
        return None

    def close(self):
        self.env.close()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--network", choices=["lstm", "mlp"], default="mlp")
    ap.add_argument("--env", choices=["standin", "remora"], default="standin")
    ap.add_argument("--steps", type=int, default=3000, help="measured steps after the warm-up")
    args = ap.parse_args()
    try:
        import tensorflow as tf
        from rl.agents.dqn import DQNAgent
        from rl.callbacks import Callback
        from rl.memory import SequentialMemory
        from rl.policy import EpsGreedyQPolicy, LinearAnnealedPolicy
        from tensorflow.keras.layers import LSTM, Dense, Flatten
        from tensorflow.keras.models import Sequential
        from tensorflow.keras.optimizers import Adam
    except ImportError as e:
        print(f"keras-rl2: missing Python package ({e.name}); it needs TensorFlow 2.5 on Python 3.9, see bench/peers/README.md", file=sys.stderr)
        return 3
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.compat.v1.experimental.output_all_intermediates(True)
    if args.env == "standin":
        from standin_env import StandInMigrationEnv

        genv = StandInMigrationEnv()
    else:
        from remora_gym import RemoraEnv

        genv = RemoraEnv(scenario="sr111", remora_home=HERE.parents[1])
    env = OldGymApi(genv)
    n_actions = int(env.action_space.n)
    obs_dim = int(env.observation_space.shape[0])
    window = 4 if args.network == "lstm" else 1
    model = Sequential()
    if args.network == "lstm":
        model.add(LSTM(24, input_shape=(window, obs_dim)))
        model.add(Dense(24, activation="relu"))
    else:
        model.add(Flatten(input_shape=(window, obs_dim)))
        model.add(Dense(24, activation="relu"))
        model.add(Dense(24, activation="relu"))
    model.add(Dense(n_actions, activation="linear"))
    total = WARMUP + args.steps
    policy = LinearAnnealedPolicy(EpsGreedyQPolicy(), attr="eps", value_max=1.0, value_min=0.1, value_test=0.0, nb_steps=total)
    agent = DQNAgent(model=model, nb_actions=n_actions, memory=SequentialMemory(limit=20_000, window_length=window), policy=policy,
                     nb_steps_warmup=WARMUP, target_model_update=20, gamma=0.99, batch_size=32, train_interval=1)
    agent.compile(Adam(learning_rate=1e-3))
    marks: dict[str, float] = {}

    class Clock(Callback):
        # keras-rl2 passes the step within the episode here, not the global one: count the calls instead.
        seen = 0

        def on_step_end(self, step, logs=None):
            Clock.seen += 1
            if Clock.seen == WARMUP:
                marks["start"] = time.perf_counter()
                marks["cpu"] = time.process_time()

    agent.fit(env, nb_steps=total, visualize=False, verbose=0, callbacks=[Clock()])
    seconds = time.perf_counter() - marks["start"]
    cpu_seconds = time.process_time() - marks["cpu"]
    env.close()
    steps = total - WARMUP - 1
    print(json.dumps({"peer": "keras-rl2", "network": args.network, "env": args.env, "steps": steps, "seconds": round(seconds, 3),
                      "stepsPerSecond": round(steps / seconds, 1),
                      "cpuStepsPerSecond": round(steps / cpu_seconds, 1), "tensorflow": tf.__version__, "threads": 1}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
