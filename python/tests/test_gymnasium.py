"""Remora's twin through Gymnasium: Gymnasium's own env checker, determinism, masks and errors."""
import numpy as np
import pytest
import gymnasium as gym
from gymnasium.utils.env_checker import check_env

import remora_gym
from remora_gym import RemoraEnv, RemoraError


@pytest.mark.parametrize("scenario", ["sr111", "sr111-timed", "highway-5"])
def test_check_env(scenario):
    env = RemoraEnv(scenario=scenario)
    try:
        check_env(env, skip_render_check=True)
    finally:
        env.close()


def test_registered_and_deterministic():
    env = gym.make("Remora-v0", scenario="sr111")
    try:
        a, _ = env.reset(seed=5)
        b, _ = env.reset(seed=5)
        c, _ = env.reset(seed=6)
        assert np.array_equal(a, b)
        assert not np.array_equal(a, c)
        assert env.observation_space.shape == (7,)
        assert env.action_space.n == 4
    finally:
        env.close()


def test_episode_masks_and_errors():
    env = RemoraEnv(scenario="sr111-timed")
    try:
        obs, info = env.reset(seed=2)
        assert info["action_mask"].tolist() == [1, 1, 1, 1]
        target = 2 if obs[0] == 1 else 1
        obs, reward, terminated, truncated, info = env.step(target)
        assert np.isfinite(reward)
        if info["migrationRemainingSteps"] > 0:
            assert info["action_mask"].tolist() == [1, 0, 0, 0]
            with pytest.raises(RemoraError, match="masked"):
                env.step(target)
        with pytest.raises(RemoraError, match=r"action must be an integer in \[0, 3\]"):
            env.step(7)
        done = False
        while not done:
            _, _, terminated, truncated, _ = env.step(0)
            done = terminated or truncated
        with pytest.raises(RemoraError, match="after the episode ended"):
            env.step(0)
    finally:
        env.close()


def test_bad_scenario_is_a_clear_error():
    with pytest.raises(RemoraError, match="unknown scenario 'nope'"):
        RemoraEnv(scenario="nope")
