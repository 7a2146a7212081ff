"""labkube prints PriorityClasses, and pods that preempted, byte for byte as the real kubectl
1.32 printed them (``capture_priorityclass.py``)."""

import shlex

import pytest

from tests.kubectl.priorityclass_cases import COMMANDS, GOLDEN, build


@pytest.fixture(scope="module")
def built():
    cluster = build()
    yield cluster
    cluster.close()


@pytest.mark.parametrize("stem", sorted(COMMANDS))
def test_kubectl_prints_what_the_real_kubectl_printed(built, stem):
    assert built.kubectl(shlex.join(COMMANDS[stem])) == (GOLDEN / f"{stem}.txt").read_text()
