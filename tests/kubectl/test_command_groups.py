"""Group commands (``set``, ``rollout``, ``top``, ``auth``, ``create secret``) given a word
that is not one of their subcommands: kubectl's ``DefaultSubCommandRun`` refuses the words.
Expectations printed by the real kubectl 1.32."""

import pytest

import labkube
from labkube.kubectl import run


@pytest.mark.parametrize("command, printed", [
    ("rollout foo", "error: unknown command \"foo\"\nSee 'kubectl rollout -h' for help and examples\n"),
    ("top foo", "error: unknown command \"foo\"\nSee 'kubectl top -h' for help and examples\n"),
    ("auth foo", "error: unknown command \"foo\"\nSee 'kubectl auth -h' for help and examples\n"),
    ("set foo bar", "error: unknown command \"foo bar\"\nSee 'kubectl set -h' for help and examples\n"),
    ("create secret foo", "error: unknown command \"foo\"\nSee 'kubectl create secret -h' for help and examples\n"),
])
def test_a_group_refuses_words_that_are_not_its_subcommands(command, printed):
    result = run(labkube.Cluster(nodes=1, seed=0), command)
    assert (str(result), result.exit_code) == (printed, 1)


def test_a_bare_group_still_prints_its_help():
    result = run(labkube.Cluster(nodes=1, seed=0), "set")
    assert str(result).startswith("Configure application resources.\n")
    assert result.exit_code == 1
