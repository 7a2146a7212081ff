"""``kubectl diff`` reports a flag error as a usage error and exits 2; other commands keep cobra's words.

diff's exit status 1 means "differences found", so kubectl 1.32's diff sets cobra's
``FlagErrorFunc`` to ``CheckDiffErr(UsageErrorf(...))``. Every line below was printed by the real
kubectl 1.32 (``test_differential_write_outputs.py`` replays some of them when it is installed).
"""

from __future__ import annotations

import pytest

import labkube
from labkube.kubectl import run

HINT = "See 'kubectl diff -h' for help and examples\n"


@pytest.fixture(scope="module")
def cluster():
    return labkube.Cluster(nodes=1, seed=0)


@pytest.mark.parametrize("command, first_line", [
    ("diff --bogus -f -", "error: unknown flag: --bogus"),
    ("diff -f", "error: flag needs an argument: 'f' in -f"),
    ("diff -f - --selector", "error: flag needs an argument: --selector"),
    ("diff -f - -l", "error: flag needs an argument: 'l' in -l"),
    ("diff -x -f -", "error: unknown shorthand flag: 'x' in -x"),
    ("diff -f - --prune=maybe",
     'error: invalid argument "maybe" for "--prune" flag: strconv.ParseBool: parsing "maybe": invalid syntax'),
    ("diff -f - --server-side=x",
     'error: invalid argument "x" for "--server-side" flag: strconv.ParseBool: parsing "x": invalid syntax'),
    ("diff -f - --concurrency=x",
     'error: invalid argument "x" for "--concurrency" flag: strconv.ParseInt: parsing "x": invalid syntax'),
    ("diff --kustomize", "error: flag needs an argument: --kustomize"),
    ("diff -n", "error: flag needs an argument: 'n' in -n"),
    ("diff --validate=x -f -", "error: unknown flag: --validate"),
])
def test_a_diff_flag_error_is_a_usage_error_with_exit_status_2(cluster, command, first_line):
    out = run(cluster, command, stdin="")
    assert (out.stdout, out.stderr, out.exit_code) == ("", f"{first_line}\n{HINT}", 2)


@pytest.mark.parametrize("command, stderr", [
    ("apply --bogus -f -", "Error: unknown flag: --bogus\nSee 'kubectl apply --help' for usage.\n"),
    ("apply --server-side=maybe -f -",
     'Error: invalid argument "maybe" for "--server-side" flag: strconv.ParseBool: parsing "maybe": '
     "invalid syntax\nSee 'kubectl apply --help' for usage.\n"),
    ("get --bogus", "Error: unknown flag: --bogus\nSee 'kubectl get --help' for usage.\n"),
])
def test_other_commands_keep_cobras_flag_errors(cluster, command, stderr):
    out = run(cluster, command, stdin="")
    assert (out.stderr, out.exit_code) == (stderr, 1)
