"""Capture HorizontalPodAutoscaler goldens from the REAL kubectl 1.32 (run by hand:
``.venv/bin/python tests/kubectl/capture_hpa.py``).

The scenario and commands are in ``hpa_cases.py``; ``oracle/scenario_capture.py`` serves the
scenario's objects to kubectl and writes ``golden_hpa/<stem>.txt``. kubectl's refusals
(``hpa_cases.ERRORS``) are captured as stderr plus a last ``# exit N`` line.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
sys.path.insert(0, str(HERE.parent))

from tests.kubectl import hpa_cases  # noqa: E402
from tests.kubectl.oracle.fake_apiserver import FakeAPIServer  # noqa: E402
from tests.kubectl.oracle.scenario_capture import capture_scenario  # noqa: E402


def capture_errors() -> None:
    env = dict(os.environ, KUBECONFIG="/dev/null", TZ="UTC")
    cluster = hpa_cases.build()
    with FakeAPIServer(hpa_cases.objects(cluster)) as server:
        for stem, args in hpa_cases.ERRORS.items():
            proc = subprocess.run(["kubectl", "--server", server.url, *args], capture_output=True, text=True,
                                  env=env, timeout=60)
            stderr = "".join(line + "\n" for line in proc.stderr.splitlines() if "memcache.go" not in line)
            (hpa_cases.GOLDEN / f"{stem}.txt").write_text(proc.stdout + stderr + f"# exit {proc.returncode}\n")
            print(stem, proc.returncode)


if __name__ == "__main__":
    capture_scenario(hpa_cases)
    capture_errors()
