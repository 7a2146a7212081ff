"""The labkube command line."""

import subprocess
import sys

from labkube import __version__
from labkube.cli import main


def test_version_prints_labkube_and_kubernetes_versions(capsys):
    assert main(["version"]) == 0
    assert capsys.readouterr().out == f"labkube {__version__} (follows Kubernetes v1.32)\n"


def test_help_lists_the_commands():
    out = subprocess.run(
        [sys.executable, "-m", "labkube", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "version" in out and "kubectl" in out
