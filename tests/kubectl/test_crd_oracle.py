"""labkube prints CRDs and custom resources byte for byte as the real kubectl 1.32 printed them
(``capture_crd.py``): ``get crd``, the default NAME/AGE table, printer columns (an integer
column left empty prints ``<none>``, a priority column only with ``-o wide``), resolution by
short name and by group, and the generic describer."""

import pytest

from tests.kubectl.crd_cases import COMMANDS, GOLDEN, build


@pytest.fixture(scope="module")
def built():
    cluster = build()
    yield cluster
    cluster.close()


@pytest.mark.parametrize("stem", sorted(COMMANDS))
def test_crd_output_matches_the_real_kubectl(built, stem):
    assert built.kubectl(" ".join(COMMANDS[stem])) == (GOLDEN / f"{stem}.txt").read_text()
