"""close() is quick and reaps Node (it took 5.0 s and left a ResourceWarning)."""
import gc
import time
import warnings

import pytest

from remora_gym import RemoraEnv, RemoraVectorEnv


@pytest.mark.parametrize("make", [lambda: RemoraEnv(scenario="sr111"), lambda: RemoraVectorEnv(num_envs=4)], ids=["env", "vector"])
def test_close_is_fast_reaps_node_and_warns_nothing(make, capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        env = make()
        env.reset(seed=1)
        proc = env._server.proc
        t0 = time.perf_counter()
        env.close()
        ms = (time.perf_counter() - t0) * 1000
        assert proc.returncode == 0, "Node exited by itself on close, not killed"
        env.close()  # idempotent
        del env, proc
        gc.collect()
    with capsys.disabled():
        print(f"\nclose() took {ms:.1f} ms")
    # The goal is < 100 ms (Node exits in ~30 ms); asserted loosely so a loaded CI machine does not flake.
    assert ms < 1000


def test_a_forgotten_env_is_reaped_when_collected():
    env = RemoraEnv(scenario="sr111")
    proc = env._server.proc
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        del env
        gc.collect()
        assert proc.poll() is not None
