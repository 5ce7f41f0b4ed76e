"""`pip install ./python` into a fresh venv works from any folder, finding the Node side through REMORA_HOME.

The venv sees the system's gymnasium and numpy (--system-site-packages) and installs with --no-deps, so no download
is needed beyond the build backend (pip fetches setuptools from the package registry into an isolated build env, and
caches it).
"""
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import gymnasium as gym, remora_gym, numpy as np
    assert "site-packages" in remora_gym.__file__, remora_gym.__file__
    env = gym.make("Remora/Migration-v0", scenario="sr111")
    obs, info = env.reset(seed=1)
    obs, reward, terminated, truncated, info = env.step(0)
    env.close()
    envs = remora_gym.RemoraVectorEnv(num_envs=2)
    envs.reset(seed=1)
    envs.step(np.zeros(2, dtype=int))
    envs.close()
    print("ok", obs.shape, round(float(reward), 3))
    """
)


def test_pip_install_into_a_fresh_venv_and_run_from_another_folder(tmp_path):
    # A copy, so the build's egg-info and build/ never land in the source tree (and parallel runs do not collide).
    src = tmp_path / "src"
    shutil.copytree(REPO / "python", src / "python", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build", "tests"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    py = venv / "bin" / "python"
    pip = subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps", "./python"],
        cwd=src, capture_output=True, text=True,
    )
    assert pip.returncode == 0, pip.stdout + pip.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "REMORA_HOME")}
    # Without REMORA_HOME an installed (non-editable) copy cannot guess the project, and says so.
    bare = subprocess.run([str(py), "-c", "import remora_gym; remora_gym.RemoraEnv()"], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert bare.returncode != 0
    assert "RemoraSetupError: remora_gym: cannot find the Remora project" in bare.stderr, bare.stderr
    run = subprocess.run([str(py), "-c", SCRIPT], cwd=elsewhere, env={**env, "REMORA_HOME": str(REPO)}, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("ok (7,)"), run.stdout
