"""Capture ReplicationController and PodTemplate goldens from the REAL kubectl 1.32 (run by hand:
``.venv/bin/python tests/kubectl/capture_rc.py``).

The scenario and commands are in ``rc_cases.py``; ``oracle/scenario_capture.py`` serves the
scenario's objects to kubectl and writes ``golden_rc/<stem>.txt``.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
sys.path.insert(0, str(HERE.parent))

from tests.kubectl import rc_cases  # noqa: E402
from tests.kubectl.oracle.scenario_capture import capture_scenario  # noqa: E402

if __name__ == "__main__":
    capture_scenario(rc_cases)
