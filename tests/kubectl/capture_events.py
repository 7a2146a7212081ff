"""Capture the ``kubectl events`` goldens from the REAL kubectl 1.32 (run by hand:
``.venv/bin/python tests/kubectl/capture_events.py [stem ...]``).

Real kubectl talks to the oracle API server (``oracle/fake_apiserver.py``: discovery from
labkube's resource registry, LIST with namespaces and field selectors) holding the case's
Events. kubectl measures LAST SEEN against the wall clock, so each fixture is built with
"now" = the start of the current wall-clock second, and dates kubectl prints (``-o yaml``,
``-o json``, jsonpath) are moved back to the fixtures' own time base (``events_cases.NOW``).
Output is stdout then stderr (klog lines dropped), then ``# exit N``.
"""

from __future__ import annotations

import re
import shlex
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from tests.kubectl.events_cases import CASES, NOW, key_order  # noqa: E402
from tests.kubectl.oracle.fake_apiserver import FakeAPIServer  # noqa: E402
from tests.kubectl import real_kubectl  # noqa: E402

GOLDEN = HERE / "golden_events"
_RFC3339 = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?Z")


def start_of_second() -> int:
    """Wait for a fresh wall-clock second, so ages stay exact while kubectl runs (< 1 s)."""
    while time.time() % 1 > 0.02:
        time.sleep(0.005)
    return int(time.time())


def back_to_fixture_time(text: str, shift: int) -> str:
    """Every RFC 3339 date in ``text`` moved ``shift`` seconds back (fractions kept)."""

    def back(match: re.Match) -> str:
        when = datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
        moved = datetime.fromtimestamp(when.timestamp() - shift, tz=timezone.utc)
        return moved.strftime("%Y-%m-%dT%H:%M:%S") + (match.group(2) or "") + "Z"

    return _RFC3339.sub(back, text)


def served(events: list[dict]) -> list[dict]:
    """The fixture as the oracle stores it: typed, in storage-key order."""
    return [{"apiVersion": "v1", "kind": "Event", **event} for event in key_order(events)]


def capture(case: dict, server: FakeAPIServer) -> str:
    """One run of kubectl that finished within its wall-clock second (so no age drifted)."""
    for _ in range(10):
        with tempfile.TemporaryDirectory() as home:
            now = start_of_second()
            server.objects = served(case["fixture"](float(now)))
            proc = real_kubectl.run(shlex.split(case["command"]), cwd=home, server=server.url)
        if time.time() - now < 0.95:
            break
    else:
        raise SystemExit(f"{case['stem']}: kubectl never finished within a second")
    return back_to_fixture_time(real_kubectl.transcript(proc), now - int(NOW))


def main() -> None:
    GOLDEN.mkdir(exist_ok=True)
    wanted = set(sys.argv[1:])
    with FakeAPIServer([]) as server:
        for case in CASES:
            if wanted and case["stem"] not in wanted:
                continue
            text = capture(case, server)
            (GOLDEN / f"{case['stem']}.txt").write_text(text)
            print(case["stem"], text.rsplit("# exit ", 1)[1].strip())


if __name__ == "__main__":
    main()
