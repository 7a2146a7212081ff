"""Capture the ``kubectl wait`` goldens from the REAL kubectl 1.32 (run by hand:
``.venv/bin/python tests/kubectl/capture_wait.py [stem ...]``).

``kubectl wait`` needs more than the read-only oracle: it lists with a field selector, then
WATCHes from the list's resourceVersion, and ``--for=create`` polls GET until the object
appears. :class:`WaitServer` extends ``capture_commands.ScriptedServer`` with a *timeline*:
each case's ``timeline`` entries (seconds after kubectl's first request, event type, object)
change the served objects when their time comes, bump the resourceVersion, and are streamed
to every open watch whose selection they match, as kube-apiserver would.

The objects served are labkube's own: the capture builds the case's labkube cluster
(:func:`tests.kubectl.wait_cases.build`) and serves what labkube stored, so ``-o yaml`` and
``-o json`` compare the printers, not two different objects. Output is stdout then stderr
(klog lines dropped), then ``# exit N``.
"""

from __future__ import annotations

import json
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

#: The first resourceVersion the oracle serves; each timeline entry adds one.
FIRST_RV = 100


class WaitServer(ScriptedServer):
    """The oracle API server, with objects that change on a timeline and watches that see it."""

    def __init__(self, objects: list[dict], timeline: list[tuple[float, str, dict]]) -> None:
        super().__init__([dict(o) for o in objects], {})
        self.timeline = sorted(timeline, key=lambda entry: entry[0])
        self.applied = 0
        self.rv = FIRST_RV
        self.started: float | None = None
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.requests: list[str] = []
        #: (resourceVersion, type, object) of every applied timeline entry, for watches
        self.history: list[tuple[int, str, dict]] = []

    def __exit__(self, *exc):
        self.stopping.set()
        super().__exit__(*exc)

    # -- the timeline ------------------------------------------------------------------------
    def advance(self, path: str = "") -> None:
        """Apply every timeline entry whose time has come. The timeline starts with kubectl's
        first request for objects (after discovery), where labkube's command starts too."""
        with self.lock:
            if self.started is None:
                if _is_discovery(path):
                    return
                self.started = time.monotonic()
            elapsed = time.monotonic() - self.started
            while self.applied < len(self.timeline) and self.timeline[self.applied][0] <= elapsed:
                _, kind, obj = self.timeline[self.applied]
                self.applied += 1
                self.rv += 1
                self._apply(kind, obj)
                self.history.append((self.rv, kind, obj))

    def _apply(self, kind: str, obj: dict) -> None:
        key = _key(obj)
        self.objects = [o for o in self.objects if _key(o) != key]
        if kind != "DELETED":
            self.objects.append(obj)

    def route(self, path, query, accept=""):
        self.advance(path)
        code, body = super().route(path, query, accept)
        if code == 200 and isinstance(body, dict) and "items" in body:
            body = {**body, "metadata": {"resourceVersion": str(self.rv)}}
        return code, body

    # -- watches -----------------------------------------------------------------------------
    def events_after(self, rv: int, path: str, query: dict) -> list[tuple[int, dict]]:
        """The (resourceVersion, event) pairs after ``rv`` that a watch on ``path`` sees."""
        parts = [p for p in path.split("/") if p]
        gv, rest = ("v1", parts[2:]) if parts[0] == "api" else (f"{parts[1]}/{parts[2]}", parts[3:])
        namespace = rest[1] if len(rest) > 2 and rest[0] == "namespaces" else None
        plural = rest[-1]
        rtype = next((r for r in self.groups.get(gv, []) if r.plural == plural), None)
        fields = query.get("fieldSelector", [""])[0]
        labels = query.get("labelSelector", [""])[0]
        found = []
        for event_rv, kind, obj in self.history:
            if event_rv <= rv or rtype is None or obj.get("kind") != rtype.kind:
                continue
            if namespace is not None and obj["metadata"].get("namespace") != namespace:
                continue
            if _field_match(obj, fields) and _label_match(obj, labels):
                found.append((event_rv, {"type": kind, "object": obj}))
        return found

    def _handler(self):
        base = super()._handler()
        server = self

        class Handler(base):
            def do_GET(self):  # noqa: N802
                url = urlparse(self.path)
                query = parse_qs(url.query)
                server.requests.append(self.path)
                if query.get("watch", [""])[0] in ("true", "1"):
                    self._watch(url.path, query)
                    return
                super().do_GET()

            def _watch(self, path, query):
                rv = int(query.get("resourceVersion", [str(FIRST_RV)])[0] or FIRST_RV)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                deadline = time.monotonic() + 120
                while not server.stopping.is_set() and time.monotonic() < deadline:
                    server.advance(path)
                    for event_rv, event in server.events_after(rv, path, query):
                        rv = event_rv
                        try:
                            self.wfile.write(json.dumps(event).encode() + b"\n")
                            self.wfile.flush()
                        except OSError:
                            return
                    server.stopping.wait(0.05)

        return Handler


def _is_discovery(path: str) -> bool:
    parts = [p for p in path.split("/") if p]
    return parts in (["version"], ["api"], ["apis"], ["api", "v1"]) or (parts[:1] == ["apis"] and len(parts) <= 3)


def _key(obj: dict) -> tuple:
    meta = obj.get("metadata") or {}
    return obj.get("kind"), meta.get("namespace"), meta.get("name")


def kubectl_output(objects: list[dict], timeline: list, command: str, files: dict | None = None) -> str:
    """What the real kubectl prints for ``command`` against a WaitServer."""
    with tempfile.TemporaryDirectory() as tmp, WaitServer(objects, timeline) as srv:
        for name, text in (files or {}).items():
            (Path(tmp) / name).write_text(text)
        proc = real_kubectl.run(shlex.split(command), cwd=tmp, server=srv.url, timeout=120)
    return real_kubectl.transcript(proc)


def capture(case: dict, out_dir: Path) -> None:
    from tests.kubectl.wait_cases import served

    objects, timeline = served(case)
    text = kubectl_output(objects, timeline, case["command"], case.get("files"))
    (out_dir / f"{case['stem']}.txt").write_text(text)
    print(case["stem"], text.rsplit("# exit ", 1)[1].strip())


def main() -> None:
    from tests.kubectl.wait_cases import CASES

    real_kubectl.capture_cases(CASES, HERE / "golden_wait", capture)


if __name__ == "__main__":
    main()
