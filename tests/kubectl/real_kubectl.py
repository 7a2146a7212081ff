"""Running the real kubectl 1.32 for the golden captures, one way everywhere.

The capture scripts (``capture_*.py``, run by hand) and the differential harness all call the
installed kubectl the same way: against one server URL (an oracle, or labkube's HTTP front), in a
throw-away folder that is also its ``HOME``, with no kubeconfig, and then write down what it said
as stdout, then stderr without client-go's klog lines (``E1127 03:45:28.123 ...``), then a last
``# exit N`` line. This module is that one way; each script keeps only what is its own (the
server it starts, the cases it runs).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Callable, Iterable, Optional, Sequence

#: The environment kubectl runs in: no kubeconfig, nothing from the caller's shell.
BASE_PATH = "/usr/bin:/bin:/usr/local/bin"


def run(args: Sequence[str], *, cwd: Path | str, server: Optional[str] = None, stdin: Optional[str] = None,
        timeout: float = 60, env: Optional[dict] = None) -> subprocess.CompletedProcess:
    """Run ``kubectl [--server URL] ARGS`` in ``cwd`` (also its HOME), with no kubeconfig."""
    argv = ["kubectl", *(["--server", server] if server else []), *args]
    environment = {"PATH": BASE_PATH, "KUBECONFIG": "/dev/null", "HOME": str(cwd), **(env or {})}
    return subprocess.run(argv, cwd=cwd, input=stdin, capture_output=True, text=True, timeout=timeout,
                          env=environment)


def is_klog(line: str) -> bool:
    """A client-go log line: a severity letter, then the month and day (``W1127 …``)."""
    return line[:1] in ("I", "W", "E", "F") and line[1:5].isdigit()


def without_klog(stderr: str) -> str:
    """stderr without client-go's klog lines; every other line exactly as written."""
    return "".join(line for line in stderr.splitlines(True) if not is_klog(line))


def transcript(proc: subprocess.CompletedProcess) -> str:
    """What a golden file holds: stdout, stderr without klog lines, then ``# exit N``."""
    return proc.stdout + without_klog(proc.stderr) + f"# exit {proc.returncode}\n"


def exit_code(text: str) -> str:
    """The ``N`` of a transcript's last ``# exit N`` line."""
    return text.rsplit("# exit ", 1)[1].strip()


def capture_cases(cases: Iterable[dict], out_dir: Path, capture: Callable[[dict, Path], None],
                  argv: Optional[Sequence[str]] = None) -> None:
    """The scripts' main loop: capture every case, or only the stems named on the command line."""
    out_dir.mkdir(exist_ok=True)
    wanted = set(sys.argv[1:] if argv is None else argv)
    for case in cases:
        if not wanted or case["stem"] in wanted:
            capture(case, out_dir)
