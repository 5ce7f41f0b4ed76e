"""Stable-Baselines3 on the adapter (opt-in tier: `npm run test:sb3`; needs `pip install ./python[sb3]`).

SB3 DQN used to crash at the first masked step of the timed scenarios. Here SB3's own checker passes, DQN trains
for a few thousand steps on sr111-timed and is evaluated with EvalCallback, and sb3-contrib's MaskablePPO reads the
mask through `action_masks()` and never picks a masked action.
"""
import numpy as np
import pytest
import torch
import gymnasium as gym

import remora_gym
from remora_gym import RemoraEnv

from stable_baselines3 import DQN
from stable_baselines3.common.callbacks import EvalCallback
from stable_baselines3.common.env_checker import check_env
from stable_baselines3.common.monitor import Monitor

torch.set_num_threads(1)
SCENARIO = "sr111-timed"  # migrations take several steps: masked actions happen


@pytest.mark.parametrize("scenario", ["sr111", SCENARIO, "highway-5"])
def test_sb3_check_env(scenario):
    env = RemoraEnv(scenario=scenario)
    try:
        check_env(env, warn=True)
    finally:
        env.close()


def test_dqn_trains_through_masked_steps_and_is_evaluated(tmp_path):
    env = Monitor(gym.make("Remora/Migration-v0", scenario=SCENARIO))
    eval_env = Monitor(gym.make("Remora/Migration-v0", scenario=SCENARIO))
    try:
        cb = EvalCallback(eval_env, n_eval_episodes=5, eval_freq=1000, log_path=str(tmp_path), best_model_save_path=None, deterministic=True, verbose=0)
        model = DQN("MlpPolicy", env, learning_starts=500, buffer_size=5000, train_freq=4, target_update_interval=500,
                    exploration_fraction=0.5, seed=1, device="cpu", verbose=0)
        model.learn(total_timesteps=3000, callback=cb)
        assert len(cb.evaluations_results) == 3, "evaluated at 1000, 2000 and 3000 steps"
        assert np.all(np.isfinite(np.asarray(cb.evaluations_results)))
        assert np.isfinite(cb.best_mean_reward)
    finally:
        env.close()
        eval_env.close()


def test_maskable_ppo_reads_action_masks_and_never_picks_a_masked_action():
    from sb3_contrib import MaskablePPO
    from sb3_contrib.common.maskable.evaluation import evaluate_policy
    from sb3_contrib.common.maskable.utils import get_action_masks

    env = gym.make("Remora/Migration-v0", scenario=SCENARIO)
    try:
        assert get_action_masks(env).dtype == bool
        model = MaskablePPO("MlpPolicy", env, n_steps=256, batch_size=64, n_epochs=2, seed=1, device="cpu", verbose=0)
        model.learn(total_timesteps=1024)
        obs, info = env.reset(seed=3)
        masked = steps = blocked = 0
        for _ in range(300):
            mask = get_action_masks(env)
            blocked += int(not mask.all())
            action, _ = model.predict(obs, action_masks=mask, deterministic=False)
            obs, _, terminated, truncated, info = env.step(action)
            masked += int(info["masked_action"])
            steps += 1
            if terminated or truncated:
                obs, info = env.reset()
        assert blocked > 0, "some states had masked actions (a migration in flight)"
        assert masked == 0, f"MaskablePPO picked {masked} masked actions in {steps} steps"
        mean, _ = evaluate_policy(model, env, n_eval_episodes=3)
        assert np.isfinite(mean)
    finally:
        env.close()
