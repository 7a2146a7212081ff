"""Capture the duplicate-key goldens from the REAL kubectl 1.32 (run by hand:
``.venv/bin/python tests/kubectl/capture_dupkeys.py [stem ...]``).

Real kubectl talks to a labkube cluster's own HTTP front (``APIServerHTTP``) served on
127.0.0.1, which also answers ``/openapi/v3`` the way kube-apiserver 1.32 does for what kubectl
asks there: each group/version's PATCH operations list the ``fieldValidation`` parameter, so
kubectl knows the server validates fields itself and sends ``fieldValidation=Strict`` (or what
``--validate`` says) instead of validating client-side -- as against a real 1.32 cluster.

A golden holds, per command, ``$ kubectl <command>``, stdout, stderr (klog lines dropped) and
``# exit N``; then ``# requests`` and every write kubectl sent (method, path with query, and
the JSON body on the next line), which is what shows that the duplicates never leave kubectl.
"""

from __future__ import annotations

import json
import shlex
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from labkube.core.api import auth  # noqa: E402
from tests.kubectl import real_kubectl  # noqa: E402
from tests.kubectl.dupkeys_cases import CASES, make_cluster, render  # noqa: E402

GOLDEN = HERE / "golden_dupkeys"


def _openapi_v3(cluster, path: str) -> dict:
    """The OpenAPI v3 index, or one group/version's document reduced to what kubectl's
    ``queryParamVerifierV3`` reads: PATCH operations with their GVK and parameters."""
    versions: dict[str, list] = {}
    for rtype in cluster.server.registry.all():
        versions.setdefault(rtype.api_version, []).append(rtype)
    rest = [p for p in path.split("/") if p][2:]
    if not rest:
        def url(gv):
            return "api/v1" if gv == "v1" else f"apis/{gv}"
        return {"paths": {url(gv): {"serverRelativeURL": f"/openapi/v3/{url(gv)}?hash=0"} for gv in versions}}
    gv = "v1" if rest[0] == "api" else "/".join(rest[1:3])
    prefix = "/api/v1" if gv == "v1" else f"/apis/{gv}"
    paths = {}
    for rtype in versions.get(gv, []):
        scoped = f"{prefix}/namespaces/{{namespace}}/{rtype.plural}" if rtype.namespaced else f"{prefix}/{rtype.plural}"
        paths[scoped + "/{name}"] = {"patch": {
            "x-kubernetes-group-version-kind": {"group": rtype.group, "version": rtype.version, "kind": rtype.kind},
            "parameters": [{"name": "fieldValidation", "in": "query", "schema": {"type": "string"}}]}}
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.32.0"}, "paths": paths,
            "components": {"schemas": {}}}


class FrontServer:
    """A labkube cluster's HTTP front on 127.0.0.1, recording the writes it receives."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.lock = threading.Lock()
        self.writes: list[tuple[str, str, bytes]] = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = urlsplit(self.path).path
                with server.lock:
                    if path.startswith("/openapi/v3"):
                        status, headers = 200, [("Content-Type", "application/json")]
                        data = json.dumps(_openapi_v3(server.cluster, path)).encode()
                    else:
                        if self.command in ("POST", "PUT", "PATCH"):
                            server.writes.append((self.command, self.path, body))
                        reply = server.cluster.apiserver_http.serve(self.command, self.path, dict(self.headers),
                                                                   body, user=auth.ADMIN)
                        status, headers, data = reply.status, list(reply.headers), reply.body
                self.send_response(status)
                for key, value in headers:
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        return Handler


def _kubectl(url: str, command: str, folder: Path, stdin: str | None) -> tuple[str, str, int]:
    done = real_kubectl.run(shlex.split(command), cwd=folder, server=url, stdin=stdin)
    return done.stdout, real_kubectl.without_klog(done.stderr), done.returncode


def capture(case: dict) -> str:
    cluster = make_cluster()
    front = FrontServer(cluster)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            for name, text in case.get("files", {}).items():
                (folder / name).write_text(text)
            outputs = []
            for command in case["commands"]:
                out, err, code = _kubectl(front.url, command, folder, case.get("stdin"))
                outputs.append((command, out, err, code))
    finally:
        front.close()
    requests = "".join(f"{method} {target}\n{body.decode().rstrip()}\n" for method, target, body in front.writes)
    return render(outputs) + "# requests\n" + requests


def main(stems: list[str]) -> None:
    GOLDEN.mkdir(exist_ok=True)
    for case in CASES:
        if stems and case["stem"] not in stems:
            continue
        text = capture(case)
        (GOLDEN / f"{case['stem']}.txt").write_text(text)
        print(f"--- {case['stem']}\n{text}")


if __name__ == "__main__":
    main(sys.argv[1:])
