"""Finding and launching the Node side (`remora env serve`), and its JSON-lines protocol (src/core/env-server.ts)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import weakref
from pathlib import Path
from typing import Any, Optional, Sequence, Union

__all__ = ["RemoraError", "RemoraSetupError", "find_remora_home", "Server"]

PathLike = Union[str, "os.PathLike[str]"]

#: Seconds ``close()`` waits for Node to exit after the ``close`` request before it kills it (Node takes ~30 ms).
CLOSE_GRACE_S = 1.0


class RemoraError(RuntimeError):
    """An error reported by the twin (bad action, step after the end, bad scenario)."""


class RemoraSetupError(RemoraError):
    """The Node side cannot be started: Node, the Remora project, its ``node_modules`` or its build is missing."""


def _source_tree() -> Optional[Path]:
    """The Remora checkout this package sits in, when it is imported from the source tree (editable install, tests)."""
    root = Path(__file__).resolve().parents[2]
    if (root / "bin" / "remora.js").is_file() and (root / "python" / "remora_gym").is_dir():
        return root
    return None


def find_remora_home(remora_home: Optional[PathLike] = None) -> Path:
    """The Remora project folder: ``remora_home``, else ``$REMORA_HOME``, else the source tree of an editable install.

    Raises :class:`RemoraSetupError` naming what is missing (the folder, its ``node_modules``, or its ``dist/`` build).
    """
    if remora_home is not None:
        root, how = Path(remora_home).expanduser(), f"remora_home={str(remora_home)!r}"
    elif os.environ.get("REMORA_HOME"):
        root, how = Path(os.environ["REMORA_HOME"]).expanduser(), f"REMORA_HOME={os.environ['REMORA_HOME']}"
    else:
        found = _source_tree()
        if found is None:
            raise RemoraSetupError(
                "remora_gym: cannot find the Remora project (the Node side of this adapter): set REMORA_HOME to a "
                "clone of the Remora repository, or pass remora_home=..., then run `npm ci` there (it builds dist/)"
            )
        root, how = found, "the source tree this package was installed from (editable)"
    root = root.resolve()
    if not (root / "bin" / "remora.js").is_file():
        raise RemoraSetupError(f"remora_gym: {how}: expected the Remora project, but {root / 'bin' / 'remora.js'} is missing")
    if not (root / "node_modules").is_dir():
        raise RemoraSetupError(f"remora_gym: {root / 'node_modules'} is missing: run `npm ci` in {root}")
    if not (root / "dist" / "cli" / "main.js").is_file():
        raise RemoraSetupError(f"remora_gym: {root / 'dist' / 'cli' / 'main.js'} is missing: build the twin with `npm run build` in {root}")
    return root


def _find_node(node: Optional[str]) -> str:
    exe = node or os.environ.get("REMORA_NODE") or "node"
    path = shutil.which(exe)
    if path is None:
        src = "node=" if node else "REMORA_NODE=" if os.environ.get("REMORA_NODE") else "PATH"
        raise RemoraSetupError(
            f"remora_gym: Node.js not found ({src}: {exe!r}): the twin runs in Node >= 20; install it, or set REMORA_NODE "
            "(or node=...) to the node executable"
        )
    return path


def _reap(proc: subprocess.Popen) -> None:
    """Stop `proc` now (used when an env is garbage-collected or Python exits without ``close()``)."""
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    for f in (proc.stdin, proc.stdout, proc.stderr):
        if f is not None:
            f.close()


class Server:
    """One ``remora env serve`` process and its request/answer pipe."""

    def __init__(
        self,
        scenario: str,
        *,
        masked: str,
        num_envs: Optional[int] = 1,
        extra_args: Sequence[str] = (),
        remora_home: Optional[PathLike] = None,
        node: Optional[str] = None,
        command: Optional[Sequence[str]] = None,
        cwd: Optional[PathLike] = None,
    ):
        if command is None:
            home = find_remora_home(remora_home)
            command = [_find_node(node), str(home / "bin" / "remora.js"), "env", "serve", "--scenario", scenario,
                       "--masked", masked, *([] if num_envs is None else ["--num-envs", str(num_envs)]), *extra_args]
        self.proc = subprocess.Popen(
            list(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            cwd=os.fspath(cwd) if cwd is not None else os.getcwd(), bufsize=1,
        )
        # Without close() (a forgotten env, an exception in a training script) Node is still reaped.
        self._finalizer = weakref.finalize(self, _reap, self.proc)
        self.spec = self.call({"cmd": "spec"})

    def _stderr(self) -> str:
        assert self.proc.stderr is not None
        return self.proc.stderr.read().strip()

    def call(self, req: dict[str, Any]) -> dict[str, Any]:
        proc = self.proc
        if proc.poll() is not None:
            raise RemoraError(f"remora env serve exited ({proc.returncode}): {self._stderr()}")
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(json.dumps(req) + "\n")
            proc.stdin.flush()
        except (BrokenPipeError, ValueError):
            proc.wait()
            raise RemoraError(f"remora env serve exited ({proc.returncode}): {self._stderr()}") from None
        line = proc.stdout.readline()
        if not line:
            proc.wait()
            raise RemoraError(f"remora env serve exited ({proc.returncode}): {self._stderr()}")
        out = json.loads(line)
        if "error" in out:
            raise RemoraError(out["error"])
        return out

    def close(self) -> None:
        """Ask Node to stop, close the pipe, wait up to :data:`CLOSE_GRACE_S`, then kill. Idempotent."""
        proc = self.proc
        if proc.poll() is None:
            try:
                self.call({"cmd": "close"})
            except RemoraError:
                pass
            try:
                assert proc.stdin is not None
                proc.stdin.close()
            except (BrokenPipeError, OSError):
                pass
            try:
                proc.wait(timeout=CLOSE_GRACE_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._finalizer()
