"""Paths in volumes and container filesystems: normalised the same way on every road, and the
directories a container starts with made once per image and pod template."""

import itertools
import posixpath

import pytest

from labkube.runtime.cri import Mount
from labkube.runtime.sim.fs import ContainerFS, normpath
from labkube.runtime.volume import Volume, is_normal, normalize
from tests.runtime.conftest import start


def _slow_norm(path):
    parts = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return "/".join(parts)


# Every path of up to five pieces from these, each piece a trap for a shortcut.
PIECES = ("a", ".", "..", "/", ".b", "b.", "")
PATHS = sorted({"".join(p) for k in range(1, 6) for p in itertools.product(PIECES, repeat=k)})


def test_a_path_is_called_normal_only_when_normalising_would_not_change_it():
    for path in PATHS:
        if is_normal(path):
            assert _slow_norm(path) == path, path
    assert is_normal("var/run/secrets/kubernetes.io/ca.crt") and not is_normal("a//b")


def test_volume_paths_normalise_the_same_by_the_short_road_and_the_long_one():
    for path in PATHS:
        assert normalize(path) == _slow_norm(path), path


def test_container_paths_normalise_as_joining_to_the_working_directory_then_resolving():
    for path, cwd in itertools.product(PATHS, ("/", "/work/dir")):
        expected = "/" + _slow_norm(posixpath.join(cwd, path))
        assert normpath(path, cwd) == expected, (path, cwd)


@pytest.mark.parametrize("path, dirs", [
    ("token", {""}),
    ("a/b/c.txt", {"", "a", "a/b"}),
    ("/x//y/./z/../f", {"", "x", "x/y"}),
    ("..data/ca.crt", {"", "..data"}),
])
def test_writing_a_file_makes_every_directory_above_it(path, dirs):
    volume = Volume("v")
    volume.write(path, b"1")
    assert set(volume.dirs) == dirs
    assert volume.read(path) == b"1"


def _mount(path, volume=None, read_only=False):
    return Mount(path, volume or Volume("v"), read_only)


def test_a_container_root_has_the_base_directories_and_each_mount_point_with_its_parents():
    fs = ContainerFS({}, [_mount("/var/run/secrets/kubernetes.io/serviceaccount"), _mount("/data/")])
    for path in ("/tmp", "/dev", "/etc", "/proc", "/var", "/root", "/var/run", "/var/run/secrets",
                 "/var/run/secrets/kubernetes.io", "/data"):
        assert fs.root.is_dir(path), path
    assert fs.listdir("/var/run/secrets") == ["kubernetes.io"]


def test_containers_of_one_image_and_template_share_one_set_of_directories_until_one_changes():
    files = {"etc/motd": b"hi\n"}
    one = ContainerFS(files, [_mount("/cfg")])
    two = ContainerFS(files, [_mount("/cfg")])
    other = ContainerFS(files, [_mount("/elsewhere")])
    assert one.root.dirs is two.root.dirs
    assert other.root.is_dir("elsewhere") and not one.root.is_dir("elsewhere")
    one.mkdir("/mine")
    assert one.is_dir("/mine") and not two.is_dir("/mine")


def test_the_longest_mount_point_wins_whatever_the_order_mounts_are_given_in():
    outer, inner = Volume("outer"), Volume("inner", {"f": b"inner\n"})
    for mounts in ([_mount("/a", outer), _mount("/a/b", inner)],
                   [_mount("/a/b", inner), _mount("/a", outer)]):
        fs = ContainerFS({}, mounts)
        assert fs.read_text("/a/b/f") == "inner\n"
        fs.write("/a/g", "outer\n")
        assert outer.read("g") == b"outer\n"


def test_a_mount_added_later_is_resolved_before_a_shorter_one():
    outer, inner = Volume("outer"), Volume("inner", {"f": b"late\n"})
    fs = ContainerFS({}, [_mount("/a", outer)])
    fs.add_mount(_mount("/a/b", inner))
    assert fs.read_text("/a/b/f") == "late\n" and fs.root.is_dir("a/b")


def test_a_container_status_is_new_when_the_container_changes_and_reused_while_it_does_not(runtime, clock):
    cid = start(runtime, clock, "busybox", command=["sh", "-c", "sleep 5; exit 3"])
    running = runtime.container_status(cid)
    assert runtime.container_status(cid) is running
    assert (running.state, running.image) == ("running", "docker.io/library/busybox:latest")
    clock.run(6)
    exited = runtime.container_status(cid)
    assert (exited.state, exited.exit_code, exited.reason) == ("exited", 3, "Error")
    assert running.state == "running"  # the status handed out before is not changed
