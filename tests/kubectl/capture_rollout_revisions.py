"""Capture the DaemonSet/StatefulSet rollout goldens from the REAL kubectl 1.32 (run by hand:
``.venv/bin/python tests/kubectl/capture_rollout_revisions.py [stem ...]``).

The oracle API server (``capture_ops.OpsServer``) serves the objects of the case's scenario and
answers kubectl's PATCH with the scripted body; output is stdout then stderr (klog lines
dropped), then ``# exit N``, as in ``capture_ops.py``.

The oracle answers here in compact JSON, as kube-apiserver does: kubectl keeps a
ControllerRevision's ``data`` as the bytes it received and compares them with the patch it
computes from the workload (``rollout undo`` to the current revision is "skipped"), so the
spaces of Python's default ``json.dumps`` would make every revision look different.
"""

from __future__ import annotations

import json
import shlex
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

import tests.kubectl.capture_commands as scripted_server  # noqa: E402
from tests.kubectl.capture_ops import OpsServer  # noqa: E402
from tests.kubectl.rollout_revisions_cases import CASES, GOLDEN, SCENARIOS, objects, scripted_answers  # noqa: E402
from tests.kubectl import real_kubectl  # noqa: E402


class CompactJSON:
    """``json`` for the oracle's answers: no spaces, as Go's encoder writes."""

    loads = staticmethod(json.loads)

    @staticmethod
    def dumps(obj, **_options) -> str:
        return json.dumps(obj, separators=(",", ":"))


def capture(case: dict) -> None:
    cluster = SCENARIOS[case["scenario"]]()
    served = objects(cluster)
    cluster.close()
    with tempfile.TemporaryDirectory() as tmp, OpsServer(served, scripted_answers(case, served), False) as srv:
        proc = real_kubectl.run(shlex.split(case["command"]), cwd=tmp, server=srv.url)
    (GOLDEN / f"{case['stem']}.txt").write_text(real_kubectl.transcript(proc))
    print(case["stem"], proc.returncode)


def main() -> None:
    scripted_server.json = CompactJSON
    GOLDEN.mkdir(exist_ok=True)
    wanted = set(sys.argv[1:])
    for case in CASES:
        if not wanted or case["stem"] in wanted:
            capture(case)


if __name__ == "__main__":
    main()
