"""Symbolic links in volumes (the kubelet's AtomicWriter layout), subPath binds, and the files
containerd binds from the sandbox into every container (/etc/hostname, /etc/resolv.conf)."""

import pytest

from labkube.runtime.cri import ContainerConfig, DNSConfig, Mount, PodSandboxConfig, Symlink
from labkube.runtime.sim.fs import ELOOP, ContainerFS, FsError, pin_sub_path
from labkube.runtime.volume import Volume

TS = "..2025_01_01_00_00_00.123456789"


def _atomic(**files):
    volume = Volume("config", read_only=True)
    layout = {f"{TS}/{k}": v for k, v in files.items()}
    layout["..data"] = Symlink(TS)
    layout.update({k: Symlink(f"..data/{k}") for k in files})
    volume.replace_files(layout)
    return volume


def test_reading_a_key_follows_its_link_and_the_data_link():
    fs = ContainerFS({}, [Mount("/etc/config", _atomic(color=b"blue"))])
    assert fs.read("/etc/config/color") == b"blue"
    assert fs.is_file("/etc/config/color") and fs.is_dir("/etc/config/..data")
    assert fs.listdir("/etc/config/..data") == ["color"]


def test_lstat_sees_the_links_themselves():
    fs = ContainerFS({}, [Mount("/etc/config", _atomic(color=b"blue"))])
    assert fs.is_symlink("/etc/config/color") and fs.is_symlink("/etc/config/..data")
    assert not fs.is_symlink(f"/etc/config/{TS}")
    assert (fs.readlink("/etc/config/color"), fs.readlink("/etc/config/..data")) == ("..data/color", TS)
    assert fs.listdir("/etc/config") == sorted([TS, "..data", "color"])


def test_readlink_of_a_file_is_einval():
    fs = ContainerFS({}, [Mount("/etc/config", _atomic(color=b"blue"))])
    with pytest.raises(FsError) as err:
        fs.readlink(f"/etc/config/{TS}/color")
    assert err.value.strerror == "Invalid argument"


def test_swapping_data_changes_what_every_key_reads():
    volume = _atomic(color=b"blue")
    fs = ContainerFS({}, [Mount("/etc/config", volume)])
    volume.replace_files({"..new/color": b"red", "..data": Symlink("..new"), "color": Symlink("..data/color")})
    assert fs.read("/etc/config/color") == b"red"


def test_a_link_loop_is_eloop():
    volume = Volume("v", {"a": Symlink("b"), "b": Symlink("a")})
    fs = ContainerFS({}, [Mount("/v", volume)])
    with pytest.raises(FsError) as err:
        fs.read("/v/a")
    assert err.value.strerror == ELOOP


def test_an_absolute_link_is_followed_from_the_containers_root():
    fs = ContainerFS({"etc/os-release": b"busybox\n"}, [Mount("/v", Volume("v", {"os": Symlink("/etc/os-release")}))])
    assert fs.read("/v/os") == b"busybox\n"


def test_a_sub_path_is_bound_to_the_file_it_named_when_the_container_was_made():
    volume = _atomic(color=b"blue")
    pinned = pin_sub_path(Mount("/etc/color", volume, sub_path="color"))
    fs = ContainerFS({}, [pinned, Mount("/etc/config", volume)])
    volume.replace_files({"..new/color": b"red", "..data": Symlink("..new"), "color": Symlink("..data/color")})
    assert (fs.read("/etc/color"), fs.read("/etc/config/color")) == (b"blue", b"red")


def test_a_sub_path_without_links_stays_the_live_volume():
    volume = Volume("scratch", {"dir/file": b"1"})
    mount = Mount("/data", volume, sub_path="dir")
    assert pin_sub_path(mount) is mount


def _sandbox_file(runtime, clock, path, dns=None, mounts=()):
    op = runtime.pull_image("busybox:1.36")
    clock.run_until(lambda: op.done, 600)
    sandbox = runtime.run_pod_sandbox(PodSandboxConfig("p", "default", "uid-p", ip="10.244.1.5",
                                                       hostname="p", dns_config=dns))
    cid = runtime.create_container(sandbox, ContainerConfig("c", "busybox:1.36", ("sleep", "3600"),
                                                            mounts=tuple(mounts)))
    runtime.start_container(cid)
    return runtime.exec_sync(cid, ["cat", path]).stdout


def test_the_runtime_writes_resolv_conf_from_the_sandboxes_dns_config(runtime, clock):
    dns = DNSConfig(("10.96.0.10",), ("default.svc.cluster.local", "svc.cluster.local", "cluster.local"),
                    ("ndots:5",))
    assert _sandbox_file(runtime, clock, "/etc/resolv.conf", dns) == (
        "search default.svc.cluster.local svc.cluster.local cluster.local\n"
        "nameserver 10.96.0.10\noptions ndots:5\n")


def test_a_sandbox_without_dns_settings_gets_the_nodes_resolv_conf(runtime, clock):
    assert _sandbox_file(runtime, clock, "/etc/resolv.conf") == "nameserver 172.18.0.1\n"
    assert _sandbox_file(runtime, clock, "/etc/resolv.conf", DNSConfig()) == "nameserver 172.18.0.1\n"


def test_a_container_mounting_its_own_resolv_conf_keeps_it(runtime, clock):
    own = Volume("dns", {"resolv.conf": b"nameserver 9.9.9.9\n"})
    mounts = [Mount("/etc/resolv.conf", own, sub_path="resolv.conf")]
    assert _sandbox_file(runtime, clock, "/etc/resolv.conf", DNSConfig(("10.96.0.10",)), mounts) == \
        "nameserver 9.9.9.9\n"


def test_pods_with_the_same_dns_settings_share_one_resolv_conf(runtime):
    dns = DNSConfig(("10.96.0.10",), ("a",), ("ndots:5",))
    assert runtime.resolv_conf(dns) is runtime.resolv_conf(DNSConfig(("10.96.0.10",), ("a",), ("ndots:5",)))
