"""Shared fixtures: a fresh cluster, and where the conformance corpus lives."""

import os
from pathlib import Path

import pytest

# client-go's cache mutation detector, on for every test (see labkube.core.machinery.mutation):
# informers share decoded objects, so a component that modifies one in place must fail loudly.
os.environ.setdefault("LABKUBE_CACHE_MUTATION_DETECTOR", "1")

REPO = Path(__file__).resolve().parent.parent
#: Real manifests from the Kubernetes documentation (../shared/conformance beside the repo).
CONFORMANCE = Path(
    os.environ.get("LABKUBE_CONFORMANCE_DIR", REPO.parent / "shared" / "conformance" / "k8s-docs")
)


@pytest.fixture
def cluster():
    import labkube

    with labkube.Cluster(nodes=3, seed=0) as c:
        yield c


@pytest.fixture(autouse=True)
def no_cache_mutation():
    """Fail any test during which a component modified an object taken from an informer."""
    from labkube.core.machinery import mutation

    mutation.DETECTED.clear()
    yield
    try:
        mutation.check_all()
    except mutation.CacheMutationError:
        pass  # recorded in DETECTED
    found = list(mutation.DETECTED)
    mutation.DETECTED.clear()
    assert not found, "objects in informer caches were modified in place:\n" + "\n".join(found[:5])
