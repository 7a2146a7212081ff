"""labkube's go-template engine against the REAL kubectl 1.32, case by case.

The goldens in ``golden_gotemplate/engine.json`` were written by ``capture_gotemplate.py``,
which ran, for each case of ``gotemplate_cases.CASES``::

    kubectl label --local -f golden_gotemplate/object.yaml x=y -o go-template=TEMPLATE

Here the same template runs over the object kubectl printed (``object.json``) through
:mod:`labkube.kubectl.gotemplate`, and stdout, stderr and the exit code are put together as
kubectl puts them (an execution error: partial output and the debugging block on stdout,
``error: error executing template ...`` on stderr).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from labkube.kubectl import gotemplate
from tests.kubectl.gotemplate_cases import CASES

GOLDEN = Path(__file__).resolve().parent / "golden_gotemplate"
EXPECTED = json.loads((GOLDEN / "engine.json").read_text())
OBJECT = json.loads((GOLDEN / "object.json").read_text())


def as_kubectl(template: str, allow_missing: bool) -> dict:
    """stdout, stderr and exit code as ``kubectl ... -o go-template=TEMPLATE`` gives them."""
    try:
        parsed = gotemplate.load("go-template", template)
    except gotemplate.PrinterError as err:
        return {"stdout": "", "stderr": f"error: {err}\n", "exit": 1}
    stdout, error = gotemplate.print_object(parsed, OBJECT, allow_missing)
    if error:  # CheckErr adds a newline unless the message ends with one
        return {"stdout": stdout, "stderr": f"error: {error}" + ("" if error.endswith("\n") else "\n"), "exit": 1}
    return {"stdout": stdout, "stderr": "", "exit": 0}


@pytest.mark.parametrize("name, template, allow_missing", CASES, ids=[c[0] for c in CASES])
def test_the_engine_prints_what_kubectl_prints(name, template, allow_missing):
    assert as_kubectl(template, allow_missing) == EXPECTED[name]
