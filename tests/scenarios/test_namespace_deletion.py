"""Deleting a namespace: the namespace controller's timing and conditions, as in 1.32.

The controller waits for pods for up to their longest ``terminationGracePeriodSeconds``,
counted from the namespace's deletion, checking again after ``estimate/2 + 1`` seconds. After
that, pods still there are an error (``unexpected items still remain``), not something to wait
for: a namespace whose pods sit on a dead node stays ``Terminating`` and says so.
"""

import labkube


def conditions(cluster, name):
    namespace = cluster.client.get("namespaces", name)
    return {c["type"]: (c["status"], c["reason"], c["message"]) for c in namespace["status"]["conditions"]}


def exists(cluster, name):
    return any(ns["metadata"]["name"] == name for ns in cluster.client.list("namespaces")["items"])


def deleted_namespace_with_a_sleeping_pod(node_fails=False):
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.kubectl("create namespace team")
    cluster.kubectl("run sleeper -n team --image=busybox -- sleep 3600")  # sleep ignores SIGTERM
    cluster.run(20)
    if node_fails:
        cluster.fail_node("node-1")
    cluster.kubectl("delete namespace team --wait=false")
    return cluster


def test_the_namespace_goes_at_the_first_check_after_the_pods_grace_period():
    cluster = deleted_namespace_with_a_sleeping_pod()
    cluster.run(31)  # the pod is killed at 30 s; the checks run at 0, 16 and 32 s
    assert exists(cluster, "team")
    assert conditions(cluster, "team")["NamespaceContentRemaining"][0] == "True"
    cluster.run(2)
    assert not exists(cluster, "team")


def test_pods_that_outlive_the_estimate_fail_the_content_deletion():
    cluster = deleted_namespace_with_a_sleeping_pod(node_fails=True)
    cluster.run(40)
    found = conditions(cluster, "team")
    assert found["NamespaceDeletionContentFailure"] == (
        "True", "ContentDeletionFailed",
        "Failed to delete all resource types, 1 remaining: unexpected items still remain in "
        "namespace: team for gvr: /v1, Resource=pods")
    assert found["NamespaceContentRemaining"] == (
        "True", "SomeResourcesRemain", "Some resources are remaining: pods. has 1 resource instances")
    assert found["NamespaceFinalizersRemaining"] == (
        "False", "ContentHasNoFinalizers", "All content-preserving finalizers finished")
    assert cluster.client.get("namespaces", "team")["status"]["phase"] == "Terminating"
