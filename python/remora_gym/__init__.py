"""Gymnasium adapter for Remora's digital twin.

The twin runs in Node (`remora env serve`); this module speaks its JSON-lines protocol over a pipe and exposes a
standard `gymnasium.Env`: a Box observation (N_i, R_1..R_N, L_1..L_N) and a Discrete action space (0 = Wait,
j = migrate to node j). The legal-action mask is in ``info["action_mask"]`` (Gymnasium's convention).

    import gymnasium as gym
    import remora_gym
    env = gym.make("Remora-v0", scenario="sr111")
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any, Optional

import gymnasium as gym
import numpy as np
from gymnasium import spaces

__all__ = ["RemoraEnv", "RemoraError"]

_REPO = Path(__file__).resolve().parents[2]


class RemoraError(RuntimeError):
    """An error reported by the twin (bad action, step after the end, bad scenario)."""


class RemoraEnv(gym.Env):
    """Remora's twin as a Gymnasium environment."""

    metadata = {"render_modes": []}

    def __init__(self, scenario: str = "sr111", command: Optional[list[str]] = None, cwd: Optional[str] = None):
        super().__init__()
        cmd = command or [os.environ.get("REMORA_NODE", "node"), str(_REPO / "bin" / "remora.js"), "env", "serve", "--scenario", scenario]
        self._proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd or os.getcwd(), bufsize=1
        )
        spec = self._call({"cmd": "spec"})
        low = np.asarray(spec["observationSpace"]["low"], dtype=np.float64)
        high = np.asarray(spec["observationSpace"]["high"], dtype=np.float64)
        self.observation_space = spaces.Box(low=low, high=high, dtype=np.float64)
        self.action_space = spaces.Discrete(int(spec["actionSpace"]["n"]))
        self.scenario = spec["scenario"]

    def _call(self, req: dict[str, Any]) -> dict[str, Any]:
        if self._proc.poll() is not None:
            raise RemoraError(f"remora env serve exited ({self._proc.returncode}): {self._proc.stderr.read().strip()}")
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write(json.dumps(req) + "\n")
        self._proc.stdin.flush()
        line = self._proc.stdout.readline()
        if not line:
            raise RemoraError(f"remora env serve closed the pipe: {self._proc.stderr.read().strip()}")
        out = json.loads(line)
        if "error" in out:
            raise RemoraError(out["error"])
        return out

    @staticmethod
    def _info(raw: dict[str, Any]) -> dict[str, Any]:
        info = dict(raw)
        info["action_mask"] = np.asarray(info.pop("actionMask"), dtype=np.int8)
        return info

    def reset(self, *, seed: Optional[int] = None, options: Optional[dict[str, Any]] = None):
        super().reset(seed=seed)
        req: dict[str, Any] = {"cmd": "reset"}
        if seed is not None:
            # The twin's PRNG takes 32-bit seeds; Gymnasium may pass larger ones.
            req["seed"] = int(seed) % (2**32)
        out = self._call(req)
        return np.asarray(out["observation"], dtype=np.float64), self._info(out["info"])

    def step(self, action):
        out = self._call({"cmd": "step", "action": int(action)})
        obs = np.asarray(out["observation"], dtype=np.float64)
        return obs, float(out["reward"]), bool(out["terminated"]), bool(out["truncated"]), self._info(out["info"])

    def close(self):
        proc = getattr(self, "_proc", None)
        if proc is not None and proc.poll() is None:
            try:
                self._call({"cmd": "close"})
            except Exception:
                pass
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
            for f in (proc.stdin, proc.stdout, proc.stderr):
                if f is not None:
                    f.close()
        super().close()


gym.register(id="Remora-v0", entry_point="remora_gym:RemoraEnv")
