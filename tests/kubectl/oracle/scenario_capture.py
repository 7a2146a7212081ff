"""Capture goldens of a simulated-clock scenario from the REAL kubectl 1.32.

Each ``tests/kubectl/<kind>_cases.py`` module builds a scenario on labkube's simulated clock and
names the kubectl commands to run against it (``COMMANDS``: golden stem -> kubectl arguments),
the objects to serve (``objects(cluster)``) and where the goldens go (``GOLDEN``). Its
``capture_<kind>.py`` script calls :func:`capture_scenario` with that module.

kubectl measures ages against the wall clock, so the oracle API server
(``oracle/fake_apiserver.py``) serves the objects with every timestamp moved so that the
cluster's ``now`` is the start of the current wall-clock second; kubectl's output is then moved
back: RFC 1123 dates (``describe``), RFC 3339 timestamps (``-o yaml``) and Go ``time.Time`` text
(``Created on:`` lines). ``kubectl get`` asks the server for a Table whose cells come from
labkube's column sets, so those goldens check what kubectl does with labkube's cells; describe is
kubectl's own code.
"""

from __future__ import annotations

import copy
import os
import re
import subprocess
from datetime import datetime, timezone
from types import ModuleType

from tests.kubectl.oracle.capture import _shift, _start_of_second, _unshift_rfc3339
from tests.kubectl.oracle.fake_apiserver import FakeAPIServer

_GO_TIME = re.compile(r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) \+0000 UTC")


def _unshift_go_time(text: str, shift: int) -> str:
    """Move Go ``time.Time`` strings (``2025-01-01 00:00:00 +0000 UTC``) back by ``shift``."""
    def back(match: re.Match) -> str:
        when = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
        return datetime.fromtimestamp(when.timestamp() - shift, tz=timezone.utc).strftime(
            "%Y-%m-%d %H:%M:%S") + " +0000 UTC"

    return _GO_TIME.sub(back, text)


def _unshift(text: str, shift: int, seen: dict[str, str]) -> str:
    for shifted, original in seen.items():
        text = text.replace(shifted, original)
    return _unshift_go_time(_unshift_rfc3339(text, shift), shift)


def capture_scenario(cases: ModuleType) -> None:
    """Run every command of ``cases.COMMANDS`` against its scenario; write ``GOLDEN/<stem>.txt``."""
    cluster = cases.build()
    now, served = cluster.clock.now(), cases.objects(cluster)
    env = dict(os.environ, KUBECONFIG="/dev/null", TZ="UTC")
    cases.GOLDEN.mkdir(exist_ok=True)
    with FakeAPIServer([]) as server:
        # Warm kubectl's discovery cache first: a slow first call would cross into the next
        # wall-clock second and add a second to every age it prints.
        subprocess.run(["kubectl", "--server", server.url, "api-resources"], capture_output=True,
                       env=env, timeout=60)
        for stem, args in cases.COMMANDS.items():
            seen: dict[str, str] = {}
            shift = _start_of_second() - int(now)
            server.objects = [_shift(copy.deepcopy(obj), shift, seen) for obj in served]
            server.now = now + shift
            proc = subprocess.run(["kubectl", "--server", server.url, *args], capture_output=True,
                                  text=True, env=env, timeout=60)
            (cases.GOLDEN / f"{stem}.txt").write_text(_unshift(proc.stdout, shift, seen))
            print(stem, "ok" if proc.returncode == 0 else proc.stderr[:300])
