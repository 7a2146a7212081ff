"""A manifest with a key given twice: labkube's kubectl does what the real kubectl 1.32 does.

The goldens (``golden_dupkeys/``, from ``capture_dupkeys.py``) hold what the real kubectl
printed and every write it sent to a labkube cluster's HTTP front. The real kubectl keeps the
last value of a repeated key (a repeated block replaces the first one whole), says nothing
about it under any ``--validate``, and sends no duplicate on. Here labkube's kubectl runs the
same commands on an identical cluster: it must print the same, and store what the real one
sent (see ``dupkeys_cases.py`` for why).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from labkube.core.api.resources import default_registry
from labkube.kubectl import run
from tests.kubectl.dupkeys_cases import CASES, make_cluster, render

GOLDEN = Path(__file__).parent / "golden_dupkeys"
REGISTRY = default_registry()
#: Fields of a sent object that the store rewrites (a PUT names the version it replaces).
REWRITTEN = ("resourceVersion",)


def _golden(stem: str) -> tuple[str, list[tuple[str, str, dict]]]:
    """(what kubectl printed, [(method, target, body)] of the writes it sent)."""
    printed, _, requests = (GOLDEN / f"{stem}.txt").read_text().partition("# requests\n")
    lines = requests.splitlines()
    writes = [(*lines[i].split(" ", 1), json.loads(lines[i + 1])) for i in range(0, len(lines), 2)]
    return printed, writes


def _labkube(case: dict, folder: Path):
    cluster = make_cluster()
    for name, text in case.get("files", {}).items():
        (folder / name).write_text(text)
    outputs = []
    for command in case["commands"]:
        result = run(cluster, command, stdin=case.get("stdin"))
        outputs.append((command, result.stdout, result.stderr, result.exit_code))
    return cluster, render(outputs)


def _contains(stored, sent, where: str = "") -> list[str]:
    """Where ``sent`` is not part of ``stored`` (the server adds defaults and metadata)."""
    if isinstance(sent, dict):
        if not isinstance(stored, dict):
            return [where]
        return [miss for key, value in sent.items() if key not in REWRITTEN
                for miss in (_contains(stored[key], value, f"{where}.{key}") if key in stored else [f"{where}.{key}"])]
    if isinstance(sent, list):
        if not isinstance(stored, list) or len(stored) != len(sent):
            return [where]
        return [miss for i, (a, b) in enumerate(zip(stored, sent)) for miss in _contains(a, b, f"{where}[{i}]")]
    return [] if stored == sent else [where]


@pytest.mark.parametrize("case", [pytest.param(c, id=c["stem"]) for c in CASES])
def test_labkube_prints_what_real_kubectl_prints_for_a_manifest_with_duplicate_keys(case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    printed, _ = _golden(case["stem"])
    assert _labkube(case, tmp_path)[1] == printed


@pytest.mark.parametrize("case", [pytest.param(c, id=c["stem"]) for c in CASES if _golden(c["stem"])[1]])
def test_labkube_stores_the_last_values_the_real_kubectl_sent(case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cluster, _ = _labkube(case, tmp_path)
    last = {(s["kind"], s["metadata"]["name"]): (m, t, s) for m, t, s in _golden(case["stem"])[1]}
    for method, target, sent in last.values():  # an object's last write is what it holds
        rtype = REGISTRY.for_kind(sent["apiVersion"], sent["kind"])
        stored = cluster.client.get(rtype, sent["metadata"]["name"], sent["metadata"].get("namespace"))
        assert _contains(stored, sent) == [], f"{method} {target}"


def test_the_goldens_show_that_no_duplicate_key_ever_reaches_the_server():
    """Every body the real kubectl sent is canonical JSON: decoding and re-encoding it with
    sorted keys gives it back byte for byte, so no key occurs twice in it."""
    for case in CASES:
        for line in (GOLDEN / f"{case['stem']}.txt").read_text().partition("# requests\n")[2].splitlines()[1::2]:
            assert json.dumps(json.loads(line), separators=(",", ":"), sort_keys=True, ensure_ascii=False) == line
