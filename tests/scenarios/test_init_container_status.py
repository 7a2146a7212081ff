"""What ``kubectl get pod`` shows while a pod with init containers starts.

The kubelet's ``convertToAPIContainerStatuses`` (pkg/kubelet/kubelet_pods.go) gives every
container it has not started yet the default waiting state ``PodInitializing`` when the pod has
init containers (``ContainerCreating`` when it has none), whether or not the init containers
have finished; kubectl prints ``Init:0/1`` while an init container has not completed and, once
they all have, the app container's waiting reason: ``PodInitializing`` while its image is
pulled.
"""

import labkube

INIT_DEMO = {
    "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "init-demo"},
    "spec": {"initContainers": [{"name": "wait", "image": "busybox:1.36", "command": ["sh", "-c", "sleep 3"]}],
             "containers": [{"name": "web", "image": "nginx:1.27"}]},
}


def _status_column(cluster, name):
    return cluster.kubectl(f"get pod {name} --no-headers").split()[2]


def _statuses_seen(cluster, name, seconds, step=0.25):
    """Each STATUS ``kubectl get pod`` printed, in order, with the app container's state."""
    seen = []
    for _ in range(int(seconds / step)):
        cluster.run(step)
        state = cluster.get("pod", name)["status"]["containerStatuses"][0]["state"]
        row = (_status_column(cluster, name), state)
        if not seen or seen[-1] != row:
            seen.append(row)
    return seen


def test_an_app_container_waits_as_pod_initializing_while_its_image_is_pulled_after_init():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.apply(INIT_DEMO)
    seen = _statuses_seen(cluster, "init-demo", 20)
    assert [status for status, _ in seen] == ["Init:0/1", "PodInitializing", "Running"]
    assert seen[1][1] == {"waiting": {"reason": "PodInitializing"}}


def test_a_pod_without_init_containers_waits_as_container_creating():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
                   "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}})
    seen = _statuses_seen(cluster, "web", 20)
    assert [status for status, _ in seen] == ["ContainerCreating", "Running"]
    assert seen[0][1] == {"waiting": {"reason": "ContainerCreating"}}
