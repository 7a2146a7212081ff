"""``kubectl rollout`` on DaemonSets and StatefulSets prints what the real kubectl 1.32 printed
(``capture_rollout_revisions.py``): history from ControllerRevisions (with change causes and
one revision's raw-tabbed template), undo (patched, skipped when the template already matches,
dry run, missing revisions), the status viewers' lines, restart, and the refused pause/resume."""

from __future__ import annotations

import pytest

from labkube.kubectl import run
from tests.kubectl.rollout_revisions_cases import CASES, GOLDEN, SCENARIOS


@pytest.mark.parametrize("case", CASES, ids=[c["stem"] for c in CASES])
def test_labkube_rolls_out_daemon_and_stateful_sets_as_the_real_kubectl(case):
    cluster = SCENARIOS[case["scenario"]]()
    try:
        result = run(cluster, case["command"])
    finally:
        cluster.close()
    text = result.stdout + result.stderr + f"# exit {result.exit_code}\n"
    assert text == (GOLDEN / f"{case['stem']}.txt").read_text()


def test_undo_puts_the_previous_template_back_and_the_controller_rolls_it_out():
    cluster = SCENARIOS["ds_rolled"]()
    run(cluster, "rollout undo ds/agent")
    cluster.run(90)
    pods = cluster.list("pods", "default", label_selector="app=agent")
    assert {p["spec"]["containers"][0]["image"] for p in pods} == {"nginx:1.25"}
    history = run(cluster, "rollout history ds/agent").stdout
    assert history.splitlines()[2:4] == ["2         image updated to 1.26", "3         <none>"]
    cluster.close()
