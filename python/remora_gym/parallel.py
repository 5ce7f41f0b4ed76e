"""The fleet as a PettingZoo ``ParallelEnv``: many users, one joint step, users who arrive and leave.

One ``remora env serve --fleet U`` process serves it (the fleet mode of src/core/env-server.ts): U users at once,
each the scenario's single-user MDP (observation, actions and mask as in :class:`remora_gym.RemoraEnv`); a user whose
episode ends leaves, and the next user arrives in its place at the next tick, ``arrivals`` users per place (2 unless given; only for a single-user scenario). Agents
are ``"user-<id>"``, ids in arrival order; ``possible_agents`` lists all ``U * arrivals`` of them.

- ``reset`` returns the users present; ``step(actions)`` takes an action for each of them (a user left out waits)
  and returns, for every user that acted and every user that joined in the tick, its observation, reward (0 for a
  joiner), ``terminations``/``truncations`` (kept apart, as Gymnasium does: bootstrap from a truncated user only)
  and ``infos[agent]["action_mask"]``. ``agents`` afterwards holds the users still present.
- A masked action is executed as Wait and ``infos[agent]["masked_action"]`` is True, unless ``strict``, which makes
  it an error (:class:`remora_gym.RemoraError`).
- The episode ends when no user is present and none is to come, or at the scenario's ``maxSteps``.

The fleet twin (shared node capacity, endogenous load) serves the same protocol, so this class needs
no change to read it.
"""
from __future__ import annotations

import functools
from typing import Any, Optional, Sequence

import numpy as np
from gymnasium import spaces
from pettingzoo import ParallelEnv

from ._server import PathLike, Server
from .env import _seed32, _spaces

__all__ = ["RemoraParallelEnv"]


class RemoraParallelEnv(ParallelEnv):
    """A fleet of users of ``scenario``, ``users`` at once (see the module docstring)."""

    metadata = {"name": "remora_fleet_v0", "render_modes": [], "is_parallelizable": True}
    #: No rendering; SuperSuit's vector wrapper reads the attribute.
    render_mode = None

    def __reduce__(self):
        # A copy (SuperSuit's concat_vec_envs deep-copies its env) is a fresh env with its own server process: the
        # server's pipes and locks cannot be copied.
        scenario, users, kwargs = self._init_args
        return (functools.partial(RemoraParallelEnv, **kwargs), (scenario, users))

    def __init__(
        self,
        scenario: str = "sr111",
        users: int = 4,
        *,
        arrivals: Optional[int] = None,
        strict: bool = False,
        remora_home: Optional[PathLike] = None,
        node: Optional[str] = None,
        command: Optional[Sequence[str]] = None,
        cwd: Optional[PathLike] = None,
    ):
        if int(users) < 1:
            raise ValueError(f"RemoraParallelEnv: users: expected an integer >= 1, got {users!r}")
        self._init_args = (scenario, users, dict(arrivals=arrivals, strict=strict, remora_home=remora_home, node=node, command=command, cwd=cwd))
        self.strict = strict
        # --arrivals only for a single-user scenario's independent copies (the server's default: 2); a fleet scenario
        # has its own arrival process, and the server refuses the flag there rather than ignore it.
        extra = ["--fleet", str(int(users))] + ([] if arrivals is None else ["--arrivals", str(int(arrivals))])
        self._server = Server(scenario, masked="error" if strict else "wait", num_envs=None, extra_args=extra,
                              remora_home=remora_home, node=node, command=command, cwd=cwd)
        spec = self._server.spec
        if "fleet" not in spec:
            self._server.close()
            raise ValueError("RemoraParallelEnv: the server did not start in fleet mode (its spec has no 'fleet')")
        self._obs_space, self._act_space = _spaces(spec)
        self.scenario: str = spec["scenario"]
        self.max_episode_steps: int = int(spec["maxEpisodeSteps"])
        self.possible_agents: list[str] = [f"user-{i}" for i in range(int(spec["fleet"]["maxUsers"]))]
        self.agents: list[str] = []
        self._d = self._obs_space.shape[0]
        self._a = int(self._act_space.n)

    @functools.lru_cache(maxsize=None)
    def observation_space(self, agent: str) -> spaces.Box:
        return self._obs_space

    @functools.lru_cache(maxsize=None)
    def action_space(self, agent: str) -> spaces.Discrete:
        return self._act_space

    def _rows(self, out: dict[str, Any]):
        ids = out["ids"]
        obs = np.asarray(out["observations"], dtype=np.float64).reshape(len(ids), self._d)
        masks = np.asarray(out["actionMasks"], dtype=np.int8).reshape(len(ids), self._a)
        masked = {f"user-{i}" for i in out.get("maskedActions", [])}
        observations, rewards, terminations, truncations, infos = {}, {}, {}, {}, {}
        present: list[str] = []
        for r, i in enumerate(ids):
            a = f"user-{i}"
            observations[a] = obs[r]
            rewards[a] = float(out["rewards"][r])
            terminations[a] = bool(out["terminated"][r])
            truncations[a] = bool(out["truncated"][r])
            infos[a] = {"action_mask": masks[r], "masked_action": a in masked, "joined": bool(out["joined"][r])}
            if not (terminations[a] or truncations[a]):
                present.append(a)
        self.agents = present
        self.done = bool(out["done"])
        return observations, rewards, terminations, truncations, infos

    def reset(self, seed: Optional[int] = None, options: Optional[dict[str, Any]] = None):
        req: dict[str, Any] = {"cmd": "freset"}
        if seed is not None:
            req["seed"] = _seed32(seed)
        observations, _, _, _, infos = self._rows(self._server.call(req))
        return observations, infos

    def step(self, actions: dict[str, Any]):
        if not self.agents:
            # Nobody present: the episode is over for PettingZoo (reset to start another).
            return {}, {}, {}, {}, {}
        wire = {a.split("-", 1)[1]: int(v) for a, v in actions.items() if a in self.agents}
        return self._rows(self._server.call({"cmd": "fstep", "actions": wire}))

    def close(self) -> None:
        self._server.close()
