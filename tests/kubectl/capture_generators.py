"""Capture generator goldens from the REAL kubectl 1.32 (run by hand:
``.venv/bin/python tests/kubectl/capture_generators.py``).

``--dry-run=client`` generators need no API server. Output is stdout followed by stderr with
kubectl's exit code on a last ``# exit N`` line. The installed kubectl is a "dispatcher" build
whose flag errors say ``Error:``; none of these cases reaches that path.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generator_cases import CASES, FILES  # noqa: E402


def make_files(root: Path) -> None:
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def main() -> None:
    out_dir = HERE / "golden_generators"
    out_dir.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        make_files(Path(tmp))
        for stem, command in CASES:
            proc = subprocess.run(["kubectl", *shlex.split(command)], cwd=tmp, capture_output=True,
                                  text=True, env={"PATH": "/usr/bin:/bin", "KUBECONFIG": "/dev/null"})
            stderr = "".join(l + "\n" for l in proc.stderr.splitlines() if "memcache.go" not in l)
            (out_dir / f"{stem}.txt").write_text(proc.stdout + stderr + f"# exit {proc.returncode}\n")
            print(stem, proc.returncode)


if __name__ == "__main__":
    main()
