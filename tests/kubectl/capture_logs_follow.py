"""Capture the ``kubectl logs -f`` goldens from the REAL kubectl 1.32 (run by hand:
``.venv/bin/python tests/kubectl/capture_logs_follow.py [stem ...]``).

:class:`LogServer` is the oracle API server (``capture_commands.ScriptedServer``) serving what
labkube's API server held when the command started (``logs_follow_cases.record``), plus the
``pods/NAME/log`` streams labkube's API server answered:

* a log request gets the stream recorded for its pod and container -- or the API error that
  refused it, as a ``Status``; one labkube never made (it stopped at another stream's error)
  is answered with a stream that stays silent; kubectl's query (``tailLines``, ``sinceSeconds``, ``limitBytes``
  ...) is compared with labkube's request and a difference is reported on this script's output;
* a stream writes what it carried at the simulated times it carried it, squeezed into wall
  time: the log so far of the i-th stream at 0.3 s x i after the first log request (kubectl
  reads several streams at once, in no set order; spacing them makes the order labkube's), the
  lines after it within 1.5 s, in order. A stream that ended by itself (the container stopped,
  ``limitBytes`` spent) is closed after its last line; one still open is held open, and the
  command's ``--request-timeout`` -- squeezed the same way -- ends it, as on a real cluster;
* client-go words the end of a body read by its timeout in one of two ways, by a race in Go's
  net/http: ``net/http: request canceled (Client.Timeout or context cancellation while reading
  body)`` most of the time, sometimes ``context deadline exceeded (...)``, or with
  ``--ignore-errors`` just ``context deadline exceeded``. The capture keeps the first wording,
  which labkube prints.

Output is stdout then stderr (klog lines dropped), then ``# exit N``.
"""

from __future__ import annotations

import json
import math
import re
import shlex
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from tests.kubectl.capture_commands import ScriptedServer  # noqa: E402
from tests.kubectl import real_kubectl  # noqa: E402

#: Wall seconds between the starts of two streams, and for the lines after the log so far.
SPACING = 0.3
LIVE = 1.5
#: How long the oracle holds an open stream at most (kubectl's timeout ends it well before).
HOLD = 30.0
CANONICAL = "net/http: request canceled (Client.Timeout or context cancellation while reading body)"


class LogServer(ScriptedServer):
    def __init__(self, recorded: dict, window: float) -> None:
        super().__init__(recorded["objects"], {})
        self.streams = [dict(s, used=False) for s in recorded["streams"]]
        self.window = window
        self.first_request: float | None = None
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.mismatches: list[str] = []

    def __exit__(self, *exc):
        self.stopping.set()
        super().__exit__(*exc)

    def take(self, pod: str, query: dict) -> tuple[int, dict | None]:
        container = query.get("container", [None])[0]
        with self.lock:
            if self.first_request is None:
                self.first_request = time.time()
            for index, stream in enumerate(self.streams):
                if not stream["used"] and stream["pod"] == pod and stream["container"] == container:
                    stream["used"] = True
                    self._compare(stream, query)
                    return index, stream
        self.mismatches.append(f"(labkube did not open {pod}/{container})")
        return 0, None

    def _compare(self, stream: dict, query: dict) -> None:
        wanted = stream["query"]
        expected = {"container": wanted.get("container"),
                    "follow": "true" if wanted.get("follow") else None,
                    "previous": "true" if wanted.get("previous") else None,
                    "timestamps": "true" if wanted.get("timestamps") else None,
                    "tailLines": _text(wanted.get("tail_lines")),
                    "sinceSeconds": _text(wanted.get("since_seconds")),
                    "sinceTime": wanted.get("since_time"),
                    "limitBytes": _text(wanted.get("limit_bytes"))}
        got = {key: query.get(key, [None])[0] for key in expected}
        if got != expected:
            self.mismatches.append(f"{stream['pod']}: kubectl asked {got}, labkube {expected}")

    def wall_time(self, index: int, offset: float) -> float:
        """When (wall) the stream's text of ``offset`` simulated seconds after the start is sent."""
        if offset <= 0:
            return self.first_request + SPACING * index
        return self.first_request + SPACING * len(self.streams) + LIVE * offset / self.window + 0.02 * index

    def _handler(self):
        base = super()._handler()
        server = self

        class Handler(base):
            def do_GET(self):  # noqa: N802
                url = urlparse(self.path)
                parts = [p for p in url.path.split("/") if p]
                if parts[-1:] == ["log"]:
                    self._log(parts[-2], parse_qs(url.query))
                    return
                super().do_GET()

            def _log(self, pod: str, query: dict) -> None:
                index, stream = server.take(pod, query)
                if stream is None:  # labkube never opened it (another stream failed first)
                    stream = {"error": None, "chunks": [], "ended": False}
                if stream["error"]:
                    self._status(*stream["error"])
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                for offset, text in stream["chunks"]:
                    server.stopping.wait(max(0.0, server.wall_time(index, offset) - time.time()))
                    try:
                        self.wfile.write(text.encode())
                        self.wfile.flush()
                    except OSError:
                        return
                if not stream["ended"]:
                    server.stopping.wait(HOLD)

            def _status(self, code: int, reason: str, message: str) -> None:
                data = json.dumps({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                   "message": message, "reason": reason, "code": code}).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


def _text(value) -> str | None:
    return None if value is None else str(value)


def simulated_timeout(command: str) -> float:
    """The command's ``--request-timeout`` in simulated seconds (30 when it has none)."""
    from labkube.kubectl.parse import go_duration_seconds

    match = re.search(r"--request-timeout=(\S+)", command)
    if not match:
        return 30.0
    value = match.group(1)
    return float(value) if value.isdigit() else go_duration_seconds(value)


def oracle_command(command: str, streams: int) -> str:
    """The command the real kubectl runs: its timeout squeezed as the streams are."""
    wall = math.ceil(SPACING * streams + LIVE + 1.0)
    return re.sub(r"--request-timeout=\S+", f"--request-timeout={wall}s", command)


def normalized(stderr_or_stdout: str) -> str:
    """The timeout's other wordings (see the module docstring) as the canonical one."""
    text = stderr_or_stdout.replace(
        "context deadline exceeded (Client.Timeout or context cancellation while reading body)", CANONICAL)
    return re.sub(r"^error: context deadline exceeded$", f"error: {CANONICAL}", text, flags=re.M)


def kubectl_output(recorded: dict, command: str) -> tuple[str, list[str]]:
    with tempfile.TemporaryDirectory() as tmp, LogServer(recorded, simulated_timeout(command)) as srv:
        args = shlex.split(oracle_command(command, len(recorded["streams"])))
        proc = real_kubectl.run(args, cwd=tmp, server=srv.url, timeout=120)
        mismatches = list(srv.mismatches)
    stderr = real_kubectl.without_klog(proc.stderr)
    return normalized(proc.stdout) + normalized(stderr) + f"# exit {proc.returncode}\n", mismatches


def capture(case: dict, out_dir: Path) -> None:
    from tests.kubectl.logs_follow_cases import record

    text, mismatches = kubectl_output(record(case), case["command"])
    (out_dir / f"{case['stem']}.txt").write_text(text)
    print(case["stem"], text.rsplit("# exit ", 1)[1].strip(), *mismatches)


def main() -> None:
    from tests.kubectl.logs_follow_cases import CASES

    real_kubectl.capture_cases(CASES, HERE / "golden_logs_follow", capture)


if __name__ == "__main__":
    main()
