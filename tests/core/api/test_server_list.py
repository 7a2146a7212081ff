"""list: selectors, resourceVersion semantics, pages, item shape."""

import pytest

from labkube.core.api.testing import new_server, pod
from labkube.core.errors import StatusError



@pytest.fixture
def env():
    env = new_server(namespaces=("default", "team"))
    for name, ns, labels in (
        ("a", "default", {"app": "web", "tier": "front"}),
        ("b", "default", {"app": "web", "tier": "back"}),
        ("c", "team", {"app": "db"}),
        ("d", "default", {}),
    ):
        env.admin.create(pod(name, labels=labels) if labels else pod(name), namespace=ns)
    return env


def names(result):
    return [i["metadata"]["name"] for i in result["items"]]


def test_a_list_is_the_list_kind_with_items_sorted_by_key(env):
    result = env.admin.list("pods")
    assert (result["kind"], result["apiVersion"]) == ("PodList", "v1")
    assert result["metadata"] == {"resourceVersion": str(env.store.revision)}
    assert names(result) == ["a", "b", "d", "c"]  # /registry/pods/default/... before team/


def test_list_items_carry_no_kind_or_api_version_like_a_real_server(env):
    item = env.admin.list("pods", "default")["items"][0]
    assert "kind" not in item and "apiVersion" not in item


def test_namespace_none_lists_every_namespace_and_a_namespace_narrows(env):
    assert names(env.admin.list("pods", "team")) == ["c"]


@pytest.mark.parametrize("selector, expected", [
    ("app=web", ["a", "b"]),
    ("app==web", ["a", "b"]),
    ("app!=web", ["d", "c"]),
    ("app in (web,db)", ["a", "b", "c"]),
    ("app notin (web)", ["d", "c"]),
    ("tier", ["a", "b"]),
    ("!tier", ["d", "c"]),
    ("app=web,tier=front", ["a"]),
])
def test_label_selectors(env, selector, expected):
    assert names(env.admin.list("pods", label_selector=selector)) == expected


@pytest.mark.parametrize("selector, expected", [
    ("metadata.name=b", ["b"]),
    ("metadata.namespace=team", ["c"]),
    ("metadata.name!=a", ["b", "d", "c"]),
    ("status.phase=Pending", ["a", "b", "d", "c"]),
    ("spec.nodeName=", ["a", "b", "d", "c"]),
    ("spec.restartPolicy=Always,metadata.name=a", ["a"]),
])
def test_field_selectors(env, selector, expected):
    assert names(env.admin.list("pods", field_selector=selector)) == expected


@pytest.mark.parametrize("resource, selector, message", [
    ("pods", "spec.foo=bar", "field label not supported: spec.foo"),
    ("configmaps", "data.x=y", '"data.x" is not a known field selector: only "metadata.name", "metadata.namespace"'),
    ("nodes", "metadata.namespace=x", "field label not supported: metadata.namespace"),
])
def test_unsupported_field_labels_are_bad_requests(env, resource, selector, message):
    with pytest.raises(StatusError) as err:
        env.admin.list(resource, field_selector=selector)
    assert (err.value.code, err.value.message) == (400, message)


@pytest.mark.parametrize("selector", ["app in (web", "a=b=c", "=x"])
def test_malformed_label_selectors_are_bad_requests(env, selector):
    with pytest.raises(StatusError) as err:
        env.admin.list("pods", label_selector=selector)
    assert err.value.code == 400


def test_limit_and_continue_page_through_at_one_revision(env):
    first = env.admin.list("pods", limit=2)
    assert names(first) == ["a", "b"]
    assert first["metadata"]["remainingItemCount"] == 2
    env.admin.create(pod("e"), namespace="team")  # after the first page: not in this list
    second = env.admin.list("pods", limit=2, continue_=first["metadata"]["continue"])
    assert names(second) == ["d", "c"]
    assert second["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]
    assert "continue" not in second["metadata"]


def test_a_page_with_a_selector_has_no_remaining_count(env):
    page = env.admin.list("pods", label_selector="app=web", limit=1)
    assert names(page) == ["a"] and "remainingItemCount" not in page["metadata"]
    assert names(env.admin.list("pods", label_selector="app=web", limit=1,
                                continue_=page["metadata"]["continue"])) == ["b"]


def test_a_garbled_continue_token_is_a_bad_request(env):
    with pytest.raises(StatusError) as err:
        env.admin.list("pods", continue_="not-a-token")
    assert err.value.code == 400 and err.value.message.startswith("continue key is not valid")


def test_a_continue_token_from_before_a_compaction_is_gone(env):
    first = env.admin.list("pods", limit=1)
    env.admin.create(pod("e"))
    env.store.compact(env.store.revision)
    with pytest.raises(StatusError) as err:
        env.admin.list("pods", limit=1, continue_=first["metadata"]["continue"])
    assert err.value.code == 410
    assert err.value.message.startswith("The provided continue parameter is too old")


def test_an_exact_resource_version_lists_the_past(env):
    before = env.admin.list("pods")["metadata"]["resourceVersion"]
    env.admin.delete("pods", "a")
    past = env.admin.list("pods", resource_version=before, resource_version_match="Exact")
    assert names(past) == ["a", "b", "d", "c"]
    assert past["metadata"]["resourceVersion"] == before
    assert names(env.admin.list("pods")) == ["b", "d", "c"]


def test_a_resource_version_without_exact_match_means_not_older_than(env):
    before = env.admin.list("pods")["metadata"]["resourceVersion"]
    env.admin.delete("pods", "a")
    assert names(env.admin.list("pods", resource_version=before)) == ["b", "d", "c"]


def test_resource_version_and_continue_together_are_invalid(env):
    first = env.admin.list("pods", limit=1)
    with pytest.raises(StatusError) as err:
        env.admin.list("pods", continue_=first["metadata"]["continue"], resource_version="5")
    assert err.value.code == 422
    assert "specifying resource version is not allowed when using continue" in err.value.message


def test_a_compacted_exact_resource_version_is_gone(env):
    env.admin.create(pod("e"))
    env.store.compact(env.store.revision)
    with pytest.raises(StatusError) as err:
        env.admin.list("pods", resource_version="3", resource_version_match="Exact")
    assert err.value.code == 410
    # the etcd3 store's words (staging/src/k8s.io/apiserver/pkg/storage/etcd3/errors.go)
    assert err.value.message == "The resourceVersion for the provided list is too old."
