"""What the kubelet answers a log request for a container that never ran
(``validateContainerLogStatus``): its waiting reason, image pull failures in plain words."""

import labkube

INIT_POD = """
apiVersion: v1
kind: Pod
metadata:
  name: two-step
spec:
  initContainers:
  - name: fetch
    image: {image}
    command: ["sleep", "5"]
  containers:
  - name: app
    image: busybox:1.36
    command: ["sleep", "3600"]
"""


def test_an_image_that_cannot_be_pulled_is_named_in_the_log_error():
    with labkube.Cluster(nodes=1, seed=0) as cluster:
        cluster.kubectl("run bad --image=nosuchimage:1")
        cluster.run(4)
        assert cluster.kubectl("get pod bad --no-headers").split()[2] == "ErrImagePull"
        assert cluster.kubectl("logs bad") == (
            'Error from server (BadRequest): container "bad" in pod "bad" is waiting to start: '
            "image can't be pulled\n")
        cluster.run(12)
        assert cluster.kubectl("get pod bad --no-headers").split()[2] == "ImagePullBackOff"
        assert cluster.kubectl("logs bad") == (
            'Error from server (BadRequest): container "bad" in pod "bad" is waiting to start: '
            "trying and failing to pull image\n")


def test_an_app_container_behind_an_init_container_waits_in_pod_initializing():
    with labkube.Cluster(nodes=1, seed=0) as cluster:
        cluster.kubectl("apply -f -", stdin=INIT_POD.format(image="busybox:1.36"))
        cluster.run(2)
        assert cluster.kubectl("logs two-step -c app") == (
            'Error from server (BadRequest): container "app" in pod "two-step" is waiting to start: '
            "PodInitializing\n")
