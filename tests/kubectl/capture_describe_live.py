"""Capture ``kubectl describe`` goldens of live-cluster objects from the REAL kubectl 1.32 (run by
hand: ``.venv/bin/python tests/kubectl/capture_describe_live.py [stem ...]``).

For each scenario of ``describe_live_cases.py`` the cluster is built and snapshotted; the
snapshot is stored (``golden_describe_live/<stem>/snapshot.json``, with ``now``, the cluster's
clock at the snapshot, and the describe commands) and served by the oracle API server
(``oracle/fake_apiserver.py``) to the real kubectl, whose output for each command is stored
beside it: stdout, then stderr (klog lines dropped), then ``# exit N``.

kubectl measures ages against the wall clock. Each run starts at a wall-clock moment S whose
fraction of a second is that of the snapshot's ``now``, with every timestamp moved by the
whole seconds ``S - now`` (capture.py's shift), and is kept only if kubectl finished before
any age could change (``age_margin``, at least half a second, checked per scenario): its ages
are then exactly the ones labkube computes at ``now``. Dates kubectl prints are moved back.
"""

from __future__ import annotations

import copy
import re
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from labkube.core.clock import parse_timestamp  # noqa: E402
from tests.kubectl.describe_live_cases import (  # noqa: E402
    FRESH, GOLDEN, SCENARIOS, build, command_golden_name, golden_name, identity, save_snapshot, snapshot, targets)
from tests.kubectl.oracle.capture import _shift, _unshift_rfc3339  # noqa: E402
from tests.kubectl.oracle.fake_apiserver import FakeAPIServer  # noqa: E402
from tests.kubectl import real_kubectl  # noqa: E402

_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


# -- running the real kubectl --------------------------------------------------------------------------

def age_margin(objects: list[dict], now: float) -> float:
    """How long after ``now`` every age kubectl prints stays what it is at ``now``: ages are
    truncated to whole seconds, so the next one to change is the timestamp whose fraction
    brings ``now - t`` closest to a whole second from below."""
    margin = 1.0

    def walk(value):
        nonlocal margin
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and _TIMESTAMP.match(value):
            margin = min(margin, 1 - (now - parse_timestamp(value)) % 1)

    walk(objects)
    if margin < 0.5:
        raise SystemExit(f"an age changes {margin:.3f}s after the snapshot: choose another snapshot time")
    return margin


def aligned_start(now: float) -> float:
    """Wait for a wall-clock moment whose fraction of a second is ``now``'s."""
    while (time.time() - now) % 1 > 0.02:
        time.sleep(0.005)
    return time.time()


def run_kubectl(server: FakeAPIServer, home: str, args: list[str]) -> subprocess.CompletedProcess:
    return real_kubectl.run(args, cwd=home, server=server.url, env={"TZ": "UTC"})


def capture_all(server: FakeAPIServer, home: str, objects: list[dict], now: float, commands: list[list[str]]):
    """The output of each command, each run within ``age_margin`` of a wall-clock moment that
    maps to ``now`` (several commands to a moment)."""
    margin = age_margin(objects, now)
    outputs: dict[int, str] = {}
    pending = list(range(len(commands)))
    retries = 0
    while pending:
        retries += 1
        if retries > len(commands) + 20:
            raise SystemExit(f"kubectl {' '.join(commands[pending[0]])} never finished within {margin:.2f}s")
        start = aligned_start(now)
        seen: dict[str, str] = {}
        shift = round(start - now)
        server.objects = [_shift(copy.deepcopy(obj), shift, seen) for obj in objects]
        while pending and time.time() - start < margin - 0.3:
            index = pending[0]
            proc = run_kubectl(server, home, commands[index])
            if time.time() - start >= margin - 0.03:
                break  # an age may have moved on: run it again at the next moment
            pending.pop(0)
            text = real_kubectl.transcript(proc)
            for shifted, original in seen.items():
                text = text.replace(shifted, original)
            outputs[index] = _unshift_rfc3339(text, shift)
    return [outputs[i] for i in range(len(commands))]


def command_for(resource: str, name: str, namespace: str) -> list[str]:
    return ["describe", resource, name] + (["-n", namespace] if namespace else [])


def main() -> None:
    wanted = set(sys.argv[1:])
    if FRESH in wanted and len(wanted) < len(SCENARIOS):
        raise SystemExit(f"the other snapshots refer to {FRESH}'s: capture it only with all of them")
    GOLDEN.mkdir(exist_ok=True)
    fresh = {identity(o) for o in snapshot(build(SCENARIOS[0]))}
    with FakeAPIServer([]) as server, tempfile.TemporaryDirectory() as home:
        run_kubectl(server, home, ["api-resources"])  # fills kubectl's discovery cache
        for scenario in SCENARIOS:
            if wanted and scenario.stem not in wanted:
                continue
            cluster = build(scenario)
            now, objects = cluster.clock.now(), snapshot(cluster)
            chosen = targets(scenario, objects, fresh)
            commands = [command_for(*target) for target in chosen] + [shlex.split(c) for c in scenario.commands]
            names = [golden_name(*target) for target in chosen] + [command_golden_name(c) for c in scenario.commands]
            outputs = capture_all(server, home, objects, now, commands)
            folder = GOLDEN / scenario.stem
            folder.mkdir(exist_ok=True)
            for old in folder.glob("*.txt"):
                old.unlink()
            records = []
            for name, args, text in zip(names, commands, outputs):
                (folder / name).write_text(text)
                records.append({"args": args, "golden": name})
            save_snapshot(scenario.stem, now, objects, records)
            failed = sum(not t.endswith("# exit 0\n") for t in outputs)
            print(f"{scenario.stem}: {len(objects)} objects, {len(commands)} describes, {failed} failed")


if __name__ == "__main__":
    main()
