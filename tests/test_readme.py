"""The README's tour runs as written, and its quick start names the commands CI runs."""

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def _python_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_the_python_tour_runs_top_to_bottom():
    namespace: dict = {}
    for block in _python_blocks():
        exec(compile(block, str(README), "exec"), namespace)  # noqa: S102 - our own README
    cluster = namespace["cluster"]
    assert cluster.get("deployment", "web")["spec"]["replicas"] == 2


def test_the_quick_start_is_exactly_the_two_make_commands_ci_uses():
    quick_start = README.read_text().split("## Quick start", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in quick_start.strip().splitlines()]
    assert commands == ["make lab", "make test"]
    ci = (README.parent / ".ci" / "run").read_text()
    assert "make test" in ci
