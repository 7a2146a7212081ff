"""Capture the go-template goldens from the REAL kubectl 1.32 (run by hand:
``.venv/bin/python tests/kubectl/capture_gotemplate.py``).

For each case of ``gotemplate_cases.CASES``, runs ``kubectl label --local -f object.yaml x=y
-o go-template=TEMPLATE`` (no server needed) and writes ``golden_gotemplate/engine.json``:
``{name: {"stdout", "stderr", "exit"}}``, plus ``object.json``, the object kubectl printed
(``-o json``), which the tests feed to labkube's engine.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from tests.kubectl import real_kubectl  # noqa: E402
from tests.kubectl.gotemplate_cases import CASES  # noqa: E402

GOLDEN = HERE / "golden_gotemplate"


def label(args: list[str], cwd: Path):
    return real_kubectl.run(["label", "--local", "-f", str(GOLDEN / "object.yaml"), "x=y", *args], cwd=cwd)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        printed = label(["-o", "json"], cwd)
        (GOLDEN / "object.json").write_text(printed.stdout)
        results = {}
        for name, template, allow_missing in CASES:
            args = ["-o", f"go-template={template}"]
            if not allow_missing:
                args.append("--allow-missing-template-keys=false")
            done = label(args, cwd)
            results[name] = {"stdout": done.stdout, "stderr": real_kubectl.without_klog(done.stderr),
                             "exit": done.returncode}
    (GOLDEN / "engine.json").write_text(json.dumps(results, indent=1, ensure_ascii=False, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
