"""A native vector env: one Node process steps K copies of the twin per message (``vstep``), so the IPC is amortised.

Autoreset follows Gymnasium 1.x's vector envs (``AutoresetMode.NEXT_STEP``): the step that ends copy k returns its last
observation with ``terminated[k]`` or ``truncated[k]`` set; on the next ``step`` copy k's action is ignored, the copy is
reset, and it returns the first observation of its new episode with reward 0 and both flags False.
"""
from __future__ import annotations

from typing import Any, Optional, Sequence

import gymnasium as gym
import numpy as np
from gymnasium.vector import VectorEnv
from gymnasium.vector.utils import batch_space

from ._server import PathLike, Server
from .env import _seed32, _spaces

__all__ = ["RemoraVectorEnv"]


class RemoraVectorEnv(VectorEnv):
    """K copies of the twin in one ``remora env serve --num-envs K`` process.

    Args:
        num_envs: K.
        scenario, strict, remora_home, node, command, cwd: as for :class:`remora_gym.RemoraEnv`.
        max_episode_steps: accepted for ``gymnasium.make_vec``; the scenario's ``maxSteps`` is the limit, so any other
            value is refused.

    ``infos`` holds ``action_mask`` (K, n) and ``masked_action`` (K,), each with Gymnasium's ``_key`` presence mask.
    Copy k of ``reset(seed=s)`` is seeded with ``s + k``, as Gymnasium's own vector envs do.
    """

    def __init__(
        self,
        num_envs: int = 1,
        scenario: str = "sr111",
        *,
        strict: bool = False,
        remora_home: Optional[PathLike] = None,
        node: Optional[str] = None,
        command: Optional[Sequence[str]] = None,
        cwd: Optional[PathLike] = None,
        max_episode_steps: Optional[int] = None,
    ):
        if int(num_envs) < 1:
            raise ValueError(f"RemoraVectorEnv: num_envs: expected an integer >= 1, got {num_envs!r}")
        self.num_envs = int(num_envs)
        self.strict = strict
        self._server = Server(scenario, masked="error" if strict else "wait", num_envs=self.num_envs,
                              remora_home=remora_home, node=node, command=command, cwd=cwd)
        spec = self._server.spec
        self.scenario: str = spec["scenario"]
        self.max_episode_steps: int = int(spec["maxEpisodeSteps"])
        if max_episode_steps is not None and int(max_episode_steps) != self.max_episode_steps:
            self._server.close()
            raise ValueError(
                f"RemoraVectorEnv: max_episode_steps: the scenario {self.scenario!r} sets {self.max_episode_steps} "
                f"(its maxSteps), got {max_episode_steps}; change maxSteps in a scenario file instead"
            )
        self.single_observation_space, self.single_action_space = _spaces(spec)
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self.metadata = {"render_modes": []}
        if hasattr(gym.vector, "AutoresetMode"):  # Gymnasium >= 1.1 declares it; 1.0 is next-step only
            self.metadata["autoreset_mode"] = gym.vector.AutoresetMode.NEXT_STEP
        self._dim = self.single_observation_space.shape[0]
        self._n = int(self.single_action_space.n)
        self._masks = np.ones((self.num_envs, self._n), dtype=np.int8)
        self._present = np.ones(self.num_envs, dtype=bool)

    def _infos(self, masks: list[int], masked: Optional[list[int]]) -> dict[str, Any]:
        self._masks = np.asarray(masks, dtype=np.int8).reshape(self.num_envs, self._n)
        flags = np.zeros(self.num_envs, dtype=bool) if masked is None else np.asarray(masked, dtype=bool)
        return {"action_mask": self._masks, "_action_mask": self._present, "masked_action": flags, "_masked_action": self._present}

    def reset(self, *, seed: Optional[int] = None, options: Optional[dict[str, Any]] = None):
        if seed is not None and not isinstance(seed, (int, np.integer)):
            raise ValueError(f"RemoraVectorEnv.reset: seed: expected an int (copy k gets seed + k) or None, got {seed!r}")
        super().reset(seed=seed)
        req: dict[str, Any] = {"cmd": "vreset"}
        if seed is not None:
            req["seed"] = _seed32(seed)
        out = self._server.call(req)
        obs = np.asarray(out["observations"], dtype=np.float64).reshape(self.num_envs, self._dim)
        return obs, self._infos(out["actionMasks"], None)

    def step(self, actions):
        acts = np.asarray(actions).reshape(self.num_envs).tolist()
        out = self._server.call({"cmd": "vstep", "actions": [int(a) for a in acts]})
        obs = np.asarray(out["observations"], dtype=np.float64).reshape(self.num_envs, self._dim)
        rewards = np.asarray(out["rewards"], dtype=np.float64)
        terminated = np.asarray(out["terminated"], dtype=bool)
        truncated = np.asarray(out["truncated"], dtype=bool)
        return obs, rewards, terminated, truncated, self._infos(out["actionMasks"], out["maskedActions"])

    def action_masks(self) -> np.ndarray:
        """The legal actions of every copy now, (K, n) booleans."""
        return self._masks.astype(bool)

    def close_extras(self, **kwargs: Any):
        server = getattr(self, "_server", None)
        if server is not None:
            server.close()
