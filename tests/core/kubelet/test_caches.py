"""What the kubelet and the simulated runtime remember between pods, and that it stays true."""

import pytest

from labkube.core.kubelet.env import ServiceEnvCache
from labkube.runtime.cri import ImagePullError
from labkube.runtime.reference import Reference, parse_reference
from labkube.runtime.sim import images as sim_images
from labkube.runtime.sim.fs import ENOENT, ContainerFS, FsError
from labkube.runtime.volume import Generated, Volume
from tests.core.kubelet.harness import Node, simple_pod


def _service(name, ip, rv, namespace="default"):
    return {"metadata": {"name": name, "namespace": namespace, "uid": f"uid-{name}",
                         "resourceVersion": rv},
            "spec": {"clusterIP": ip, "ports": [{"port": 80}]}}


class _Informer:
    """Just enough of an informer for ServiceEnvCache.follow: it keeps the handlers."""

    def __init__(self):
        self.handlers = []

    def add_event_handler(self, on_add, on_update, on_delete):
        self.handlers.append((on_add, on_update, on_delete))


POD = {"metadata": {"name": "p", "namespace": "default"}, "spec": {}}


def test_a_following_service_env_cache_lists_services_again_only_after_a_change():
    services = {"default": [_service("web", "10.96.0.9", "5")]}
    listed = []

    def services_in(namespace):
        listed.append(namespace)
        return services[namespace]

    cache, informer = ServiceEnvCache(), _Informer()
    cache.follow(informer)
    first = cache.for_pod(services_in, POD)
    calls = len(listed)
    assert cache.for_pod(services_in, POD) is first and len(listed) == calls  # nothing changed
    services["default"] = [_service("web", "10.96.0.10", "6")]
    on_add, on_update, on_delete = informer.handlers[0]
    on_update(None, services["default"][0])
    assert cache.for_pod(services_in, POD)["WEB_SERVICE_HOST"] == "10.96.0.10"
    assert len(listed) > calls


def test_a_service_env_cache_that_follows_nothing_lists_the_services_every_time():
    services = {"default": [_service("web", "10.96.0.9", "5")]}
    cache = ServiceEnvCache()
    assert cache.for_pod(services.get, POD)["WEB_SERVICE_HOST"] == "10.96.0.9"
    services["default"] = [_service("web", "10.96.0.10", "6")]
    assert cache.for_pod(services.get, POD)["WEB_SERVICE_HOST"] == "10.96.0.10"


def test_a_service_created_after_a_pod_started_reaches_the_next_pods_environment():
    node = Node()
    first = simple_pod("first", "busybox:1.28", command=["sh", "-c", "env"])
    first["spec"]["restartPolicy"] = "Never"
    node.create(first)
    node.run(5)
    assert "WEB_SERVICE_HOST" not in node.kubelet.logs("default", "first")
    node.admin.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"},
                       "spec": {"clusterIP": "10.96.0.20", "ports": [{"port": 80, "protocol": "TCP"}]}})
    node.run(1)
    second = simple_pod("second", "busybox:1.28", command=["sh", "-c", "env"])
    second["spec"]["restartPolicy"] = "Never"
    node.create(second)
    node.run(5)
    assert "WEB_SERVICE_HOST=10.96.0.20\n" in node.kubelet.logs("default", "second")


def test_downward_api_env_sees_the_pod_ip_and_a_plain_container_gets_service_variables_only():
    node = Node()
    pod = simple_pod("dapi", "busybox:1.28", command=["sh", "-c", "env"],
                     env=[{"name": "MY_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
                          {"name": "PLAIN", "value": "x"}])
    pod["spec"]["restartPolicy"] = "Never"
    node.create(pod)
    plain = simple_pod("plain", "busybox:1.28", command=["sh", "-c", "env"])
    plain["spec"]["restartPolicy"] = "Never"
    node.create(plain)
    node.run(5)
    ip = node.pod("dapi")["status"]["podIP"]
    assert f"MY_IP={ip}\n" in node.kubelet.logs("default", "dapi")
    worker = node.kubelet.worker_for("default", "plain")
    config = node.runtime._containers[worker.records["app"].container_id].config
    assert [name for name, _ in config.env if not name.startswith("KUBERNETES_")] == []


def test_an_image_profile_found_is_the_same_object_and_every_failed_lookup_raises_its_own_error():
    ref = parse_reference("registry.k8s.io/pause:3.10")
    assert sim_images.lookup(ref) is sim_images.lookup(ref)
    missing = parse_reference("registry.k8s.io/pause:no-such-tag")
    errors = []
    for _ in range(2):
        with pytest.raises(ImagePullError) as info:
            sim_images.lookup(missing)
        errors.append(info.value)
    assert errors[0] is not errors[1] and "not found" in errors[0].message


@pytest.mark.parametrize("ref, text", [
    (Reference("docker.io", "library/nginx", "1.27"), "docker.io/library/nginx:1.27"),
    (Reference("quay.io", "a/b", "", "sha256:" + "0" * 64), "quay.io/a/b@sha256:" + "0" * 64),
    (Reference("ghcr.io", "x", "v1", "sha256:" + "1" * 64), "ghcr.io/x:v1@sha256:" + "1" * 64),
])
def test_a_reference_prints_name_tag_and_digest(ref, text):
    assert str(ref) == text


class _Made(Generated):
    __slots__ = ()

    def make(self):
        return b"made"


def test_a_volume_keeps_bytes_as_given_encodes_text_and_copies_a_bytearray():
    data, buffer, made = b"abc", bytearray(b"xyz"), _Made()
    vol = Volume("v", {"a": data, "t": "text", "b": buffer, "g": made})
    assert vol.files["a"] is data and vol.files["t"] == b"text" and vol.files["g"] is made
    buffer[:] = b"000"
    assert vol.read("b") == b"xyz" and type(vol.files["b"]) is bytes


def test_a_file_written_at_the_top_or_under_a_directory_needs_its_parent_to_exist():
    fs = ContainerFS({})
    fs.write("/top", "1")
    fs.write("/etc/hostname", "h\n")
    assert fs.read("/top") == b"1" and fs.read("/etc/hostname") == b"h\n"
    with pytest.raises(FsError) as info:
        fs.write("/no/such/file", "x")
    assert info.value.strerror == ENOENT
