"""labkube prints ReplicationControllers and PodTemplates byte for byte as the real kubectl 1.32
printed them (``capture_rc.py``): describe (the docs' nginx, a ReplicaFailure, an idle RC, the
generic page of a PodTemplate) and get (-o wide)."""

import pytest

from tests.kubectl.rc_cases import COMMANDS, GOLDEN, build


@pytest.fixture(scope="module")
def built():
    cluster = build()
    yield cluster
    cluster.close()


@pytest.mark.parametrize("stem", list(COMMANDS), ids=[
    "the docs' nginx with three running pods", "a quota holding an rc at one pod: ReplicaFailure",
    "an rc scaled to zero", "get rc", "get rc -o wide",
    "a pod template with labels, annotations and env (the generic page)", "a bare pod template",
    "get podtemplates", "get podtemplates -o wide has no extra columns"])
def test_rc_and_podtemplate_output_matches_the_real_kubectl(built, stem):
    assert built.kubectl(" ".join(COMMANDS[stem])) == (GOLDEN / f"{stem}.txt").read_text()
