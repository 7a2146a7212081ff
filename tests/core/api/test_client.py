"""The Client: namespaces, identities, can-i, RBAC end to end, errors, events.k8s.io."""

import pytest

from labkube.core.api import auth
from labkube.core.api.testing import new_server, pod
from labkube.core.errors import StatusError



@pytest.fixture
def env():
    return new_server(namespaces=("default", "dev", "prod"))


def test_namespaced_calls_default_to_the_objects_namespace_then_default(env):
    env.admin.create(pod("a"))
    env.admin.create(pod("b", namespace="dev"))
    assert env.admin.get("pods", "a")["metadata"]["namespace"] == "default"
    assert env.admin.get("pods", "b", "dev")["metadata"]["namespace"] == "dev"


@pytest.mark.parametrize("name", ["po", "pod", "pods", "Pod"])
def test_resources_may_be_named_as_kubectl_names_them(env, name):
    env.admin.create(pod("a"))
    assert env.admin.get(name, "a")["kind"] == "Pod"


def test_an_unknown_kind_is_kubectls_no_match_error(env):
    with pytest.raises(StatusError) as err:
        env.admin.create({"apiVersion": "batch/v1beta1", "kind": "CronJob", "metadata": {"name": "x"}})
    assert err.value.message == 'no matches for kind "CronJob" in version "batch/v1beta1"'


def test_as_user_keeps_the_server_and_changes_the_identity(env):
    alice = env.admin.as_user(auth.user("alice"))
    assert alice.server is env.admin.server and alice.user.name == "alice"


def test_rbac_end_to_end_alice_is_denied_then_allowed_in_one_namespace_only(env):
    alice = env.as_user("alice")
    with pytest.raises(StatusError) as err:
        alice.list("pods", "dev")
    assert err.value.message == (
        'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "dev"'
    )
    assert not alice.can_i("list", "pods", "dev")
    env.admin.create({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                      "metadata": {"name": "pod-reader", "namespace": "dev"},
                      "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]}]})
    env.admin.create({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                      "metadata": {"name": "read-pods", "namespace": "dev"},
                      "subjects": [{"kind": "User", "name": "alice", "apiGroup": "rbac.authorization.k8s.io"}],
                      "roleRef": {"kind": "Role", "name": "pod-reader", "apiGroup": "rbac.authorization.k8s.io"}})
    assert alice.list("pods", "dev")["items"] == []
    assert alice.can_i("list", "pods", "dev")
    with pytest.raises(StatusError) as err:
        alice.list("pods", "prod")
    assert err.value.code == 403
    with pytest.raises(StatusError) as err:
        alice.create(pod("x", namespace="dev"))
    assert err.value.message == (
        'pods is forbidden: User "alice" cannot create resource "pods" in API group "" in the namespace "dev"'
    )


def test_the_admin_is_allowed_through_rbac(env):
    admin = env.admin.as_user(auth.ADMIN)
    assert admin.can_i("delete", "nodes") and admin.list("nodes")["items"] == []


def test_a_forbidden_subresource_names_it_in_the_message(env):
    env.admin.create(pod("a"))
    with pytest.raises(StatusError) as err:
        env.as_user("bob").get("pods", "a", subresource="status")
    assert err.value.message == (
        'pods "a" is forbidden: User "bob" cannot get resource "pods/status" in API group "" '
        'in the namespace "default"'
    )


def v1_event(name="web.1"):
    return {
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": name},
        "involvedObject": {"kind": "Pod", "name": "web", "namespace": "default"},
        "reason": "Scheduled", "message": "Successfully assigned default/web to node-1",
        "source": {"component": "default-scheduler"},
        "firstTimestamp": "2025-01-01T00:00:00Z", "lastTimestamp": "2025-01-01T00:00:00Z",
        "count": 1, "type": "Normal",
    }


def test_a_v1_event_is_served_as_events_k8s_io_v1_from_the_same_storage(env):
    env.admin.create(v1_event())
    new = env.admin.get("events.events.k8s.io", "web.1")
    assert (new["apiVersion"], new["kind"]) == ("events.k8s.io/v1", "Event")
    assert new["regarding"] == {"kind": "Pod", "name": "web", "namespace": "default"}
    assert new["note"] == "Successfully assigned default/web to node-1"
    assert new["deprecatedSource"] == {"component": "default-scheduler"}
    assert new["deprecatedCount"] == 1
    assert "involvedObject" not in new and "message" not in new


def test_v1_event_field_selectors(env):
    env.admin.create(v1_event())
    found = env.admin.list("events", field_selector="involvedObject.name=web,reason=Scheduled")
    assert [e["metadata"]["name"] for e in found["items"]] == ["web.1"]


def events_v1_event(name="web.2"):
    return {
        "apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": name},
        "eventTime": "2025-01-01T00:00:00.000000Z", "reportingController": "kubelet",
        "reportingInstance": "node-1", "action": "Pulling", "reason": "Pulling",
        "regarding": {"kind": "Pod", "name": "web", "namespace": "default"},
        "note": "Pulling image \"nginx\"", "type": "Normal",
    }


def test_an_events_k8s_io_event_is_stored_once_and_readable_as_v1(env):
    created = env.admin.create(events_v1_event())
    assert created["apiVersion"] == "events.k8s.io/v1" and created["note"] == 'Pulling image "nginx"'
    old = env.admin.get("events", "web.2")
    assert (old["apiVersion"], old["message"], old["reportingComponent"]) == (
        "v1", 'Pulling image "nginx"', "kubelet")
    assert old["involvedObject"]["name"] == "web"


def test_deleting_an_events_k8s_io_event_returns_a_plain_status(env):
    env.admin.create(events_v1_event())
    deleted = env.admin.delete("events.events.k8s.io", "web.2")
    assert deleted["kind"] == "Status" and deleted["apiVersion"] == "v1"
    assert deleted["details"]["group"] == "events.k8s.io"
