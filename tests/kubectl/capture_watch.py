"""Capture the ``kubectl get -w`` goldens from the REAL kubectl 1.32 (run by hand:
``.venv/bin/python tests/kubectl/capture_watch.py [stem ...]``).

:class:`WatchServer` is the oracle API server with watches that behave as kube-apiserver's:

* it serves what labkube's API server held when the command started (``watch_cases.record``):
  LISTs with a resourceVersion, GETs, and ``meta.k8s.io/v1`` Tables when kubectl asks for them
  (cells from labkube's column functions, ages measured at the simulated time);
* a WATCH from a list's resourceVersion streams the changes after it; a WATCH from ``0`` (kubectl
  watches a single named object so) first sends a synthetic ADDED for what exists;
* the recorded changes are released when the watch starts and streamed in order; a Table
  watch event carries its cells computed at the change's simulated time, and only the first
  event of a watch carries the column definitions (``watchEmbeddedEncoder`` sets ``NoHeaders``
  after the first object);
* the watch stays open: kubectl's ``--request-timeout`` ends it, as on a real cluster. Those
  whose simulated timeout is long run with ``--request-timeout=2s`` here, since the recorded
  changes already are those of the whole simulated window;
* ``realtime`` cases (``kubectl events -w``, whose LAST SEEN kubectl measures against the
  machine's clock) stream each change when its simulated time comes, in wall time, with every
  timestamp shifted by (wall time - simulated time) at the watch's start; they keep their
  ``--request-timeout``.

Output is stdout then stderr (klog lines dropped), then ``# exit N``.
"""

from __future__ import annotations

import copy
import json
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
from tests.kubectl.oracle.fake_apiserver import _field_match, _label_match  # noqa: E402
from tests.kubectl import real_kubectl  # noqa: E402

FIRST_RV = 100
#: How long the oracle holds a watch open at most (kubectl's timeout ends it well before).
HOLD = 30.0


def _key(obj: dict) -> tuple:
    meta = obj.get("metadata") or {}
    return obj.get("kind"), meta.get("namespace"), meta.get("name")


class WatchServer(ScriptedServer):
    def __init__(self, recorded: dict, realtime: bool = False) -> None:
        super().__init__([copy.deepcopy(o) for o in recorded["objects"]], {})
        self.realtime = realtime
        self.now = recorded["start"]
        self.start = recorded["start"]
        self.pending = list(recorded["events"])
        self.history: list[tuple[int, float, str, dict]] = []
        self.rv = FIRST_RV
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    def __exit__(self, *exc):
        self.stopping.set()
        super().__exit__(*exc)

    def release(self) -> None:
        """Apply the recorded changes (once, when the first watch starts)."""
        with self.lock:
            for offset, kind, obj in self.pending:
                self.rv += 1
                key = _key(obj)
                self.objects = [o for o in self.objects if _key(o) != key]
                if kind != "DELETED":
                    self.objects.append(obj)
                self.history.append((self.rv, offset, kind, obj))
            self.pending = []

    def selection(self, path: str, query: dict):
        parts = [p for p in path.split("/") if p]
        gv, rest = ("v1", parts[2:]) if parts[0] == "api" else (f"{parts[1]}/{parts[2]}", parts[3:])
        namespace = rest[1] if len(rest) > 2 and rest[0] == "namespaces" else None
        rtype = next((r for r in self.groups.get(gv, []) if r.plural == rest[-1]), None)
        fields = query.get("fieldSelector", [""])[0]
        labels = query.get("labelSelector", [""])[0]

        def matches(obj: dict) -> bool:
            return (rtype is not None and obj.get("kind") == rtype.kind
                    and (namespace is None or obj["metadata"].get("namespace") == namespace)
                    and _field_match(obj, fields) and _label_match(obj, labels))

        return rtype, matches

    def table_event(self, obj: dict, now: float, with_columns: bool) -> dict:
        from labkube.kubectl.printers.columns import column_set

        cset = column_set(obj["kind"])
        columns = [{"name": c.name, "type": "string", "format": "name" if c.is_name else "",
                    "description": "", "priority": c.priority} for c in cset.columns]
        return {"kind": "Table", "apiVersion": "meta.k8s.io/v1",
                "metadata": {"resourceVersion": obj["metadata"].get("resourceVersion", "")},
                "columnDefinitions": columns if with_columns else None,
                "rows": [{"cells": cset.row(obj, now),
                          "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                                     "metadata": obj["metadata"]}}]}

    def _handler(self):
        base = super()._handler()
        server = self

        class Handler(base):
            def do_GET(self):  # noqa: N802
                url = urlparse(self.path)
                query = parse_qs(url.query)
                if query.get("watch", [""])[0] in ("true", "1"):
                    self._watch(url.path, query)
                    return
                try:
                    code, body = server.route(url.path, query, self.headers.get("Accept", ""))
                except (IndexError, KeyError):
                    code, body = 404, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                                       "status": "Failure", "reason": "NotFound", "code": 404,
                                       "message": "the server could not find the requested resource"}
                if code == 200 and isinstance(body, dict) and ("items" in body or "rows" in body) \
                        and "metadata" in body:
                    body["metadata"] = {"resourceVersion": str(server.rv)}
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _watch(self, path, query):
                rtype, matches = server.selection(path, query)
                as_table = "as=Table" in self.headers.get("Accept", "")
                start_rv = query.get("resourceVersion", ["0"])[0] or "0"
                events: list[tuple[float, str, dict]] = []
                if start_rv == "0":
                    events += [(0.0, "ADDED", o) for o in server.objects if matches(o)]
                server.release()
                events += [(offset, kind, obj) for rv, offset, kind, obj in server.history
                           if rv > int(start_rv) and matches(obj)]
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                wall = time.time()
                for index, (offset, kind, obj) in enumerate(events):
                    if server.realtime:
                        server.stopping.wait(max(0.0, wall + offset - time.time()))
                        obj = _shift(obj, wall - server.start)
                    shown = server.table_event(obj, server.start + offset, index == 0) if as_table else obj
                    try:
                        self.wfile.write(json.dumps({"type": kind, "object": shown}).encode() + b"\n")
                        self.wfile.flush()
                    except OSError:
                        return
                server.stopping.wait(HOLD)

        return Handler


_TIMESTAMP = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?Z$")


def _shift(value, seconds: float):
    """Every RFC 3339 timestamp in ``value`` moved by ``seconds`` (whole seconds kept whole)."""
    from datetime import datetime, timedelta, timezone

    if isinstance(value, dict):
        return {k: _shift(v, seconds) for k, v in value.items()}
    if isinstance(value, list):
        return [_shift(v, seconds) for v in value]
    match = _TIMESTAMP.match(value) if isinstance(value, str) else None
    if match is None:
        return value
    when = datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    fraction = float(match.group(2) or 0)
    moved = when + timedelta(seconds=fraction + seconds)
    if match.group(2):
        return moved.strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"
    return moved.strftime("%Y-%m-%dT%H:%M:%S") + "Z"


def oracle_command(command: str) -> str:
    """The command the real kubectl runs: a long simulated timeout becomes 2 s of wall time."""
    def shorten(match: re.Match) -> str:
        value = match.group(1)
        return "--request-timeout=2s" if value not in ("1s", "ten") else match.group(0)

    return re.sub(r"--request-timeout=(\S+)", shorten, command)


def kubectl_output(recorded: dict, command: str, files: dict | None = None, realtime: bool = False) -> str:
    with tempfile.TemporaryDirectory() as tmp, WatchServer(recorded, realtime) as srv:
        for name, text in (files or {}).items():
            (Path(tmp) / name).write_text(text)
        args = shlex.split(command if realtime else oracle_command(command))
        proc = real_kubectl.run(args, cwd=tmp, server=srv.url, timeout=120)
    return real_kubectl.transcript(proc)


def capture(case: dict, out_dir: Path) -> None:
    from tests.kubectl.watch_cases import record

    text = kubectl_output(record(case), case["command"], case.get("files"), case.get("realtime", False))
    (out_dir / f"{case['stem']}.txt").write_text(text)
    print(case["stem"], text.rsplit("# exit ", 1)[1].strip())


def main() -> None:
    from tests.kubectl.watch_cases import CASES

    real_kubectl.capture_cases(CASES, HERE / "golden_watch", capture)


if __name__ == "__main__":
    main()
