"""Transcripts: kubectl lines run on a seeded cluster, what each printed, compared with the REAL kubectl.

A transcript case is a :class:`~tests.kubectl.differential_harness.Scenario` (its kubectl lines,
the files they read). ``capture_kubectl_gaps.py`` runs each case's lines through the real
kubectl 1.32 against a labkube cluster's HTTP front on 127.0.0.1 (``differential_harness.Front``)
and stores ``golden_kubectl_gaps/<case>.txt``: for each line ``$ kubectl LINE``, then stdout,
stderr and ``# exit N``. The tests run the same lines through labkube's own kubectl on an
identically seeded cluster and compare the transcripts, so they hold without the binary.

``kubectl diff``'s folder names (``/tmp/LIVE-<random>``) and file times (the wall clock) differ
from run to run in the real kubectl; both transcripts show them as ``/tmp/LIVE-N`` and ``TIME``.
UIDs and resourceVersions (the server's, the same on both sides) show as ``UID`` and ``RV``, so
that a change elsewhere in how the cluster boots does not invalidate the transcripts.

Lines marked :class:`MapOrder` print Go map entries in an order that changes from run to run
(``label --list``); they are compared with the lines of each block (a ``Listing ...:`` header
and the lines after it) sorted.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from tests.kubectl.differential_harness import Advance, Scenario, make_cluster

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden_kubectl_gaps"


@dataclass(frozen=True)
class MapOrder:
    """A kubectl line whose output lines come in Go's random map order, block by block."""

    line: str
    stdin: str | None = None


def _sorted_blocks(text: str) -> str:
    """Each block's lines sorted: a block is a ``Listing ...:`` header (or the ``# exit`` line)
    and the lines after it, or the lines before the first header."""
    blocks: list[list[str]] = [[]]
    for line in text.splitlines(True):
        if line.startswith(("Listing ", "# exit")):
            blocks.append([line])
        else:
            blocks[-1].append(line)
    return "".join(block[0] + "".join(sorted(block[1:])) if index else "".join(sorted(block))
                   for index, block in enumerate(blocks) if block)


_DIFF_FOLDER = re.compile(r"/tmp/(LIVE|MERGED)-[0-9]+")
_DIFF_TIME = re.compile(r"\t[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9} \+0000$", re.M)
_UID = re.compile(r"(uid: )[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_RESOURCE_VERSION = re.compile(r'(resourceVersion: )"[0-9]+"')


def without_diff_noise(text: str) -> str:
    """The folder names, file times, UIDs and resourceVersions replaced (see the docstring)."""
    text = _DIFF_TIME.sub("\tTIME", _DIFF_FOLDER.sub(r"/tmp/\1-N", text))
    return _RESOURCE_VERSION.sub(r"\1RV", _UID.sub(r"\1UID", text))


def transcript(scenario: Scenario, folder: Path, kubectl_for: Callable) -> str:
    """Run ``scenario``'s lines with ``kubectl_for(cluster, folder)`` -> call(line, stdin) -> Output."""
    for name, text in scenario.files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    cluster = make_cluster(scenario)
    call = kubectl_for(cluster, folder)
    previous = os.getcwd()
    os.chdir(folder)  # labkube's kubectl reads -f files relative to the process's directory
    parts: list[str] = []
    try:
        for step in scenario.steps:
            if isinstance(step, Advance):
                cluster.run(step.seconds)
                parts.append(f"# run {step.seconds:g}s\n")
                continue
            line, stdin = _line_of(step)
            shown = call(line, stdin).show()
            if isinstance(step, MapOrder):
                shown = _sorted_blocks(shown)
            parts.append(f"$ kubectl {line}\n{without_diff_noise(shown)}")
    finally:
        os.chdir(previous)
        getattr(call, "close", lambda: None)()
    return "".join(parts)


def _line_of(step) -> tuple[str, str | None]:
    if isinstance(step, MapOrder):
        return step.line, step.stdin
    return step if isinstance(step, tuple) else (step, None)


def labkube_side(cluster, folder):
    from tests.kubectl.differential_harness import labkube_kubectl

    return labkube_kubectl(cluster)


def golden_path(scenario: Scenario) -> Path:
    return GOLDEN / (re.sub(r"[^a-z0-9]+", "_", scenario.name.lower()).strip("_")[:80] + ".txt")
