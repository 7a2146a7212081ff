"""What containers share to stay small stays private where it must.

Containers of one image share the image's file bytes and (until one changes them) the set of
directories; a write in one container is still never seen in another. Volumes copy their
directories on the first change; a Generated file is made again on every read.
"""

from labkube.runtime.volume import Generated, Volume
from tests.runtime.conftest import start


def _container(runtime, cid):
    return runtime._containers[cid]


def test_two_containers_of_one_image_share_its_files_but_not_their_writes(runtime, clock):
    one = start(runtime, clock, "nginx", pod="one", ip="10.244.1.5")
    two = start(runtime, clock, "nginx", pod="two", ip="10.244.1.6")
    fs_one, fs_two = _container(runtime, one).fs, _container(runtime, two).fs
    page = "/usr/share/nginx/html/index.html"
    assert fs_one.read(page) is fs_two.read(page)
    assert fs_one.root.dirs is fs_two.root.dirs
    fs_one.write(page, "changed\n")
    fs_one.mkdir("/data")
    assert fs_one.read_text(page) == "changed\n" and fs_one.is_dir("/data")
    assert "Welcome to nginx!" in fs_two.read_text(page) and not fs_two.exists("/data")
    assert fs_two.read_text("/etc/hostname") == "two\n"


def test_a_volume_copies_its_shared_directories_before_changing_them():
    first, second = Volume("a"), Volume("b")
    for volume in (first, second):
        volume.mkdir("x/y")
        volume.share_dirs()
    assert first.dirs is second.dirs
    first.mkdir("z")
    assert first.is_dir("z") and not second.is_dir("z")
    assert second.listdir("") == ["x"] and first.listdir("") == ["x", "z"]


class _Counted(Generated):
    def __init__(self, made):
        self.made = made

    def make(self):
        self.made.append(1)
        return b"token"


def test_a_generated_file_is_made_on_every_read_and_can_be_appended_to():
    made = []
    volume = Volume("v", {"token": _Counted(made)})
    assert volume.read("token") == b"token" and volume.read("token") == b"token"
    assert len(made) == 2 and volume.listdir() == ["token"]
    volume.write("token", "!", append=True)
    assert volume.read("token") == b"token!" and len(made) == 3
