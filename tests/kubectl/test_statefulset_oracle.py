"""labkube prints StatefulSets byte for byte as the real kubectl 1.32 printed them
(``capture_statefulset.py``): describe (claims, partitions, OnDelete, events) and get (-o wide)."""

import pytest

from tests.kubectl.statefulset_cases import COMMANDS, DOCS_STATEFULSET, GOLDEN, build

pytestmark = pytest.mark.skipif(not DOCS_STATEFULSET.is_file(), reason="no conformance corpus")


@pytest.fixture(scope="module")
def built():
    cluster = build()
    yield cluster
    cluster.close()


@pytest.mark.parametrize("stem", list(COMMANDS), ids=[
    "the docs' web waiting on its unbound claim", "two claim templates, Parallel, a partition",
    "a running set updated OnDelete", "get statefulsets", "get statefulsets -o wide"])
def test_statefulset_output_matches_the_real_kubectl(built, stem):
    assert built.kubectl(" ".join(COMMANDS[stem])) == (GOLDEN / f"{stem}.txt").read_text()
