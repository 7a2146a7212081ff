"""``labkube demo`` runs to completion and tells the node-failure story truthfully."""

import io
import re

from labkube.cli import main
from labkube.demo import run_demo


def test_the_demo_runs_to_completion_and_shows_the_cluster_healing():
    out = io.StringIO()
    assert run_demo(out) == 0
    text = out.getvalue()
    assert "deployment.apps/web created" in text
    assert "deployment.apps/web scaled" in text
    victim, hosted = re.search(r"# (node-\d) \(it runs (\d) of the 5 pods\) loses power", text).groups()
    assert int(hosted) >= 2  # the busiest of three nodes runs at least 2 of 5 pods
    assert f"{victim}   NotReady" in text
    assert text.count("Terminating") == int(hosted)  # the pods on the failed node
    assert "web    5/5     5            5" in text  # replaced on healthy nodes
    assert "TaintManagerEviction" in text and "Marking for deletion Pod default/web-" in text
    assert "the scheduler (system:kube-scheduler) created pods/binding" in text


def test_the_demo_is_deterministic():
    first, second = io.StringIO(), io.StringIO()
    run_demo(first)
    run_demo(second)
    assert first.getvalue() == second.getvalue()


def test_the_demo_command_is_on_the_cli(capsys):
    assert main(["demo"]) == 0
    assert "kubectl get nodes" in capsys.readouterr().out
