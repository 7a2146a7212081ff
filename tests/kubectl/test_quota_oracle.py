"""labkube prints ResourceQuotas byte for byte as the real kubectl 1.32 printed them
(``capture_quota.py``): ``get quota`` (REQUEST and LIMIT), ``describe quota`` and the Resource
Quotas section of ``describe namespace``."""

import pytest

from tests.conftest import CONFORMANCE
from tests.kubectl.quota_cases import COMMANDS, GOLDEN, build

pytestmark = pytest.mark.skipif(not CONFORMANCE.is_dir(), reason=f"no corpus at {CONFORMANCE}")


@pytest.fixture(scope="module")
def built():
    cluster = build()
    yield cluster
    cluster.close()


@pytest.mark.parametrize("stem", sorted(COMMANDS))
def test_kubectl_prints_quotas_as_the_real_kubectl_does(built, stem):
    assert built.kubectl(" ".join(COMMANDS[stem])) == (GOLDEN / f"{stem}.txt").read_text()
