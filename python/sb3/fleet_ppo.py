"""Training on the fleet with a standard PettingZoo pipeline: SuperSuit vector wrapping, then Stable-Baselines3.

Every user of :class:`remora_gym.parallel.RemoraParallelEnv` is one agent. Parameters are shared: SuperSuit turns the
agents into the sub-environments of one vector env, so one PPO policy acts for all of them. Run it with
``python python/sb3/fleet_ppo.py`` once ``pip install ./python[sb3]`` is done (``npm run test:sb3`` runs it with a small
budget).

Two traps with SuperSuit 3.11 and SB3 2.x:
- users end at different ticks, but SuperSuit's vector env needs a fixed set of agents. ``black_death_v3`` keeps an
  ended user as an agent that sees zeros until the episode ends;
- ``concat_vec_envs_v1`` has no ``seed()`` method, and SB3 calls it when given ``seed=`` (or on ``reset`` with a
  seed). Seed torch instead; the episodes are the server's defaults. The copies it makes are fresh envs:
  ``RemoraParallelEnv`` pickles as its constructor arguments.
"""
from __future__ import annotations

import argparse

import numpy as np
import supersuit as ss
import torch
from stable_baselines3 import PPO

from remora_gym.parallel import RemoraParallelEnv


def make_vec_env(scenario: str = "sr111", users: int = 4, copies: int = 1):
    """``users`` users at once, one agent each, as an SB3 vector env with ``users * copies`` sub-environments."""
    env = RemoraParallelEnv(scenario=scenario, users=users, arrivals=1)
    env = ss.black_death_v3(env)
    venv = ss.pettingzoo_env_to_vec_env_v1(env)
    return ss.concat_vec_envs_v1(venv, copies, num_cpus=0, base_class="stable_baselines3")


def train(scenario: str = "sr111", users: int = 4, steps: int = 4096, seed: int = 1) -> PPO:
    """PPO with one policy shared by every user."""
    torch.manual_seed(seed)
    venv = make_vec_env(scenario, users)
    model = PPO("MlpPolicy", venv, n_steps=128, batch_size=128, n_epochs=2, device="cpu", verbose=0)
    model.learn(total_timesteps=steps)
    return model


def mean_reward(model: PPO, scenario: str = "sr111", users: int = 4, ticks: int = 200) -> float:
    """The mean per-user reward of ``model`` acting for every user, over ``ticks`` ticks."""
    venv = make_vec_env(scenario, users)
    try:
        obs = venv.reset()
        total = 0.0
        for _ in range(ticks):
            action, _ = model.predict(obs, deterministic=True)
            obs, rewards, _, _ = venv.step(action)
            total += float(np.mean(rewards))
        return total / ticks
    finally:
        venv.close()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="sr111")
    ap.add_argument("--users", type=int, default=4)
    ap.add_argument("--steps", type=int, default=20_000)
    a = ap.parse_args()
    torch.set_num_threads(1)
    m = train(a.scenario, a.users, a.steps)
    print(f"mean reward per user-tick: {mean_reward(m, a.scenario, a.users):.3f}")
