"""Capture the ``kubectl replace`` goldens from the REAL kubectl 1.32 (run by hand:
``.venv/bin/python tests/kubectl/capture_replace.py [stem ...]``).

``replace`` writes: it GETs, PUTs, DELETEs and POSTs, and its output depends on what the server
answers. So the oracle API server here (a subclass of ``capture_commands.ScriptedServer``, which
serves discovery) answers every object request from a labkube cluster built by
``replace_cases.make_cluster`` -- the same cluster ``test_replace_oracle.py`` builds. The API
server's side is therefore labkube's own in both runs, and the goldens pin down kubectl's side:
which requests it sends in which order, what it prints, how it words errors, its exit code.

Real kubectl validates files client-side against ``/openapi/v2`` unless the server supports
field validation (announced through ``/openapi/v3``), and the oracle serves neither, so the real
kubectl runs with ``--validate=false`` here (as ``capture_commands.py`` does for ``apply``); the
labkube API server decodes strictly whatever the parameter says. Output is stdout then stderr
(klog lines dropped), then ``# exit N``.
"""

from __future__ import annotations

import json
import shlex
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlparse

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from labkube.core.errors import StatusError  # noqa: E402
from tests.kubectl.capture_commands import ScriptedServer  # noqa: E402
from tests.kubectl.replace_cases import CASES, case_files, make_cluster  # noqa: E402
from tests.kubectl import real_kubectl  # noqa: E402


class LabkubeBackedServer(ScriptedServer):
    """The oracle server, with object requests (GET/PUT/POST/DELETE) served by a labkube cluster."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.lock = threading.Lock()
        #: (method, path, query) of every object request, for reading what kubectl sent
        self.requests: list[tuple[str, str, str]] = []
        super().__init__([], {})

    # -- URL -> (resource type, namespace, name, subresource) ---------------------------------

    def _target(self, path: str):
        parts = [p for p in path.split("/") if p]
        if len(parts) < 3 or parts[0] not in ("api", "apis") or (parts[0] == "apis" and len(parts) < 4):
            return None
        gv, rest = ("v1", parts[2:]) if parts[0] == "api" else (f"{parts[1]}/{parts[2]}", parts[3:])
        namespace = None
        if rest[0] == "namespaces" and len(rest) >= 3:
            namespace, rest = rest[1], rest[2:]
        rtype = next((r for r in self.cluster.server.registry.all()
                      if r.api_version == gv and r.plural == rest[0]), None)
        if rtype is None:
            return None
        name = rest[1] if len(rest) > 1 else None
        subresource = rest[2] if len(rest) > 2 else None
        return rtype, namespace, name, subresource

    def serve_object(self, method: str, path: str, query: dict, body: bytes):
        target = self._target(path)
        if target is None:
            return None
        rtype, namespace, name, subresource = target
        client = self.cluster.client
        dry_run = query.get("dryRun", [""])[0] == "All"
        with self.lock:
            try:
                if method == "GET" and name is not None:
                    return 200, client.get(rtype, name, namespace, subresource=subresource)
                if method == "GET":
                    return 200, client.list(rtype, namespace,
                                            label_selector=query.get("labelSelector", [None])[0],
                                            field_selector=query.get("fieldSelector", [None])[0])
                if method == "PUT":
                    obj = json.loads(body)
                    if subresource == "scale":
                        return 200, client.update(obj, subresource="scale", resource=rtype, dry_run=dry_run)
                    return 200, client.update(obj, subresource=subresource, dry_run=dry_run)
                if method == "POST":
                    return 201, client.create(json.loads(body), namespace, dry_run=dry_run)
                if method == "DELETE":
                    options = json.loads(body) if body else {}
                    return 200, client.delete(rtype, name, namespace,
                                              propagation_policy=options.get("propagationPolicy"),
                                              grace_period_seconds=options.get("gracePeriodSeconds"),
                                              dry_run=dry_run or options.get("dryRun") == ["All"])
            except StatusError as err:
                return err.code, err.status
        return None

    def _handler(self):
        base = super()._handler()
        server = self

        class Handler(base):
            def _answer(self, method):
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                answer = server.serve_object(method, url.path, parse_qs(url.query), body)
                if answer is None and method == "GET":  # discovery
                    return super()._answer(method)
                if answer is None:
                    answer = 404, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                   "reason": "NotFound", "code": 404,
                                   "message": "the server could not find the requested resource"}
                server.requests.append((method, url.path, url.query))
                code, obj = answer
                data = json.dumps(obj).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_PUT(self):  # noqa: N802
                self._answer("PUT")

        return Handler


def kubectl_args(case: dict) -> list[str]:
    extra = ["--validate=false"] if case.get("validate_false", True) else []
    return [*shlex.split(case["command"]), *extra]


def capture(case: dict, out_dir: Path, verbose: bool = False) -> None:
    cluster = make_cluster(case)
    with tempfile.TemporaryDirectory() as tmp, LabkubeBackedServer(cluster) as srv:
        case_input = case_files(case, cluster)
        stdin = case_input.pop("-", case.get("stdin"))
        for name, text in case_input.items():
            path = Path(tmp) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        proc = real_kubectl.run(kubectl_args(case), cwd=tmp, server=srv.url, stdin=stdin, timeout=120)
    (out_dir / f"{case['stem']}.txt").write_text(real_kubectl.transcript(proc))
    print(case["stem"], proc.returncode)
    if verbose:
        for request in srv.requests:
            print("   ", *request)


def main() -> None:
    out_dir = HERE / "golden_replace"
    out_dir.mkdir(exist_ok=True)
    wanted = set(sys.argv[1:])
    for case in CASES:
        if not wanted or case["stem"] in wanted:
            capture(case, out_dir, verbose=bool(wanted))


if __name__ == "__main__":
    main()
