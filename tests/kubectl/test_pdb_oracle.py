"""labkube prints PodDisruptionBudgets, creates them and drains around them byte for byte as the
real kubectl 1.32 did (``capture_pdb.py``): generators, ``get``/``describe`` of the scenario of
``pdb_cases.py``, and drains whose evictions a budget refuses."""

import shlex

import pytest

from labkube.kubectl import run
from tests.kubectl.pdb_cases import COMMANDS, DRAINS, GENERATORS, GOLDEN, build, drain_cluster
from tests.kubectl.test_generators import OfflineCluster


@pytest.mark.parametrize("stem, command", GENERATORS, ids=[stem for stem, _ in GENERATORS])
def test_create_pdb_matches_the_real_kubectl(stem, command):
    result = run(OfflineCluster(), command)
    assert result.stdout + result.stderr + f"# exit {result.exit_code}\n" == (GOLDEN / f"{stem}.txt").read_text()


@pytest.fixture(scope="module")
def built():
    cluster = build()
    yield cluster
    cluster.close()


@pytest.mark.parametrize("stem", list(COMMANDS))
def test_get_and_describe_pdb_match_the_real_kubectl(built, stem):
    assert built.kubectl(shlex.join(COMMANDS[stem])) == (GOLDEN / f"{stem}.txt").read_text()


@pytest.mark.parametrize("case", DRAINS, ids=[case["stem"] for case in DRAINS])
def test_drain_around_a_budget_matches_the_real_kubectl(case):
    with drain_cluster(case) as cluster:
        result = run(cluster, case["command"])
    got = result.stdout + result.stderr + f"# exit {result.exit_code}\n"
    assert got == (GOLDEN / f"{case['stem']}.txt").read_text()
