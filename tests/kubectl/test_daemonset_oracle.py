"""labkube prints DaemonSets and ControllerRevisions byte for byte as the real kubectl 1.32
printed them (``capture_daemonset.py``): describe (the unaligned node counts, no Namespace
line), get with and without ``-o wide`` and ``-A``, and the revisions' CONTROLLER column."""

import pytest

from tests.kubectl.daemonset_cases import COMMANDS, GOLDEN, build


@pytest.fixture(scope="module")
def built():
    cluster = build()
    yield cluster
    cluster.close()


@pytest.mark.parametrize("stem", list(COMMANDS))
def test_daemon_set_output_matches_the_real_kubectl(built, stem):
    assert built.kubectl(" ".join(COMMANDS[stem])) == (GOLDEN / f"{stem}.txt").read_text()
