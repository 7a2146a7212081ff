"""Capture the operations goldens from the REAL kubectl 1.32 (run by hand:
``.venv/bin/python tests/kubectl/capture_ops.py``).

Real kubectl talks to the oracle API server of ``capture_commands.py`` (read-only fixtures plus
scripted answers), extended here with text bodies (pod logs) and, for ``metrics`` cases, the
``metrics.k8s.io/v1beta1`` group. Output is stdout then stderr (klog lines dropped), then
``# exit N``.
"""

from __future__ import annotations

import json
import shlex
import sys
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlparse

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from tests.kubectl.capture_commands import ScriptedServer  # noqa: E402
from tests.kubectl.ops_cases import CASES, METRICS_NODES, METRICS_PODS  # noqa: E402
from tests.kubectl import real_kubectl  # noqa: E402

METRICS_GV = "metrics.k8s.io/v1beta1"


class OpsServer(ScriptedServer):
    def __init__(self, objects, scripted, metrics: bool):
        self.metrics = metrics
        super().__init__(objects, scripted)

    def _group_list(self) -> dict:
        groups = super()._group_list()
        if self.metrics:
            groups["groups"].append({"name": "metrics.k8s.io", "versions": [
                {"groupVersion": METRICS_GV, "version": "v1beta1"}],
                "preferredVersion": {"groupVersion": METRICS_GV, "version": "v1beta1"}})
        return groups

    def route(self, path, query, accept=""):
        if self.metrics and path.startswith("/apis/metrics.k8s.io/v1beta1"):
            return self._metrics(path)
        return super().route(path, query, accept)

    def _metrics(self, path):
        parts = [p for p in path.split("/") if p]
        if len(parts) == 3:
            return 200, {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": METRICS_GV,
                         "resources": [{"name": "nodes", "singularName": "", "namespaced": False,
                                        "kind": "NodeMetrics", "verbs": ["get", "list"]},
                                       {"name": "pods", "singularName": "", "namespaced": True,
                                        "kind": "PodMetrics", "verbs": ["get", "list"]}]}
        if parts[-1] == "nodes":
            return 200, METRICS_NODES
        if parts[-1] == "pods":
            return 200, METRICS_PODS
        return 404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 404,
                     "reason": "NotFound", "message": "not found"}

    def _handler(self):
        base = super()._handler()
        server = self

        class Handler(base):
            def do_GET(self):  # noqa: N802
                url = urlparse(self.path)
                scripted = server.scripted.get(("GET", url.path))
                if scripted is not None and isinstance(scripted[1], str):
                    data = scripted[1].encode()
                    self.send_response(scripted[0])
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                if scripted is None and server.metrics and url.path.startswith("/apis/metrics.k8s.io"):
                    code, body = server.route(url.path, parse_qs(url.query))
                    data = json.dumps(body).encode()
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                self._answer("GET")

        return Handler


def capture(case: dict, out_dir: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp, OpsServer(case.get("objects", []), case.get("scripted", {}),
                                                         case.get("metrics", False)) as srv:
        proc = real_kubectl.run(shlex.split(case["command"]), cwd=tmp, server=srv.url)
    (out_dir / f"{case['stem']}.txt").write_text(real_kubectl.transcript(proc))
    print(case["stem"], proc.returncode)


def main() -> None:
    real_kubectl.capture_cases(CASES, HERE / "golden_ops", capture)


if __name__ == "__main__":
    main()
