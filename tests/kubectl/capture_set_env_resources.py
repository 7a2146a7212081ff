"""Capture the ``set env`` / ``set resources`` goldens from the REAL kubectl 1.32 (run by hand:
``.venv/bin/python tests/kubectl/capture_set_env_resources.py [stem ...]``).

Real kubectl talks to the oracle API server of ``capture_commands.py`` (read-only fixtures plus
scripted answers), extended here to remember every PATCH it receives. For each case this
writes ``golden_set_env_resources/<stem>.txt`` (stdout, then stderr without klog lines, then
``# exit N``) and ``<stem>.patches`` (one JSON line per PATCH: path, whether it was a server
dry run, and the patch body exactly as kubectl sent it).
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
from tests.kubectl.set_env_resources_cases import CASES  # noqa: E402
from tests.kubectl import real_kubectl  # noqa: E402

OUT = HERE / "golden_set_env_resources"


class RecordingServer(ScriptedServer):
    """The scripted oracle, remembering the PATCH requests (a PATCH not scripted gets 404)."""

    def __init__(self, objects, scripted):
        self.patches: list[dict] = []
        super().__init__(objects, scripted)

    def _handler(self):
        base = super()._handler()
        server = self

        class Handler(base):
            def do_PATCH(self):  # noqa: N802
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                query = parse_qs(url.query)
                server.patches.append({"path": url.path, "dryRun": query.get("dryRun") == ["All"],
                                       "contentType": self.headers.get("Content-Type", ""),
                                       "body": body})
                code, answer = server.scripted.get(("PATCH", url.path), (404, {
                    "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                    "reason": "NotFound", "code": 404, "message": "not scripted"}))
                data = json.dumps(answer).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


def capture(case: dict) -> None:
    with tempfile.TemporaryDirectory() as tmp, RecordingServer(case.get("objects", []),
                                                               case.get("scripted", {})) as srv:
        for name, text in case.get("files", {}).items():
            (Path(tmp) / name).write_text(text)
        proc = real_kubectl.run(shlex.split(case["command"]), cwd=tmp, server=srv.url,
                                stdin=case.get("stdin", ""))
        patches = list(srv.patches)
    (OUT / f"{case['stem']}.txt").write_text(real_kubectl.transcript(proc))
    (OUT / f"{case['stem']}.patches").write_text("".join(json.dumps(p, sort_keys=True) + "\n" for p in patches))
    print(case["stem"], proc.returncode, len(patches))


def main() -> None:
    OUT.mkdir(exist_ok=True)
    wanted = set(sys.argv[1:])
    for case in CASES:
        if not wanted or case["stem"] in wanted:
            capture(case)


if __name__ == "__main__":
    main()
