"""labkube prints HorizontalPodAutoscalers byte for byte as the real kubectl 1.32 printed them
(``capture_hpa.py``): ``get hpa`` (TARGETS as formatHPAMetrics writes them, from either API
version), ``describe hpa`` (metrics, behavior, conditions, events) and ``kubectl autoscale``'s
objects and refusals."""

import pytest

from labkube.kubectl import run
from tests.kubectl.hpa_cases import COMMANDS, ERRORS, GOLDEN, build


@pytest.fixture(scope="module")
def built():
    cluster = build()
    yield cluster
    cluster.close()


@pytest.mark.parametrize("stem", sorted(COMMANDS))
def test_kubectl_prints_hpas_as_the_real_kubectl_does(built, stem):
    assert built.kubectl(" ".join(COMMANDS[stem])) == (GOLDEN / f"{stem}.txt").read_text()


@pytest.mark.parametrize("stem", sorted(ERRORS))
def test_kubectl_autoscale_refuses_as_the_real_kubectl_does(built, stem):
    result = run(built, " ".join(ERRORS[stem]))
    assert str(result) + f"# exit {result.exit_code}\n" == (GOLDEN / f"{stem}.txt").read_text()
