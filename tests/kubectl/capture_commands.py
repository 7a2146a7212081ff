"""Capture command goldens from the REAL kubectl 1.32 (run by hand:
``.venv/bin/python tests/kubectl/capture_commands.py``).

Real kubectl talks to PRINTERS' read-only ``FakeAPIServer`` on 127.0.0.1, extended here with
the scripted responses of ``command_cases.py`` for writes (POST/PATCH/DELETE). Output is
stdout then stderr (klog lines dropped), then ``# exit N``. The installed kubectl is a
"dispatcher" build; for these cases its output is the upstream kubectl's.
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

from tests.kubectl.command_cases import CASES  # noqa: E402
from tests.kubectl.oracle.fake_apiserver import FakeAPIServer  # noqa: E402
from tests.kubectl import real_kubectl  # noqa: E402


class ScriptedServer(FakeAPIServer):
    def __init__(self, objects, scripted):
        self.scripted = scripted
        super().__init__(objects)

    def _handler(self):
        base = super()._handler()
        server = self

        class Handler(base):
            def _answer(self, method):
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                sent = self.rfile.read(length) if length else b""
                scripted = server.scripted.get((method, url.path))
                if scripted is not None:
                    code, body = scripted
                    body = json.loads(sent) if body == "echo" else body
                else:
                    try:
                        code, body = server.route(url.path, parse_qs(url.query))
                    except (IndexError, KeyError):
                        code, body = 404, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                                           "status": "Failure", "reason": "NotFound", "code": 404,
                                           "message": "the server could not find the requested resource"}
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802
                self._answer("GET")

            def do_POST(self):  # noqa: N802
                self._answer("POST")

            def do_PATCH(self):  # noqa: N802
                self._answer("PATCH")

            def do_DELETE(self):  # noqa: N802
                self._answer("DELETE")

        return Handler


def case_files(case: dict) -> dict[str, str]:
    """The files a case needs, including a YAML-error sample from ``golden_yaml/``."""
    files = dict(case.get("files", {}))
    if "yaml_file" in case:
        files[case["yaml_file"]] = (HERE / "golden_yaml" / case["yaml_file"]).read_text()
    return files


def capture(case: dict, out_dir: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp, ScriptedServer(case.get("objects", []),
                                                              case.get("scripted", {})) as srv:
        for name, text in case_files(case).items():
            (Path(tmp) / name).write_text(text)
        words = shlex.split(case["command"])
        # Real kubectl validates files against /openapi/v2, which the oracle does not serve;
        # labkube's API server validates instead, so the oracle skips client-side validation.
        extra = ["--validate=false"] if words[0] in ("apply", "create") else []
        proc = real_kubectl.run([*words, *extra], cwd=tmp, server=srv.url)
    (out_dir / f"{case['stem']}.txt").write_text(real_kubectl.transcript(proc))
    print(case["stem"], proc.returncode)


def main() -> None:
    real_kubectl.capture_cases(CASES, HERE / "golden_commands", capture)


if __name__ == "__main__":
    main()
