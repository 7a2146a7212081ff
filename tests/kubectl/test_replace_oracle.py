"""labkube's ``kubectl replace`` prints what the real kubectl 1.32 prints, case by case.

The goldens in ``golden_replace/`` come from the real kubectl talking to an oracle server whose
object requests a labkube cluster answered (``capture_replace.py``); here an identical cluster
(``replace_cases.make_cluster``) runs the same command through ``labkube.kubectl.run`` in a
folder holding the case's files. Goldens hold stdout, then stderr, then the exit code.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from labkube.kubectl import run
from tests.kubectl.replace_cases import CASES, case_files, make_cluster

HERE = Path(__file__).parent


def labkube_output(case: dict, folder: Path) -> str:
    cluster = make_cluster(case)
    case_input = case_files(case, cluster)
    stdin = case_input.pop("-", case.get("stdin"))
    for name, text in case_input.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    result = run(cluster, case["command"], stdin=stdin)
    return result.stdout + result.stderr + f"# exit {result.exit_code}\n"


@pytest.mark.parametrize("case", [pytest.param(c, id=c["stem"]) for c in CASES])
def test_labkube_replace_prints_what_real_kubectl_prints(case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert labkube_output(case, tmp_path) == (HERE / "golden_replace" / f"{case['stem']}.txt").read_text()
