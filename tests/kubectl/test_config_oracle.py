"""labkube's ``kubectl config`` prints byte for byte what the real kubectl 1.32 printed
(``capture_config.py``) for the cases of ``config_cases.py``: each case's commands run in order
on a fresh copy of a new cluster's kubeconfig. Where kubectl prints a command's whole help,
labkube prints a pointer to ``--help`` and then the same error and exit code."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from labkube.core.api.resources import Registry, default_registry
from labkube.kubectl import run
from labkube.kubectl.commands.kubeconfig import Kubeconfig
from tests.kubectl.config_cases import CASES, GOLDEN, HELP_END, NOT_COPIED, USAGE_POINTER


@dataclass
class KubeconfigOnly:
    """What ``kubectl config`` and the kubeconfig's own errors need: a kubeconfig (every
    command here fails before any request reaches an API server)."""

    kubeconfig: Kubeconfig = field(default_factory=Kubeconfig.admin)
    registry: Registry = field(default_factory=default_registry)
    client: Any = None


def golden_blocks(stem: str) -> list[tuple[str, str]]:
    """(command, what followed it) for each ``$ kubectl`` line of a golden."""
    text = (GOLDEN / f"{stem}.txt").read_text()
    blocks = []
    for chunk in text.split("$ kubectl ")[1:]:
        command, _, output = chunk.partition("\n")
        blocks.append((command, output))
    return blocks


def expected_by_labkube(command: str, output: str) -> str:
    """kubectl's text with its help block (if any) replaced by labkube's pointer."""
    if HELP_END not in output:
        return output
    path = " ".join(word for word in command.split() if not word.startswith("-"))
    path = " ".join(path.split()[:2])  # "config use-context", or "config" for the group
    return USAGE_POINTER.format(path=path) + output.split(HELP_END, 1)[1]


@pytest.mark.parametrize("stem, commands", CASES, ids=[stem for stem, _ in CASES])
def test_kubectl_config_matches_the_real_kubectl(stem, commands):
    cluster = KubeconfigOnly()
    blocks = golden_blocks(stem)
    assert [command for command, _ in blocks] == commands  # the golden is this case's
    for command, output in blocks:
        result = run(cluster, command)
        got = result.stdout + result.stderr + f"# exit {result.exit_code}\n"
        if command in NOT_COPIED:
            continue
        assert got == expected_by_labkube(command, output), command
