"""Capture the ``--overrides`` goldens from the REAL kubectl 1.32 (run by hand:
``.venv/bin/python tests/kubectl/capture_overrides.py``).

Real kubectl talks to a labkube cluster's HTTP front on 127.0.0.1 (the ``FrontServer`` of
``capture_dupkeys``) holding one Deployment ``web``; each line of
``golden_overrides/commands.txt`` is run, and its stdout plus stderr (klog lines dropped) and exit
code are stored in ``golden_overrides/cases.json``. ``--dry-run=client`` keeps every command on
kubectl's side, where overrides are applied.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from tests.kubectl.capture_dupkeys import FrontServer  # noqa: E402
from tests.kubectl.test_overrides import make_cluster  # noqa: E402

GOLDEN = HERE / "golden_overrides"


def main() -> None:
    cluster = make_cluster()
    front = FrontServer(cluster)
    cases = []
    try:
        for line in (GOLDEN / "commands.txt").read_text().splitlines():
            if not line.strip():
                continue
            done = subprocess.run(["kubectl", "--server", front.url, *shlex.split(line)],
                                  capture_output=True, text=True)
            stderr = [text for text in done.stderr.splitlines() if not text.startswith(("E1", "W1", "I1"))]
            cases.append({"args": line, "output": done.stdout + "".join(text + "\n" for text in stderr),
                          "exit": done.returncode})
    finally:
        front.close()
    (GOLDEN / "cases.json").write_text(json.dumps(cases, indent=1) + "\n")


if __name__ == "__main__":
    main()
