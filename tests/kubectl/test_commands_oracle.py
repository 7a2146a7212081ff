"""labkube's kubectl prints what the real kubectl 1.32 prints, case by case.

The goldens in ``golden_commands/`` come from the real kubectl talking to an oracle API server
(``capture_commands.py``) that answers with the same Status objects labkube's API server
produces; here the same command runs on a labkube Cluster. Both streams and the exit code
are compared.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from labkube.kubectl import run
from tests.kubectl.command_cases import CASES

HERE = Path(__file__).parent


def _files(case: dict) -> dict[str, str]:
    files = dict(case.get("files", {}))
    if "yaml_file" in case:
        files[case["yaml_file"]] = (HERE / "golden_yaml" / case["yaml_file"]).read_text()
    return files


@pytest.mark.parametrize("case", CASES, ids=[c["stem"] for c in CASES])
def test_labkube_kubectl_prints_what_real_kubectl_prints(case, tmp_path, monkeypatch):
    import labkube

    monkeypatch.chdir(tmp_path)
    for name, text in _files(case).items():
        (tmp_path / name).write_text(text)
    cluster = labkube.Cluster(nodes=0, seed=0)
    for command in case.get("setup", []):
        assert run(cluster, command).exit_code == 0, command
    result = run(cluster, case["command"])
    got = str(result) + f"# exit {result.exit_code}\n"
    assert got == (HERE / "golden_commands" / f"{case['stem']}.txt").read_text()
