"""The audit ring buffer, its filters, subscribers and renderings (labkube.core.api.audit)."""

import threading

import pytest

from labkube.core.api.audit import AuditLog, component_for, describe_user, request_uri
from labkube.core.api.testing import new_server

T0 = "2025-01-01T00:00:00.000000Z"


def record(log, **overrides):
    fields = dict(timestamp=T0, user="alice", groups=("system:authenticated",), verb="list",
                  resource="pods", api_version="v1", namespace="default", code=200)
    fields.update(overrides)
    return log.record(**fields)


def test_events_get_increasing_sequence_numbers_in_record_order():
    log = AuditLog()
    events = [record(log, name=f"p{i}") for i in range(3)]
    assert [e.seq for e in events] == [1, 2, 3]
    assert log.records() == events


def test_records_since_returns_only_newer_events():
    log = AuditLog()
    for i in range(5):
        record(log, name=f"p{i}")
    assert [e.name for e in log.records(since=3)] == ["p3", "p4"]
    assert log.records(since=5) == []


def test_the_oldest_events_are_evicted_at_capacity():
    log = AuditLog(capacity=3)
    for i in range(5):
        record(log, name=f"p{i}")
    assert len(log) == 3
    assert [e.seq for e in log.records()] == [3, 4, 5]
    assert [e.seq for e in log.records(since=1)] == [3, 4, 5]
    assert [e.seq for e in log.records(since=4)] == [5]


def test_clear_empties_the_buffer_but_sequence_numbers_keep_counting():
    log = AuditLog()
    record(log)
    record(log)
    log.clear()
    assert len(log) == 0 and log.records() == []
    assert record(log).seq == 3


FILTERS = [
    ("by user", {"user": "system:kube-scheduler"}, ["bind"]),
    ("by verb", {"verb": "create"}, ["bind", "create-rs"]),
    ("a resource also matches its subresources", {"resource": "pods"}, ["list", "bind"]),
    ("resource/subresource matches just that subresource", {"resource": "pods/binding"}, ["bind"]),
    ("filters combine", {"verb": "create", "resource": "replicasets"}, ["create-rs"]),
    ("a filter that matches nothing gives nothing", {"user": "nobody"}, []),
]


@pytest.mark.parametrize("case, filters, expected", FILTERS, ids=[c[0] for c in FILTERS])
def test_records_filters(case, filters, expected):
    log = AuditLog()
    record(log, reason="list")
    record(log, user="system:kube-scheduler", verb="create", subresource="binding", name="web",
           code=201, reason="bind")
    record(log, verb="create", resource="replicasets", api_group="apps", reason="create-rs", code=201)
    assert [e.reason for e in log.records(**filters)] == expected


def test_subscribers_are_called_in_order_and_a_failing_one_is_isolated():
    log = AuditLog()
    seen = []

    def broken(event):
        raise RuntimeError("widget crashed")

    log.subscribe(lambda e: seen.append(("first", e.seq)))
    log.subscribe(broken)
    log.subscribe(lambda e: seen.append(("third", e.seq)))
    event = record(log)
    assert seen == [("first", 1), ("third", 1)]
    assert log.subscriber_errors == 1
    assert isinstance(log.last_subscriber_error, RuntimeError)
    assert log.records() == [event]


def test_unsubscribe_stops_delivery():
    log = AuditLog()
    seen = []
    unsubscribe = log.subscribe(seen.append)
    record(log)
    unsubscribe()
    unsubscribe()  # twice is harmless
    record(log)
    assert [e.seq for e in seen] == [1]


def test_concurrent_records_lose_nothing_and_keep_sequences_unique():
    log = AuditLog()

    def worker():
        for _ in range(500):
            record(log)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [e.seq for e in log.records()] == list(range(1, 2001))


def test_events_are_frozen():
    event = record(AuditLog())
    with pytest.raises(AttributeError):
        event.code = 500


def test_bad_input_is_rejected():
    with pytest.raises(ValueError):
        AuditLog(capacity=0)
    with pytest.raises(ValueError):
        record(AuditLog(), decision="maybe")


COMPONENTS = [
    ("the scheduler", "system:kube-scheduler", "kube-scheduler", "the scheduler"),
    ("the controller manager", "system:kube-controller-manager", "kube-controller-manager",
     "the controller manager"),
    ("a controller service account", "system:serviceaccount:kube-system:replicaset-controller",
     "replicaset-controller", "the replicaset controller"),
    ("a multi-word controller", "system:serviceaccount:kube-system:daemon-set-controller",
     "daemon-set-controller", "the daemon set controller"),
    ("a kubelet", "system:node:node-2", "kubelet", "the kubelet on node-2"),
    ("kube-proxy", "system:serviceaccount:kube-system:kube-proxy", "kube-proxy", "kube-proxy"),
    ("the admin", "kubernetes-admin", "kubectl", "the admin"),
    ("a workload's service account", "system:serviceaccount:dev:ci", "serviceaccount:dev:ci",
     "service account dev/ci"),
    ("a person", "alice", "kubectl", "alice"),
    ("the anonymous user", "system:anonymous", "kubectl", "an anonymous user"),
]


@pytest.mark.parametrize("case, user, component, plain", COMPONENTS, ids=[c[0] for c in COMPONENTS])
def test_component_and_plain_names(case, user, component, plain):
    assert (component_for(user), describe_user(user)) == (component, plain)
    assert record(AuditLog(), user=user).component == component


DESCRIBE = [
    ("a scheduler binding",
     dict(user="system:kube-scheduler", verb="create", subresource="binding", name="web-1", code=201),
     "the scheduler (system:kube-scheduler) created pods/binding web-1 in default → 201"),
    ("a watch by a controller",
     dict(user="system:serviceaccount:kube-system:replicaset-controller", verb="watch", namespace=""),
     "the replicaset controller (system:serviceaccount:kube-system:replicaset-controller) watched "
     "pods → 200"),
    ("a kubelet status patch",
     dict(user="system:node:node-1", verb="patch", subresource="status", name="web-1"),
     "the kubelet on node-1 (system:node:node-1) patched pods/status web-1 in default → 200"),
    ("a denied request",
     dict(verb="list", code=403, decision="forbid"),
     "alice was forbidden to list pods in default → 403"),
    ("a namespace is not said to be in itself",
     dict(user="kubernetes-admin", verb="delete", resource="namespaces", namespace="dev", name="dev"),
     "the admin (kubernetes-admin) deleted namespaces dev → 200"),
    ("a get reads", dict(verb="get", name="web-1"), "alice read pods web-1 in default → 200"),
    ("an allowed create refused later only tried",
     dict(verb="create", resource="rolebindings", name="admins", code=403),
     "alice tried to create rolebindings admins in default → 403"),
    ("a get of a missing object only tried", dict(verb="get", name="gone", code=404),
     "alice tried to get pods gone in default → 404"),
]


@pytest.mark.parametrize("case, fields, sentence", DESCRIBE, ids=[c[0] for c in DESCRIBE])
def test_describe(case, fields, sentence):
    assert record(AuditLog(), **fields).describe() == sentence


URIS = [
    ("a core subresource", ("", "v1", "pods", "default", "web-1", "binding", ""),
     "/api/v1/namespaces/default/pods/web-1/binding"),
    ("a grouped collection with a query", ("apps", "v1", "deployments", "default", "", "", "labelSelector=app%3Dweb"),
     "/apis/apps/v1/namespaces/default/deployments?labelSelector=app%3Dweb"),
    ("a cluster-scoped object", ("", "v1", "nodes", "", "node-1", "", ""), "/api/v1/nodes/node-1"),
    ("all namespaces", ("", "v1", "pods", "", "", "", "watch=true"), "/api/v1/pods?watch=true"),
    ("a namespace object is not nested in itself", ("", "v1", "namespaces", "dev", "dev", "", ""),
     "/api/v1/namespaces/dev"),
    ("a namespace's finalize subresource", ("", "v1", "namespaces", "dev", "dev", "finalize", ""),
     "/api/v1/namespaces/dev/finalize"),
    ("a cluster-scoped grouped resource", ("rbac.authorization.k8s.io", "v1", "clusterroles", "", "view", "", ""),
     "/apis/rbac.authorization.k8s.io/v1/clusterroles/view"),
]


@pytest.mark.parametrize("case, args, uri", URIS, ids=[c[0] for c in URIS])
def test_request_uri(case, args, uri):
    assert request_uri(*args) == uri


def test_to_k8s_renders_an_audit_v1_event_at_metadata_level():
    event = record(
        AuditLog(), user="system:kube-scheduler", groups=("system:authenticated",), verb="create",
        subresource="binding", name="web-1", code=201, audit_id="0b3c-test",
        reason='RBAC: allowed by ClusterRoleBinding "system:kube-scheduler" of ClusterRole '
               '"system:kube-scheduler" to User "system:kube-scheduler"',
        timestamp="2025-01-01T00:00:01.000000Z", received_timestamp="2025-01-01T00:00:00.999000Z")
    assert event.to_k8s() == {
        "kind": "Event",
        "apiVersion": "audit.k8s.io/v1",
        "level": "Metadata",
        "auditID": "0b3c-test",
        "stage": "ResponseComplete",
        "requestURI": "/api/v1/namespaces/default/pods/web-1/binding",
        "verb": "create",
        "user": {"username": "system:kube-scheduler", "groups": ["system:authenticated"]},
        "objectRef": {"resource": "pods", "namespace": "default", "name": "web-1",
                      "apiVersion": "v1", "subresource": "binding"},
        "responseStatus": {"metadata": {}, "code": 201},
        "requestReceivedTimestamp": "2025-01-01T00:00:00.999000Z",
        "stageTimestamp": "2025-01-01T00:00:01.000000Z",
        "annotations": {
            "authorization.k8s.io/decision": "allow",
            "authorization.k8s.io/reason": event.reason,
        },
    }


def test_to_k8s_marks_failures_and_forbids():
    event = record(AuditLog(), code=403, decision="forbid")
    rendered = event.to_k8s()
    assert rendered["responseStatus"] == {"metadata": {}, "status": "Failure", "code": 403}
    assert rendered["annotations"] == {"authorization.k8s.io/decision": "forbid"}


def test_audit_ids_are_deterministic_without_a_clock():
    ids_a = [record(AuditLog()).audit_id for _ in range(2)]
    log = AuditLog()
    ids_b = [record(log).audit_id, record(log).audit_id]
    assert ids_a[0] == ids_a[1] == ids_b[0]
    assert ids_b[0] != ids_b[1]


COLLECTION_URIS = [
    ("a plain list has no query", lambda c: c.list("pods", "default"), "/api/v1/namespaces/default/pods"),
    ("a label selector is escaped as Go escapes it",
     lambda c: c.list("pods", "default", label_selector="app=web,tier in (a,b)"),
     "/api/v1/namespaces/default/pods?labelSelector=app%3Dweb%2Ctier+in+%28a%2Cb%29"),
    ("a kubelet's watch of one ConfigMap", lambda c: c.watch("configmaps", "default",
                                                           field_selector="metadata.name=kube-root-ca.crt"),
     "/api/v1/namespaces/default/configmaps?fieldSelector=metadata.name%3Dkube-root-ca.crt&watch=true"),
    ("a page of a list across namespaces", lambda c: c.list("pods", limit=500),
     "/api/v1/pods?limit=500"),
]


@pytest.mark.parametrize("case, call, uri", COLLECTION_URIS, ids=[c[0] for c in COLLECTION_URIS])
def test_a_collection_request_is_audited_with_its_query(case, call, uri):
    ts = new_server()
    call(ts.admin)
    assert ts.audit.records()[-1].request_uri == uri


@pytest.mark.parametrize("hand_over", [False, True])
def test_a_create_by_generate_name_is_audited_without_the_name_the_server_gave(hand_over):
    # audit.LogRequestObject names the object from the request body, before the server
    # generates the name; a handed-over body gets the name later, in place.
    ts = new_server()
    created = ts.admin.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"generateName": "web-"},
                               "spec": {"containers": [{"name": "c", "image": "nginx"}]}},
                              "default", hand_over=hand_over)
    assert created["metadata"]["name"].startswith("web-")
    record = ts.audit.records()[-1]
    assert (record.verb, record.resource, record.name) == ("create", "pods", "")
    assert record.request_uri == "/api/v1/namespaces/default/pods"


def test_a_named_create_is_posted_to_the_collection_and_names_its_object():
    # requestURI is the URL (POST to the collection); objectRef.name comes from the body.
    ts = new_server()
    ts.admin.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}}, "default")
    record = ts.audit.records()[-1]
    assert record.name == "cfg"
    assert record.request_uri == "/api/v1/namespaces/default/configmaps"
    assert record.to_k8s()["objectRef"]["name"] == "cfg"


def test_a_subresource_create_keeps_the_object_in_its_uri():
    ts = new_server()
    ts.admin.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-1"},
                     "spec": {"containers": [{"name": "c", "image": "nginx"}]}}, "default")
    ts.admin.create({"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "web-1"},
                     "target": {"apiVersion": "v1", "kind": "Node", "name": "node-1"}},
                    "default", subresource="binding")
    record = ts.audit.records()[-1]
    assert (record.subresource, record.name) == ("binding", "web-1")
    assert record.request_uri == "/api/v1/namespaces/default/pods/web-1/binding"


@pytest.mark.parametrize("verb", ["list", "watch"])
def test_a_collection_read_of_one_name_is_audited_with_that_name(verb):
    # RequestInfo takes the name of an exact metadata.name field selector, and the audit
    # record's objectRef is built from RequestInfo; the URL stays the collection's.
    ts = new_server()
    getattr(ts.admin, verb)("configmaps", "default", field_selector="metadata.name=kube-root-ca.crt")
    record = ts.audit.records()[-1]
    assert (record.verb, record.name) == (verb, "kube-root-ca.crt")
    query = "fieldSelector=metadata.name%3Dkube-root-ca.crt" + ("&watch=true" if verb == "watch" else "")
    assert record.request_uri == "/api/v1/namespaces/default/configmaps?" + query
    assert record.to_k8s()["objectRef"]["name"] == "kube-root-ca.crt"
