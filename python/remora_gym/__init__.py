"""Gymnasium adapter for Remora's digital twin.

The twin runs in Node (``remora env serve``); this package speaks its JSON-lines protocol over a pipe and exposes a
standard ``gymnasium.Env`` (:class:`RemoraEnv`) and a native ``gymnasium.vector.VectorEnv`` (:class:`RemoraVectorEnv`).
See README.md for the observation, action and mask, masked actions, and ``REMORA_HOME``.

    import gymnasium as gym
    import remora_gym  # registers Remora/Migration-v0
    env = gym.make("Remora/Migration-v0", scenario="sr111")
    envs = gym.make_vec("Remora/Migration-v0", num_envs=8, vectorization_mode="vector_entry_point")
"""
from __future__ import annotations

import gymnasium as gym
from gymnasium.wrappers import TimeLimit

from ._server import RemoraError, RemoraSetupError, find_remora_home
from .env import RemoraEnv
from .vector import RemoraVectorEnv

__all__ = ["RemoraEnv", "RemoraVectorEnv", "RemoraError", "RemoraSetupError", "find_remora_home", "make_migration_env"]

ENV_ID = "Remora/Migration-v0"


def make_migration_env(scenario: str = "sr111", **kwargs) -> gym.Env:
    """The entry point of ``Remora/Migration-v0``: a :class:`RemoraEnv` under a ``TimeLimit`` at the scenario's ``maxSteps``.

    The limit depends on the ``scenario`` kwarg, which a static registration cannot know; wrapping here makes
    ``env.spec.max_episode_steps`` the scenario's. The twin itself truncates at the same step (or at the end of the
    route), so the wrapper never cuts an episode short.
    """
    env = RemoraEnv(scenario=scenario, **kwargs)
    return TimeLimit(env, max_episode_steps=env.max_episode_steps)


def _register() -> None:
    if ENV_ID not in gym.registry:
        gym.register(id=ENV_ID, entry_point=make_migration_env, vector_entry_point=RemoraVectorEnv, kwargs={"scenario": "sr111"})
    # The first, unnamespaced id (no TimeLimit), kept for scripts written against it.
    if "Remora-v0" not in gym.registry:
        gym.register(id="Remora-v0", entry_point=RemoraEnv)


_register()
