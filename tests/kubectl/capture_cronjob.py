"""Capture CronJob goldens from the REAL kubectl 1.32 (run by hand:
``.venv/bin/python tests/kubectl/capture_cronjob.py``).

The scenario and commands are in ``cronjob_cases.py``: ``oracle/scenario_capture.py`` serves the
scenario's objects to kubectl for ``COMMANDS``; the ``create cronjob`` lines of ``GENERATORS``
run offline (``--dry-run=client``), stdout then stderr, with kubectl's exit code on a last
``# exit N`` line as in ``capture_generators.py``. All go to ``golden_cronjob/<stem>.txt``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
sys.path.insert(0, str(HERE.parent))

from tests.kubectl import cronjob_cases  # noqa: E402
from tests.kubectl.oracle.scenario_capture import capture_scenario  # noqa: E402


def capture_generators() -> None:
    cronjob_cases.GOLDEN.mkdir(exist_ok=True)
    for stem, args in cronjob_cases.GENERATORS.items():
        proc = subprocess.run(["kubectl", *args], capture_output=True, text=True,
                              env={"PATH": "/usr/bin:/bin", "KUBECONFIG": "/dev/null"}, timeout=60)
        stderr = "".join(line + "\n" for line in proc.stderr.splitlines() if "memcache.go" not in line)
        (cronjob_cases.GOLDEN / f"{stem}.txt").write_text(proc.stdout + stderr + f"# exit {proc.returncode}\n")
        print(stem, proc.returncode)


if __name__ == "__main__":
    capture_scenario(cronjob_cases)
    capture_generators()
