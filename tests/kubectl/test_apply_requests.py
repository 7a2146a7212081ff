"""kubectl apply reads each object once (``info.Get()`` in apply.go), then creates or patches:
the audit log of an apply shows one GET before the write, never two."""

import labkube

CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {mode: %s}\n"


def _requests(cluster: labkube.Cluster, since: int) -> list[tuple[str, int]]:
    return [(r.verb, r.code) for r in cluster.audit(since) if r.resource == "configmaps" and r.name == "settings"]


def test_applying_a_new_object_reads_it_once_and_creates_it():
    cluster = labkube.Cluster(nodes=1, seed=0)
    since = cluster.audit_log.last_seq
    assert cluster.kubectl("apply -f -", stdin=CONFIGMAP % "a") == "configmap/settings created\n"
    assert _requests(cluster, since) == [("get", 404), ("create", 201)]


def test_applying_a_changed_object_reads_it_once_and_patches_it():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.kubectl("apply -f -", stdin=CONFIGMAP % "a")
    since = cluster.audit_log.last_seq
    assert cluster.kubectl("apply -f -", stdin=CONFIGMAP % "b") == "configmap/settings configured\n"
    assert _requests(cluster, since) == [("get", 200), ("patch", 200)]


def test_applying_an_unchanged_object_only_reads_it():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.kubectl("apply -f -", stdin=CONFIGMAP % "a")
    since = cluster.audit_log.last_seq
    assert cluster.kubectl("apply -f -", stdin=CONFIGMAP % "a") == "configmap/settings unchanged\n"
    assert _requests(cluster, since) == [("get", 200)]
