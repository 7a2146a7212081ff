"""Capture the ``kubectl config`` goldens from the REAL kubectl 1.32 (run by hand:
``.venv/bin/python tests/kubectl/capture_config.py [stem ...]``).

Each case of ``config_cases.py`` runs on a temporary KUBECONFIG holding exactly the kubeconfig
a new labkube cluster holds (``Kubeconfig.admin()`` as YAML). ``kubectl config`` needs no
server; the few other commands here fail while reading the kubeconfig, before any request.
Should one go further, ``HTTPS_PROXY`` points at a closed loopback port, so the simulated
address in the file is never dialed.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from labkube.kubectl.commands.kubeconfig import PATH as KUBECONFIG_PATH, Kubeconfig  # noqa: E402
from labkube.kubectl.output import to_yaml  # noqa: E402
from tests.kubectl.config_cases import CASES, GOLDEN  # noqa: E402


def _kubectl(command: str, folder: Path) -> str:
    env = {"PATH": "/usr/bin:/bin:/usr/local/bin", "KUBECONFIG": str(folder / "config"), "HOME": str(folder),
           "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}
    done = subprocess.run(["kubectl", *shlex.split(command)], cwd=folder, capture_output=True, text=True,
                          env=env, timeout=60, stdin=subprocess.DEVNULL)
    err = "".join(line for line in done.stderr.splitlines(True)
                  if not (line[:1] in "IWE" and line[1:5].isdigit()))
    text = f"$ kubectl {command}\n{done.stdout}{err}# exit {done.returncode}\n"
    return text.replace(str(folder / "config"), KUBECONFIG_PATH)  # the file labkube names


def capture(commands: list[str]) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "config").write_text(to_yaml(Kubeconfig.admin().to_v1()))
        return "".join(_kubectl(command, folder) for command in commands)


def main(stems: list[str]) -> None:
    GOLDEN.mkdir(exist_ok=True)
    for stem, commands in CASES:
        if stems and stem not in stems:
            continue
        (GOLDEN / f"{stem}.txt").write_text(capture(commands))
        print(stem)


if __name__ == "__main__":
    main(sys.argv[1:])
