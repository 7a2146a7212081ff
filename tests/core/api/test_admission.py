"""The admission chain: order, registration, and each default plugin."""

import pytest

from labkube.core import errors
from labkube.core.api.admission import AdmissionChain, default_chain
from labkube.core.api.testing import new_server, pod
from labkube.core.errors import StatusError



def test_the_default_chain_follows_kube_apiservers_order():
    assert default_chain().names() == ["NamespaceLifecycle", "ServiceAccount", "Priority", "DefaultTolerationSeconds",
                                       "DefaultStorageClass", "StorageObjectInUseProtection",
                                       "PersistentVolumeClaimResize"]


def test_the_cluster_runs_the_storage_plugins_right_after_default_toleration_seconds():
    import labkube

    storage = ["DefaultTolerationSeconds", "DefaultStorageClass", "StorageObjectInUseProtection",
               "PersistentVolumeClaimResize"]
    with labkube.Cluster(nodes=0, seed=0) as cluster:
        names = cluster.server.admission.names()
    start = names.index("DefaultTolerationSeconds")
    assert names[start:start + len(storage)] == storage


class Recorder:
    def __init__(self, name, log):
        self.name, self.log = name, log

    def admit(self, attrs):
        self.log.append((self.name, "admit", attrs.operation))

    def validate(self, attrs):
        self.log.append((self.name, "validate", attrs.operation))


def test_register_inserts_before_a_named_plugin_and_runs_mutating_before_validating():
    log = []
    chain = AdmissionChain((Recorder("A", log), Recorder("C", log)))
    chain.register(Recorder("B", log), before="C")
    assert chain.names() == ["A", "B", "C"]
    chain.admit(type("Attrs", (), {"operation": "CREATE"})())
    chain.validate(type("Attrs", (), {"operation": "CREATE"})())
    assert [entry[:2] for entry in log] == [("A", "admit"), ("B", "admit"), ("C", "admit"),
                                           ("A", "validate"), ("B", "validate"), ("C", "validate")]


@pytest.mark.parametrize("before", ["Nope"])
def test_registering_before_an_unknown_plugin_is_an_error(before):
    with pytest.raises(ValueError):
        default_chain().register(Recorder("X", []), before=before)


class DenyLabel:
    """A validating plugin like ResourceQuota: sees the final object, may refuse it."""

    name = "DenyLabel"

    def validate(self, attrs):
        labels = ((attrs.obj or {}).get("metadata") or {}).get("labels") or {}
        if labels.get("deny") == "yes":
            raise errors.forbidden(attrs.rtype.qualified_resource, attrs.name, "denied by DenyLabel")


def test_a_registered_validating_plugin_can_refuse_and_nothing_is_written():
    env = new_server()
    env.server.admission.register(DenyLabel())
    revision = env.store.revision
    with pytest.raises(StatusError) as err:
        env.admin.create(pod(labels={"deny": "yes"}))
    assert err.value.message == 'pods "web" is forbidden: denied by DenyLabel'
    assert env.store.revision == revision


class AddLabel:
    name = "AddLabel"

    def admit(self, attrs):
        if attrs.operation == "CREATE" and attrs.obj is not None:
            attrs.obj["metadata"].setdefault("labels", {})["admitted"] = "true"


def test_a_registered_mutating_plugin_changes_what_is_stored():
    env = new_server()
    env.server.admission.register(AddLabel(), before="ServiceAccount")
    env.admin.create(pod())
    assert env.admin.get("pods", "web")["metadata"]["labels"] == {"admitted": "true"}


def test_service_account_admission_respects_automount_false_on_the_account():
    env = new_server()
    env.admin.create({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "quiet"},
                      "automountServiceAccountToken": False})
    body = pod()
    body["spec"]["serviceAccountName"] = "quiet"
    spec = env.admin.create(body)["spec"]
    assert "volumes" not in spec and spec["serviceAccount"] == "quiet"


def test_priority_admission_refuses_an_unknown_priority_class():
    env = new_server()
    body = pod()
    body["spec"]["priorityClassName"] = "gold"
    with pytest.raises(StatusError) as err:
        env.admin.create(body)
    assert err.value.message == 'pods "web" is forbidden: no PriorityClass with name gold was found'


def test_priority_admission_knows_the_system_classes():
    env = new_server()
    body = pod()
    body["spec"]["priorityClassName"] = "system-node-critical"
    assert env.admin.create(body)["spec"]["priority"] == 2000001000


def test_an_explicit_toleration_for_not_ready_is_kept():
    env = new_server()
    body = pod()
    body["spec"]["tolerations"] = [{"key": "node.kubernetes.io/not-ready", "operator": "Exists",
                                    "effect": "NoExecute", "tolerationSeconds": 10}]
    tolerations = env.admin.create(body)["spec"]["tolerations"]
    assert [(t["key"], t.get("tolerationSeconds")) for t in tolerations] == [
        ("node.kubernetes.io/not-ready", 10), ("node.kubernetes.io/unreachable", 300)]
