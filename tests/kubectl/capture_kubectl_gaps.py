"""Capture the ``kubectl_gaps`` transcripts from the REAL kubectl 1.32 (run by hand:
``.venv/bin/python tests/kubectl/capture_kubectl_gaps.py [words of a case name ...]``).

Each case of ``kubectl_gaps_cases.py`` runs through the real ``kubectl --server URL`` against a
labkube cluster's HTTP front (see ``kubectl_gaps_transcripts.py``); the transcript is written to
``golden_kubectl_gaps/``. Generators (``create ingress``) need no server and run without one.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from tests.kubectl.differential_harness import Front, Output, RealKubectl, without_klog  # noqa: E402
from tests.kubectl.kubectl_gaps_cases import GENERATOR_CASES, SCENARIOS  # noqa: E402
from tests.kubectl.kubectl_gaps_transcripts import golden_path, transcript  # noqa: E402


def real_side(cluster, folder):
    front = Front(cluster)
    real = RealKubectl(front, folder)

    def call(line, stdin=None):
        return real(line, stdin)

    call.close = front.close
    return call


def capture_generators(folder: Path) -> None:
    for stem, line in GENERATOR_CASES:
        done = subprocess.run(["kubectl", *shlex.split(line)], cwd=folder, capture_output=True, text=True,
                              env={"PATH": "/usr/bin:/bin", "KUBECONFIG": "/dev/null", "HOME": str(folder)})
        out = Output(done.stdout, without_klog(done.stderr), done.returncode)
        (HERE / "golden_kubectl_gaps" / f"gen_{stem}.txt").write_text(out.show())
        print("gen", stem, done.returncode)


def main(words: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        if not words or "gen" in words:
            capture_generators(Path(tmp))
    for scenario in SCENARIOS:
        if words and not all(w in scenario.name for w in words):
            continue
        with tempfile.TemporaryDirectory() as tmp:
            text = transcript(scenario, Path(tmp), real_side)
        golden_path(scenario).write_text(text)
        print(golden_path(scenario).name)


if __name__ == "__main__":
    main(sys.argv[1:])
