"""gymnasium.make_vec (sync, async) and the native vector env (one Node process, K copies, next-step autoreset)."""
import numpy as np
import pytest
import gymnasium as gym

import remora_gym
from remora_gym import RemoraEnv, RemoraError, RemoraVectorEnv


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_make_vec_sync_and_async(mode):
    envs = gym.make_vec("Remora/Migration-v0", num_envs=2, vectorization_mode=mode, scenario="sr111")
    try:
        obs, infos = envs.reset(seed=3)
        assert obs.shape == (2, 7)
        obs, rewards, terminated, truncated, infos = envs.step(np.zeros(2, dtype=np.int64))
        assert obs.shape == (2, 7) and rewards.shape == (2,) and terminated.dtype == bool
        assert infos["action_mask"].shape == (2, 4)
    finally:
        envs.close()


def test_native_vector_env_shapes_seeding_and_registration():
    envs = gym.make_vec("Remora/Migration-v0", num_envs=3, vectorization_mode="vector_entry_point", scenario="highway-5")
    try:
        assert isinstance(envs.unwrapped, RemoraVectorEnv)
        assert envs.single_observation_space.shape == (11,) and envs.single_action_space.n == 6
        assert envs.observation_space.shape == (3, 11) and envs.action_space.shape == (3,)
        obs, infos = envs.reset(seed=10)
        # Copy k is seeded with seed + k, as Gymnasium's own vector envs seed their copies.
        for k in range(3):
            single = RemoraEnv(scenario="highway-5")
            try:
                assert np.array_equal(obs[k], single.reset(seed=10 + k)[0])
            finally:
                single.close()
        obs, rewards, terminated, truncated, infos = envs.step(envs.action_space.sample())
        assert obs.shape == (3, 11) and obs.dtype == np.float64
        assert rewards.shape == (3,) and terminated.shape == truncated.shape == (3,)
        assert infos["action_mask"].shape == (3, 6) and infos["masked_action"].shape == (3,)
        assert envs.observation_space.contains(obs)
    finally:
        envs.close()


def test_native_vector_env_autoresets_on_the_next_step():
    """Gymnasium's next-step autoreset: the ending step shows the last obs; the next ignores the action, resets, reward 0."""
    K = 4
    envs = RemoraVectorEnv(num_envs=K, scenario="sr111")
    rng = np.random.default_rng(0)
    try:
        envs.reset(seed=1)
        seen_end = seen_reset = 0
        pending = np.zeros(K, dtype=bool)
        for _ in range(200):
            obs, rewards, terminated, truncated, _ = envs.step(rng.integers(0, 4, size=K))
            assert np.all(rewards[pending] == 0) and not np.any(terminated[pending] | truncated[pending])
            seen_reset += int(pending.sum())
            done = terminated | truncated
            seen_end += int(done.sum())
            pending = done
        assert seen_end > 0 and seen_reset > 0
    finally:
        envs.close()


def test_native_vector_env_masks_as_wait_or_strict():
    for strict in (False, True):
        envs = RemoraVectorEnv(num_envs=8, scenario="sr111-timed", strict=strict)
        try:
            envs.reset(seed=0)
            _, _, _, _, infos = envs.step(np.full(8, 2))
            blocked = ~infos["action_mask"][:, 3].astype(bool)
            assert blocked.any(), "some copy has a migration in flight"
            if strict:
                with pytest.raises(RemoraError, match=r"actions\[\d\]: action 3 is masked"):
                    envs.step(np.full(8, 3))
            else:
                _, _, _, _, infos = envs.step(np.full(8, 3))
                assert np.array_equal(infos["masked_action"], blocked)
        finally:
            envs.close()
