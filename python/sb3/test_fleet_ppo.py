"""The PettingZoo → SuperSuit → SB3 pipeline of fleet_ppo.py trains on RemoraParallelEnv (opt-in tier: `npm run test:sb3`)."""
import copy

import numpy as np
import torch

from remora_gym.parallel import RemoraParallelEnv

from fleet_ppo import make_vec_env, mean_reward, train

torch.set_num_threads(1)


def test_a_copy_is_a_fresh_env_with_its_own_server():
    env = RemoraParallelEnv(scenario="sr111", users=2, arrivals=1)
    twin = copy.deepcopy(env)
    try:
        a, _ = env.reset(seed=3)
        b, _ = twin.reset(seed=3)
        assert sorted(a) == sorted(b)
        for k in a:
            np.testing.assert_array_equal(a[k], b[k])
    finally:
        env.close()
        twin.close()


def test_supersuit_vector_env_has_one_sub_env_per_user():
    venv = make_vec_env("sr111", users=3)
    try:
        assert venv.num_envs == 3
        obs = venv.reset()
        assert obs.shape == (3, 7), "sr111: 3 nodes, observation 2N + 1"
    finally:
        venv.close()


def test_ppo_trains_one_shared_policy_for_every_user():
    model = train("sr111", users=4, steps=1024)
    assert model.num_timesteps >= 1024
    assert np.isfinite(mean_reward(model, "sr111", users=4, ticks=50))
