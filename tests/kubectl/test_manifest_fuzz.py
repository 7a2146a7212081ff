"""Whatever a student types into a manifest, kubectl and ``cluster.apply`` answer with an error
kubectl or the API server would print -- never a Python exception from deep inside.

The manifests are the Kubernetes documentation's (``shared/conformance/k8s-docs``), each
mutated a few times at random places: a field deleted, or replaced by a null, an empty string,
a number, a list, a map. Each goes through ``kubectl apply``, ``create``, ``delete`` and
``apply --dry-run=server`` and through ``cluster.apply``. Hypothesis chooses the mutations
(derandomized, so every run checks the same cases).
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import labkube
from labkube.core.manifests import ManifestError
from labkube.kubectl import run

CONFORMANCE = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "k8s-docs"
WEIRD = [None, "", "x", 0, -1, 3.5, True, [], {}, [None], {"a": None}, "1Gi", [1, "a"], {"": 1}]


def _documents() -> list[dict]:
    docs = []
    for path in sorted(CONFORMANCE.rglob("*.yaml")):
        try:
            docs += [d for d in yaml.safe_load_all(path.read_text()) if isinstance(d, dict)]
        except yaml.YAMLError:
            continue  # the corpus's malformed documents have their own tests
    return docs


DOCUMENTS = _documents()


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, prefix + (index,))


@st.composite
def mutated_manifests(draw):
    doc = copy.deepcopy(draw(st.sampled_from(DOCUMENTS)))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        if isinstance(parent, dict) and draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = copy.deepcopy(draw(st.sampled_from(WEIRD)))
    return doc


@pytest.fixture(scope="module")
def cluster():
    c = labkube.Cluster(nodes=2, seed=0)
    c.run(5)
    return c


@pytest.mark.skipif(not DOCUMENTS, reason="conformance corpus not present")
@settings(max_examples=300, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(doc=mutated_manifests(), command=st.sampled_from(["apply", "create", "delete", "apply --dry-run=server"]))
def test_a_mutated_manifest_gets_an_error_kubectl_would_print(cluster, doc, command):
    text = yaml.safe_dump(doc, sort_keys=False)
    result = run(cluster, f"{command} -f -", stdin=text)  # must not raise
    assert result.exit_code in (0, 1)
    try:
        cluster.apply(copy.deepcopy(doc))
    except (labkube.StatusError, ManifestError):
        pass
    cluster.run(1)  # and the cluster keeps running whatever was stored
