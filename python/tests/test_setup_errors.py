"""What the adapter says when Node, the Remora project, its node_modules or its build is missing."""
import os
from pathlib import Path

import pytest

import remora_gym._server as server
from remora_gym import RemoraEnv, RemoraSetupError, find_remora_home

REPO = Path(__file__).resolve().parents[2]


def test_no_project_found(monkeypatch):
    monkeypatch.delenv("REMORA_HOME", raising=False)
    monkeypatch.setattr(server, "_source_tree", lambda: None)
    with pytest.raises(RemoraSetupError, match=r"cannot find the Remora project.*set REMORA_HOME.*remora_home="):
        RemoraEnv()


def test_remora_home_is_not_the_project(tmp_path, monkeypatch):
    monkeypatch.setenv("REMORA_HOME", str(tmp_path))
    with pytest.raises(RemoraSetupError, match=r"REMORA_HOME=.*bin/remora\.js is missing"):
        RemoraEnv()
    with pytest.raises(RemoraSetupError, match=r"remora_home=.*bin/remora\.js is missing"):
        RemoraEnv(remora_home=tmp_path / "elsewhere")


def test_missing_node_modules_and_build(tmp_path):
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "remora.js").write_text("")
    with pytest.raises(RemoraSetupError, match=r"node_modules is missing: run `npm ci`"):
        find_remora_home(tmp_path)
    (tmp_path / "node_modules").mkdir()
    with pytest.raises(RemoraSetupError, match=r"dist/cli/main\.js is missing: build the twin with `npm run build`"):
        find_remora_home(tmp_path)


def test_missing_node(monkeypatch):
    with pytest.raises(RemoraSetupError, match=r"Node\.js not found \(node=: 'no-such-node-exe'\)"):
        RemoraEnv(node="no-such-node-exe")
    monkeypatch.setenv("REMORA_NODE", "/nowhere/node")
    with pytest.raises(RemoraSetupError, match=r"Node\.js not found \(REMORA_NODE=.*install it, or set REMORA_NODE"):
        RemoraEnv()


def test_explicit_home_wins_over_the_source_tree(monkeypatch):
    monkeypatch.setenv("REMORA_HOME", "/nowhere")
    assert find_remora_home(REPO) == REPO.resolve()
