"""Shared fixtures: a fresh cluster, and where the conformance corpus lives."""

import os
from pathlib import Path

import pytest

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
