"""A container's filesystem is made when first used, and reads as if made at creation."""

from labkube.runtime.cri import ContainerConfig, Mount, PodSandboxConfig
from labkube.runtime.volume import Volume
from tests.runtime.conftest import start


def _create(runtime, clock, pod, mounts):
    op = runtime.pull_image("busybox:1.28")
    clock.run_until(lambda: op.done, 600)
    sandbox = runtime.run_pod_sandbox(PodSandboxConfig(pod, "default", "uid-" + pod, ip="10.244.1.7"))
    return runtime.create_container(sandbox, ContainerConfig(
        "c", "busybox:1.28", ("sh", "-c", "sleep 3600"), (), (), mounts=tuple(mounts)))


def test_a_container_that_never_reads_a_file_still_shows_its_hostname_when_asked(runtime, clock):
    cid = start(runtime, clock, "registry.k8s.io/pause:3.10", pod="quiet")
    container = runtime._containers[cid]
    assert container._fs is None  # nothing has read a file yet
    assert container.fs.read_text("/etc/hostname") == "quiet\n"


def test_a_volume_mounted_over_etc_gets_the_hostname_file_when_the_container_is_created(runtime, clock):
    shared = Volume("shared")
    _create(runtime, clock, "writer", [Mount("/etc", shared, False, "")])
    assert shared.read("hostname") == b"writer\n"  # no file read in the container: still there

