"""Capture the PodDisruptionBudget goldens from the REAL kubectl 1.32 (run by hand:
``.venv/bin/python tests/kubectl/capture_pdb.py``).

Three kinds of case (``pdb_cases.py``): ``create pdb`` generators (no server needed), the
get/describe scenario served by ``oracle/scenario_capture.py``, and drains against the scripted
oracle of ``capture_ops.py`` whose eviction answers are kube-apiserver's statuses. A drain that
retries takes real seconds (kubectl sleeps 5 s between attempts). Output is stdout, then stderr
(klog lines dropped), then ``# exit N``.
"""

from __future__ import annotations

import shlex
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
sys.path.insert(0, str(HERE.parent))

from tests.kubectl import pdb_cases  # noqa: E402
from tests.kubectl.capture_ops import OpsServer  # noqa: E402
from tests.kubectl.oracle.scenario_capture import capture_scenario  # noqa: E402
from tests.kubectl import real_kubectl  # noqa: E402


def _kubectl(argv: list[str], cwd: str) -> str:
    return real_kubectl.transcript(real_kubectl.run(argv, cwd=cwd, timeout=120))


class EvictionServer(OpsServer):
    """The scripted oracle, whose discovery lists ``pods/eviction`` (policy/v1 Eviction) as
    kube-apiserver's does: kubectl drain evicts only when it finds it (CheckEvictionSupport)."""

    def _resource_list(self, gv):
        code, body = super()._resource_list(gv)
        if gv == "v1" and code == 200:
            body["resources"].append({"name": "pods/eviction", "singularName": "", "namespaced": True,
                                      "group": "policy", "version": "v1", "kind": "Eviction",
                                      "verbs": ["create"]})
        return code, body


def capture_generators() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for stem, command in pdb_cases.GENERATORS:
            (pdb_cases.GOLDEN / f"{stem}.txt").write_text(_kubectl(shlex.split(command), tmp))
            print(stem)


def capture_drains() -> None:
    for case in pdb_cases.DRAINS:
        with tempfile.TemporaryDirectory() as tmp, EvictionServer(case["objects"], case["scripted"], False) as srv:
            text = _kubectl(["--server", srv.url, *shlex.split(case["command"])], tmp)
        (pdb_cases.GOLDEN / f"{case['stem']}.txt").write_text(text)
        print(case["stem"])


if __name__ == "__main__":
    pdb_cases.GOLDEN.mkdir(exist_ok=True)
    wanted = set(sys.argv[1:]) or {"generators", "scenario", "drains"}
    if "generators" in wanted:
        capture_generators()
    if "scenario" in wanted:
        capture_scenario(pdb_cases)
    if "drains" in wanted:
        capture_drains()
