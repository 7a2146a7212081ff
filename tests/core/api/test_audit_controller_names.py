"""Every kube-controller-manager controller gets a plain name in audit descriptions.

Controllers act as service accounts in kube-system (``--use-service-account-credentials``);
most are called ``<name>-controller``, a few are not: the garbage collectors, the root CA
certificate publisher, the horizontal pod autoscaler, the persistent volume binder, ...
"""

import pytest

from labkube.core.api.audit import describe_user


@pytest.mark.parametrize("account, name", [
    ("root-ca-cert-publisher", "the root CA certificate publisher"),
    ("generic-garbage-collector", "the garbage collector"),
    ("pod-garbage-collector", "the pod garbage collector"),
    ("horizontal-pod-autoscaler", "the horizontal pod autoscaler"),
    ("persistent-volume-binder", "the persistent volume binder"),
    ("legacy-service-account-token-cleaner", "the legacy service account token cleaner"),
    ("service-account-controller", "the service account controller"),
    ("replicaset-controller", "the replicaset controller"),
])
def test_a_controller_service_account_is_described_by_its_controller(account, name):
    assert describe_user(f"system:serviceaccount:kube-system:{account}") == name


def test_other_service_accounts_keep_their_namespace_and_name():
    assert describe_user("system:serviceaccount:default:builder") == "service account default/builder"


def test_the_root_ca_publishers_writes_read_plainly_in_the_audit_log():
    import labkube
    cluster = labkube.Cluster(nodes=0, seed=0)
    cluster.run(1)
    published = [e for e in cluster.audit(resource="configmaps", verb="create")
                 if "kube-root-ca.crt" in e.describe()]
    assert published and all(e.describe().startswith("the root CA certificate publisher")
                             for e in published)
