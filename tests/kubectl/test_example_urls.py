"""``kubectl apply -f https://k8s.io/examples/...``: the documentation's URLs, read from a local copy.

labkube never downloads (loopback only). With ``LABKUBE_EXAMPLES`` naming a copy of
kubernetes/website's ``content/en/examples`` (here: the conformance corpus, laid out the same
way), the URLs the docs print work as written; without it, or for any other URL, the error says
why and what to do instead.
"""

import pytest

import labkube
from labkube.core.manifests import ManifestError
from tests.conftest import CONFORMANCE

pytestmark = pytest.mark.skipif(not CONFORMANCE.is_dir(), reason=f"no corpus at {CONFORMANCE}")

NO_NETWORK = ("error: labkube has no network access and cannot download \"{url}\": save the manifest to a file "
              "and pass that file with -f, or give it on standard input with -f -")


@pytest.fixture
def examples(monkeypatch):
    monkeypatch.setenv("LABKUBE_EXAMPLES", str(CONFORMANCE))


@pytest.mark.parametrize("url", [
    "https://k8s.io/examples/application/deployment.yaml",
    "https://kubernetes.io/examples/application/deployment.yaml",
    "https://raw.githubusercontent.com/kubernetes/website/main/content/en/examples/application/deployment.yaml",
])
def test_a_documentation_url_applies_the_example_from_the_local_copy(examples, url):
    cluster = labkube.Cluster(nodes=1, seed=0)
    assert cluster.kubectl(f"apply -f {url}") == "deployment.apps/nginx-deployment created\n"


def test_an_example_the_copy_lacks_is_a_404_as_kubectl_reports_one(examples):
    cluster = labkube.Cluster(nodes=1, seed=0)
    url = "https://k8s.io/examples/pods/no-such-example.yaml"
    assert cluster.kubectl(f"apply -f {url}") == (
        f'error: unable to read URL "{url}", server reported 404 Not Found, status code=404\n')


def test_a_path_outside_the_copy_is_not_read(examples):
    cluster = labkube.Cluster(nodes=1, seed=0)
    url = "https://k8s.io/examples/../SOURCES.md"
    assert "404 Not Found" in cluster.kubectl(f"apply -f {url}")


def test_without_a_copy_the_error_says_how_to_get_one(monkeypatch):
    monkeypatch.delenv("LABKUBE_EXAMPLES", raising=False)
    cluster = labkube.Cluster(nodes=1, seed=0)
    url = "https://k8s.io/examples/application/deployment.yaml"
    assert cluster.kubectl(f"apply -f {url}") == NO_NETWORK.format(url=url) + (
        "; to read the Kubernetes documentation's examples, set LABKUBE_EXAMPLES to a copy of "
        "kubernetes/website's content/en/examples folder\n")
    assert cluster.list("deployments", "default") == []


def test_any_other_url_is_never_fetched(examples):
    cluster = labkube.Cluster(nodes=1, seed=0)
    url = "https://example.com/manifests/web.yaml"
    assert cluster.kubectl(f"apply -f {url}") == NO_NETWORK.format(url=url) + "\n"


def test_the_python_api_reads_the_same_urls(examples, monkeypatch):
    cluster = labkube.Cluster(nodes=1, seed=0)
    applied = cluster.apply("https://k8s.io/examples/admin/namespace-dev.yaml")
    assert [obj["metadata"]["name"] for obj in applied] == ["development"]
    monkeypatch.delenv("LABKUBE_EXAMPLES")
    with pytest.raises(ManifestError, match="no network access"):
        cluster.apply("https://k8s.io/examples/admin/namespace-dev.yaml")
