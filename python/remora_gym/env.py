"""The twin as a single :class:`gymnasium.Env` (see the package README for the observation, action and mask)."""
from __future__ import annotations

from typing import Any, Optional, Sequence

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from ._server import PathLike, Server

__all__ = ["RemoraEnv"]


def _spaces(spec: dict[str, Any]) -> tuple[spaces.Box, spaces.Discrete]:
    low = np.asarray(spec["observationSpace"]["low"], dtype=np.float64)
    high = np.asarray(spec["observationSpace"]["high"], dtype=np.float64)
    return spaces.Box(low=low, high=high, dtype=np.float64), spaces.Discrete(int(spec["actionSpace"]["n"]))


def _seed32(seed: int) -> int:
    # The twin's PRNG takes 32-bit seeds; Gymnasium may pass larger ones.
    return int(seed) % (2**32)


class RemoraEnv(gym.Env):
    """Remora's twin as a Gymnasium environment, run by one ``remora env serve`` process.

    Args:
        scenario: a built-in scenario name (``sr111``, ``sr111-timed``, ``highway-5``, ...) or a scenario file, which
            is resolved against ``cwd``.
        strict: a masked action raises :class:`RemoraError` (the twin's contract). By default it is executed as Wait
            and ``info["masked_action"]`` is True, so learners that ignore the mask (SB3's DQN) keep going.
        remora_home: the Remora project folder (with ``bin/remora.js``, ``node_modules`` and ``dist/``). Default:
            ``$REMORA_HOME``, else the source tree of an editable install.
        node: the Node executable. Default: ``$REMORA_NODE``, else ``node`` on ``PATH``.
        command: run this command instead of ``node bin/remora.js env serve ...`` (tests, wrappers).
        cwd: the working directory of the Node process. Default: the current one.
    """

    metadata = {"render_modes": []}

    def __init__(
        self,
        scenario: str = "sr111",
        *,
        strict: bool = False,
        remora_home: Optional[PathLike] = None,
        node: Optional[str] = None,
        command: Optional[Sequence[str]] = None,
        cwd: Optional[PathLike] = None,
    ):
        super().__init__()
        self.strict = strict
        self._server = Server(scenario, masked="error" if strict else "wait", remora_home=remora_home, node=node, command=command, cwd=cwd)
        spec = self._server.spec
        self.observation_space, self.action_space = _spaces(spec)
        self.scenario: str = spec["scenario"]
        #: The scenario's step limit: the twin truncates at it (or earlier, at the end of the route).
        self.max_episode_steps: int = int(spec["maxEpisodeSteps"])
        self._mask = np.ones(self.action_space.n, dtype=bool)

    def _info(self, raw: dict[str, Any]) -> dict[str, Any]:
        info = dict(raw)
        mask = np.asarray(info.pop("actionMask"), dtype=np.int8)
        self._mask = mask.astype(bool)
        info["action_mask"] = mask
        info["masked_action"] = bool(info.pop("maskedAction", False))
        return info

    def reset(self, *, seed: Optional[int] = None, options: Optional[dict[str, Any]] = None):
        super().reset(seed=seed)
        req: dict[str, Any] = {"cmd": "reset"}
        if seed is not None:
            req["seed"] = _seed32(seed)
        out = self._server.call(req)
        return np.asarray(out["observation"], dtype=np.float64), self._info(out["info"])

    def step(self, action):
        out = self._server.call({"cmd": "step", "action": int(action)})
        obs = np.asarray(out["observation"], dtype=np.float64)
        return obs, float(out["reward"]), bool(out["terminated"]), bool(out["truncated"]), self._info(out["info"])

    def action_masks(self) -> np.ndarray:
        """The legal actions now, as booleans (sb3-contrib's ``MaskablePPO`` calls this)."""
        return self._mask.copy()

    def close(self):
        server = getattr(self, "_server", None)
        if server is not None:
            server.close()
        super().close()
