"""Capture ResourceQuota goldens from the REAL kubectl 1.32 (run by hand:
``.venv/bin/python tests/kubectl/capture_quota.py``).

The scenario of ``quota_cases.py`` is built on the simulated clock; its namespaces and quotas are
served by the oracle API server (``oracle/fake_apiserver.py``) with every timestamp moved so that
the cluster's ``now`` is the wall clock's current second, and kubectl's output (dates moved back)
is stored in ``golden_quota/<stem>.txt``. ``kubectl get`` asks the server for a Table, whose cells
come from labkube's column set (REQUEST and LIMIT as printResourceQuota writes them): those goldens
check what kubectl does with them; describe is kubectl's own code.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
sys.path.insert(0, str(HERE.parent))

from tests.kubectl.oracle.capture import _shift, _start_of_second, _unshift_rfc3339  # noqa: E402
from tests.kubectl.oracle.fake_apiserver import FakeAPIServer  # noqa: E402
from tests.kubectl.quota_cases import COMMANDS, GOLDEN, build, objects  # noqa: E402


def main() -> None:
    cluster = build()
    now, served = cluster.clock.now(), objects(cluster)
    env = dict(os.environ, KUBECONFIG="/dev/null", TZ="UTC")
    GOLDEN.mkdir(exist_ok=True)
    with FakeAPIServer([]) as server:
        for stem, args in COMMANDS.items():
            seen: dict[str, str] = {}
            shift = _start_of_second() - int(now)
            server.objects = [_shift(copy.deepcopy(obj), shift, seen) for obj in served]
            server.now = now + shift
            proc = subprocess.run(["kubectl", "--server", server.url, *args], capture_output=True,
                                  text=True, env=env, timeout=60)
            text = proc.stdout
            for shifted, original in seen.items():
                text = text.replace(shifted, original)
            (GOLDEN / f"{stem}.txt").write_text(_unshift_rfc3339(text, shift))
            print(stem, "ok" if proc.returncode == 0 else proc.stderr[:300])


if __name__ == "__main__":
    main()
