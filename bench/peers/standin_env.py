"""A pure-Python stand-in for the bench's env (sr111: 3 edge nodes along a road, 4 actions), for peer benchmarks.

It is not the twin: it only has to cost a learner what the twin costs it, i.e. the same observation and action sizes
and a similar episode length, so the peer's steps/s measure the peer's training loop and not an IPC bridge. It
emits Remora's 9 encoded features directly (one-hot serving node, RTT / 50 ms − 1, log load − 1, per node), the
input the bench's networks take, and terminates like the paper's env (RTT or load past the SLA), truncating at
`max_steps`. Pure Python plus NumPy: a step costs a few microseconds, well under either peer's update.
"""
from __future__ import annotations

import math
from typing import Any, Optional

import gymnasium as gym
import numpy as np
from gymnasium import spaces

NODES = 3
NODE_X_KM = (0.5, 1.5, 2.5)
RTT_SCALE_MS = 50.0
RTT_MAX_MS = 120.0
LOAD_MAX = 0.9


class StandInMigrationEnv(gym.Env):
    """One car driving past 3 edge nodes; action 0 waits, action k migrates the service to node k."""

    metadata = {"render_modes": []}

    def __init__(self, max_steps: int = 100):
        super().__init__()
        self.max_steps = max_steps
        self.observation_space = spaces.Box(low=-10.0, high=10.0, shape=(3 * NODES,), dtype=np.float32)
        self.action_space = spaces.Discrete(NODES + 1)
        self._obs = np.zeros(3 * NODES, dtype=np.float32)
        self._load = np.zeros(NODES)
        self._x = 0.0
        self._serving = 1
        self._t = 0

    def _rtt(self, j: int) -> float:
        return 10.0 + 40.0 * abs(self._x - NODE_X_KM[j]) + 30.0 * self._load[j]

    def _observe(self) -> np.ndarray:
        o = self._obs
        for j in range(NODES):
            o[j] = 1.0 if self._serving == j + 1 else 0.0
            o[NODES + j] = self._rtt(j) / RTT_SCALE_MS - 1.0
            o[2 * NODES + j] = math.log(max(self._load[j], 1e-6)) - 1.0
        return o.copy()

    def reset(self, *, seed: Optional[int] = None, options: Optional[dict[str, Any]] = None):
        super().reset(seed=seed)
        self._x = float(self.np_random.uniform(0.0, 3.0))
        self._load = self.np_random.uniform(0.2, 0.6, size=NODES)
        self._serving = int(self.np_random.integers(1, NODES + 1))
        self._t = 0
        return self._observe(), {}

    def step(self, action):
        a = int(action)
        migrated = a != 0 and a != self._serving
        if migrated:
            self._serving = a
        self._t += 1
        self._x = (self._x + 0.05) % 3.0
        self._load = np.clip(self._load + self.np_random.normal(0.0, 0.05, size=NODES), 0.01, 1.0)
        j = self._serving - 1
        rtt, load = self._rtt(j), float(self._load[j])
        reward = -rtt / RTT_SCALE_MS - load - (0.5 if migrated else 0.0)
        terminated = rtt > RTT_MAX_MS or load > LOAD_MAX
        truncated = not terminated and self._t >= self.max_steps
        return self._observe(), reward, terminated, truncated, {}
