"""labkube prints CronJobs byte for byte as the real kubectl 1.32 printed them
(``capture_cronjob.py``): ``get cronjobs`` (and ``-o wide``), ``describe cronjob``,
``create job --from=cronjob/...`` and the ``create cronjob`` generator."""

import shlex

import pytest

from tests.kubectl.cronjob_cases import COMMANDS, GENERATORS, GOLDEN, build


@pytest.fixture(scope="module")
def built():
    cluster = build()
    yield cluster
    cluster.close()


@pytest.mark.parametrize("stem", sorted(COMMANDS))
def test_kubectl_prints_cronjobs_as_the_real_kubectl_does(built, stem):
    assert built.kubectl(shlex.join(COMMANDS[stem])) == (GOLDEN / f"{stem}.txt").read_text()


@pytest.mark.parametrize("stem", sorted(GENERATORS))
def test_kubectl_create_cronjob_builds_what_the_real_kubectl_builds(built, stem):
    golden = (GOLDEN / f"{stem}.txt").read_text()
    expected, _, exit_line = golden.rstrip("\n").rpartition("\n")
    assert exit_line == "# exit 0"
    assert built.kubectl(shlex.join(GENERATORS[stem])) == expected + "\n"
