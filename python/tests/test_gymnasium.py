"""Remora's twin through Gymnasium: Gymnasium's own env checker, registration, determinism, masks and errors."""
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


def test_check_env_on_the_registered_id_with_the_scenarios_step_limit():
    env = gym.make("Remora/Migration-v0", scenario="sr111-timed")
    try:
        assert env.spec.id == "Remora/Migration-v0"
        assert env.spec.max_episode_steps == env.unwrapped.max_episode_steps > 0
        check_env(env.unwrapped, skip_render_check=True)
    finally:
        env.close()
    default = gym.make("Remora/Migration-v0")
    try:
        assert default.unwrapped.scenario == "sr111"
        assert default.spec.max_episode_steps == default.unwrapped.max_episode_steps
    finally:
        default.close()


def test_registered_and_deterministic():
    env = gym.make("Remora/Migration-v0", scenario="sr111")
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


def _in_flight(env, seed):
    """Reset, start a migration, and return (obs, info, target) while it is in flight (sr111-timed)."""
    obs, info = env.reset(seed=seed)
    assert info["action_mask"].tolist() == [1, 1, 1, 1]
    target = 2 if obs[0] == 1 else 1
    obs, _, _, _, info = env.step(target)
    return obs, info, target


def test_masked_action_is_wait_by_default():
    env = RemoraEnv(scenario="sr111-timed")
    try:
        for seed in range(20):
            obs, info, target = _in_flight(env, seed)
            if info["migrationRemainingSteps"] > 0:
                break
        else:
            pytest.fail("no multi-step migration in 20 seeds of sr111-timed")
        assert info["masked_action"] is False
        assert info["action_mask"].tolist() == [1, 0, 0, 0]
        assert env.action_masks().tolist() == [True, False, False, False]
        _, r1, _, _, masked = env.step(3 if target != 3 else 2)
        assert masked["masked_action"] is True
        assert masked["migrations"] == 1, "the masked action started nothing"
        # The same seed with an explicit Wait gives the same transition.
        _in_flight(env, seed)
        _, r2, _, _, waited = env.step(0)
        assert waited["masked_action"] is False
        assert r1 == r2 and waited["t"] == masked["t"]
    finally:
        env.close()


def test_strict_mode_raises_on_masked_actions_and_both_modes_on_bad_input():
    env = RemoraEnv(scenario="sr111-timed", strict=True)
    try:
        for seed in range(20):
            obs, info, target = _in_flight(env, seed)
            if info["migrationRemainingSteps"] > 0:
                break
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
    lax = RemoraEnv(scenario="sr111")
    try:
        lax.reset(seed=1)
        with pytest.raises(RemoraError, match=r"action must be an integer in \[0, 3\]"):
            lax.step(7)
    finally:
        lax.close()


def test_bad_scenario_is_a_clear_error():
    with pytest.raises(RemoraError, match="unknown scenario 'nope'"):
        RemoraEnv(scenario="nope")
