"""Capture NetworkPolicy goldens from the REAL kubectl 1.32 (run by hand:
``.venv/bin/python tests/kubectl/capture_netpol.py``).

The policies of ``netpol_cases.py`` are built on the simulated clock and served by the oracle
API server (``oracle/fake_apiserver.py``) with every timestamp moved so that the cluster's
``now`` is the wall clock's current second; kubectl's output, dates moved back (RFC 3339 and the
``Created on:`` line's Go ``time.Time`` text), is stored in ``golden_netpol/<stem>.txt``.
``kubectl get`` asks the server for a Table, whose cells come from labkube's column set: those
goldens check what kubectl does with them; ``describe`` is kubectl's own NetworkPolicyDescriber.
"""

from __future__ import annotations

import copy
import os
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
sys.path.insert(0, str(HERE.parent))

from tests.kubectl.netpol_cases import COMMANDS, GOLDEN, build, objects  # noqa: E402
from tests.kubectl.oracle.capture import _shift, _start_of_second, _unshift_rfc3339  # noqa: E402
from tests.kubectl.oracle.fake_apiserver import FakeAPIServer  # noqa: E402

_GO_TIME = re.compile(r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) \+0000 UTC")


def _unshift_go_time(text: str, shift: int) -> str:
    def back(match: re.Match) -> str:
        when = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
        return datetime.fromtimestamp(when.timestamp() - shift, tz=timezone.utc).strftime(
            "%Y-%m-%d %H:%M:%S") + " +0000 UTC"

    return _GO_TIME.sub(back, text)


def main() -> None:
    cluster = build()
    now, served = cluster.clock.now(), objects(cluster)
    env = dict(os.environ, KUBECONFIG="/dev/null", TZ="UTC")
    GOLDEN.mkdir(exist_ok=True)
    with FakeAPIServer([]) as server:
        for stem, args in COMMANDS.items():
            seen: dict[str, str] = {}
            shift = _start_of_second() - int(now)
            server.objects = [_shift(copy.deepcopy(obj), shift, seen) for obj in served]
            server.now = now + shift
            proc = subprocess.run(["kubectl", "--server", server.url, *args], capture_output=True,
                                  text=True, env=env, timeout=60)
            text = _unshift_go_time(_unshift_rfc3339(proc.stdout, shift), shift)
            (GOLDEN / f"{stem}.txt").write_text(text)
            print(stem, "ok" if proc.returncode == 0 else proc.stderr[:300])


if __name__ == "__main__":
    main()
