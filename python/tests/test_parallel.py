"""The fleet as a PettingZoo ParallelEnv: PettingZoo's own parallel_api_test, seeding, arrivals and masks."""
from __future__ import annotations

import numpy as np
import pytest
from pettingzoo.test import parallel_api_test

from remora_gym import RemoraError
from remora_gym.parallel import RemoraParallelEnv


def test_parallel_api_test_passes():
    env = RemoraParallelEnv("sr111", users=3, arrivals=2)
    try:
        parallel_api_test(env, num_cycles=300)
    finally:
        env.close()


def test_parallel_api_test_passes_on_the_fleet_twin():
    # sr111-traffic: highway traffic in both directions sharing the paper's three nodes (endogenous load, caps);
    # users=400 caps the ids per episode (possible_agents), arrivals beyond are refused by the twin.
    env = RemoraParallelEnv("sr111-traffic", users=400)
    try:
        parallel_api_test(env, num_cycles=200)
        obs, infos = env.reset(seed=3)
        assert len(env.possible_agents) == 400
        assert set(obs) <= set(env.possible_agents)
        seen = set(obs)
        for _ in range(120):
            if not env.agents:
                break
            obs, rew, term, trunc, infos = env.step({a: 0 for a in env.agents})
            seen |= set(obs)
        assert len(seen) > len(set(env.reset(seed=3)[0])), "users arrive over time on the highway"
    finally:
        env.close()


def test_same_seed_same_fleet_and_users_arrive_after_others_leave():
    def run(seed: int):
        env = RemoraParallelEnv("sr111", users=2, arrivals=2)
        try:
            obs, infos = env.reset(seed=seed)
            assert set(obs) == {"user-0", "user-1"} and env.agents == ["user-0", "user-1"]
            assert all(i["joined"] for i in infos.values())
            trace, joined = [], []
            for _ in range(400):
                if not env.agents:
                    break
                # Everyone migrates to node 1 when legal: some users breach the SLA and leave early.
                acts = {a: (1 if infos[a]["action_mask"][1] else 0) for a in env.agents}
                obs, rew, term, trunc, infos = env.step(acts)
                trace.append(sorted((a, round(r, 9), term[a], trunc[a]) for a, r in rew.items()))
                joined += [a for a, i in infos.items() if i["joined"]]
            return trace, joined
        finally:
            env.close()

    a, joined = run(5)
    b, _ = run(5)
    assert a == b
    assert joined, "a user who left was followed by the next one"
    assert set(joined) <= {"user-2", "user-3"}


def test_strict_masked_action_is_an_error_and_unknown_users_are_refused():
    env = RemoraParallelEnv("sr111-timed", users=1, arrivals=1, strict=True)
    try:
        obs, infos = env.reset(seed=1)
        with pytest.raises(RemoraError, match=r'fstep: actions: user "99" is not present'):
            env._server.call({"cmd": "fstep", "actions": {"99": 0}})
        for _ in range(50):
            mask = infos["user-0"]["action_mask"]
            assert mask.dtype == np.int8 and mask[0] == 1
            if mask.sum() < len(mask):  # a migration in flight: moving again is masked
                with pytest.raises(RemoraError, match="is masked"):
                    env.step({"user-0": int(np.flatnonzero(mask == 0)[0])})
                break
            target = 2 if int(obs["user-0"][0]) == 1 else 1
            obs, _, term, trunc, infos = env.step({"user-0": target})
            assert not (term["user-0"] or trunc["user-0"])
        else:
            pytest.fail("no migration was ever in flight in sr111-timed")
    finally:
        env.close()
