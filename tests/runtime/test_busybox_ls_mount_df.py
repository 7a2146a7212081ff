"""busybox 1.36 ``ls``, ``mount`` and ``df`` inside a pod: the AtomicWriter's links in a
configMap volume, the service-account tmpfs, and a mount table made from the container's
actual mounts (checked against coreutils/ls.c and df.c, containerd's mount order)."""

import pytest

import labkube
from labkube.runtime.cri import Mount, Symlink
from labkube.runtime.volume import Volume
from tests.runtime.conftest import start

BUSYBOX = "busybox:1.36"


@pytest.fixture(scope="module")
def pod():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"},
                   "data": {"COLOR": "blue", "mode": "dark"}})
    cluster.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
        "containers": [{"name": "c", "image": BUSYBOX, "command": ["sleep", "3600"],
                        "volumeMounts": [{"name": "config", "mountPath": "/etc/config"},
                                         {"name": "scratch", "mountPath": "/scratch"}]}],
        "volumes": [{"name": "config", "configMap": {"name": "cfg"}},
                    {"name": "scratch", "emptyDir": {}}]}})
    cluster.run(20)

    def sh(command: str) -> str:
        result = cluster.client.pod_exec("p", "default", ["sh", "-c", command])
        return result.stdout + result.stderr

    return sh



def test_ls_la_of_a_configmap_volume_shows_the_atomic_writers_links(pod):
    stamp = pod("ls -a /etc/config").split("\n")[2]
    assert stamp.startswith("..2025_01_01_00_00_00.")
    assert pod("ls -la /etc/config") == (
        "total 12\n"
        "drwxrwxrwx    3 root     root          4096 Jan  1 00:00 .\n"
        "drwxr-xr-x    3 root     root          4096 Jan  1 00:00 ..\n"
        f"drwxr-xr-x    2 root     root          4096 Jan  1 00:00 {stamp}\n"
        f"lrwxrwxrwx    1 root     root    {len(stamp):10d} Jan  1 00:00 ..data -> {stamp}\n"
        "lrwxrwxrwx    1 root     root            12 Jan  1 00:00 COLOR -> ..data/COLOR\n"
        "lrwxrwxrwx    1 root     root            11 Jan  1 00:00 mode -> ..data/mode\n")


def test_ls_la_of_the_service_account_volume_is_a_tmpfs_listing(pod):
    path = "/var/run/secrets/kubernetes.io/serviceaccount"
    stamp = pod(f"ls -a {path}").split("\n")[2]
    assert pod(f"ls -la {path}") == (
        "total 4\n"
        "drwxrwxrwt    3 root     root           140 Jan  1 00:00 .\n"
        "drwxr-xr-x    3 root     root          4096 Jan  1 00:00 ..\n"
        f"drwxr-xr-x    2 root     root           100 Jan  1 00:00 {stamp}\n"
        f"lrwxrwxrwx    1 root     root    {len(stamp):10d} Jan  1 00:00 ..data -> {stamp}\n"
        "lrwxrwxrwx    1 root     root            13 Jan  1 00:00 ca.crt -> ..data/ca.crt\n"
        "lrwxrwxrwx    1 root     root            16 Jan  1 00:00 namespace -> ..data/namespace\n"
        "lrwxrwxrwx    1 root     root            12 Jan  1 00:00 token -> ..data/token\n")


def test_ls_without_a_shows_the_keys_and_follows_a_link_given_with_a_trailing_slash(pod):
    assert pod("ls /etc/config") == "COLOR\nmode\n"
    assert pod("ls -1 /etc/config/..data/") == "COLOR\nmode\n"
    assert pod("ls -l /etc/config/COLOR") == \
        "lrwxrwxrwx    1 root     root            12 Jan  1 00:00 /etc/config/COLOR -> ..data/COLOR\n"


def test_ls_sorts_by_strcmp_and_lists_files_before_directories(pod):
    pod("touch /scratch/b /scratch/B /scratch/.hidden /scratch/a")
    assert pod("ls /scratch") == "B\na\nb\n"
    assert pod("ls -A /scratch") == ".hidden\nB\na\nb\n"
    assert pod("ls /scratch /etc/hostname") == "/etc/hostname\n\n/scratch:\nB\na\nb\n"


def test_ls_R_lists_subdirectories_but_not_the_data_link(pod):
    stamp = pod("ls -a /etc/config").split("\n")[2]
    assert pod("ls -R /etc/config") == "/etc/config:\nCOLOR\nmode\n"
    assert pod("ls -aR /etc/config").endswith(f"\n/etc/config/{stamp}:\n.\n..\nCOLOR\nmode\n")


def test_ls_of_a_missing_file_is_busyboxs_message(pod):
    assert pod("ls -l /nope 2>&1; echo $?") == "ls: /nope: No such file or directory\n1\n"


def test_mount_lists_the_containers_own_mounts_in_containerds_order(pod):
    lines = pod("mount").splitlines()
    assert lines[0].startswith("overlay on / type overlay (rw,relatime,lowerdir=/var/lib/containerd/"
                               "io.containerd.snapshotter.v1.overlayfs/snapshots/")
    assert lines[1:] == [
        "proc on /proc type proc (rw,nosuid,nodev,noexec,relatime)",
        "tmpfs on /dev type tmpfs (rw,nosuid,size=65536k,mode=755)",
        "devpts on /dev/pts type devpts (rw,nosuid,noexec,relatime,gid=5,mode=620,ptmxmode=666)",
        "mqueue on /dev/mqueue type mqueue (rw,nosuid,nodev,noexec,relatime)",
        "sysfs on /sys type sysfs (ro,nosuid,nodev,noexec,relatime)",
        "cgroup on /sys/fs/cgroup type cgroup2 (ro,nosuid,nodev,noexec,relatime)",
        "/dev/vda1 on /scratch type ext4 (rw,relatime)",
        "/dev/vda1 on /etc/config type ext4 (ro,relatime)",
        "/dev/vda1 on /etc/hosts type ext4 (rw,relatime)",
        "/dev/vda1 on /dev/termination-log type ext4 (rw,relatime)",
        "/dev/vda1 on /etc/hostname type ext4 (rw,relatime)",
        "/dev/vda1 on /etc/resolv.conf type ext4 (rw,relatime)",
        "shm on /dev/shm type tmpfs (rw,nosuid,nodev,noexec,relatime,size=65536k)",
        "tmpfs on /var/run/secrets/kubernetes.io/serviceaccount type tmpfs (ro,relatime,size=8286208k)",
        "proc on /proc/bus type proc (ro,nosuid,nodev,noexec,relatime)",
        "proc on /proc/fs type proc (ro,nosuid,nodev,noexec,relatime)",
        "proc on /proc/irq type proc (ro,nosuid,nodev,noexec,relatime)",
        "proc on /proc/sys type proc (ro,nosuid,nodev,noexec,relatime)",
        "proc on /proc/sysrq-trigger type proc (ro,nosuid,nodev,noexec,relatime)",
        "tmpfs on /proc/acpi type tmpfs (ro,relatime)",
        "tmpfs on /proc/kcore type tmpfs (rw,nosuid,size=65536k,mode=755)",
        "tmpfs on /proc/keys type tmpfs (rw,nosuid,size=65536k,mode=755)",
        "tmpfs on /proc/timer_list type tmpfs (rw,nosuid,size=65536k,mode=755)",
        "tmpfs on /proc/scsi type tmpfs (ro,relatime)",
        "tmpfs on /sys/firmware type tmpfs (ro,relatime)",
    ]


def test_df_h_shows_the_nodes_disk_and_the_token_tmpfs(pod):
    lines = pod("df -h").splitlines()
    assert lines[0] == "Filesystem                Size      Used Available Use% Mounted on"
    assert lines[1].startswith("overlay                  97.9G ")
    assert lines[1].endswith("% /")
    assert "tmpfs                    64.0M         0     64.0M   0% /dev" in lines
    assert "tmpfs                     7.9G     12.0K      7.9G   0% /var/run/secrets/kubernetes.io/serviceaccount" in lines
    assert not any(line.endswith((" /proc", " /sys", " /dev/pts")) for line in lines)
    assert pod("df /etc/config/COLOR").splitlines()[1].startswith("/dev/vda1            102694912 ")


class _MemoryVolume(Volume):
    """A volume the kubelet backs with memory (an emptyDir of ``medium: Memory``)."""

    __slots__ = ("medium", "size_limit")

    def __init__(self, name, size_limit):
        super().__init__(name)
        self.medium, self.size_limit = "Memory", size_limit


def test_a_memory_backed_volume_is_a_tmpfs_of_its_size_limit_in_mount_df_and_ls(runtime, clock):
    cache = _MemoryVolume("cache", 64 * 1024 * 1024)
    cache.write("a.txt", b"x" * 5000)
    cid = start(runtime, clock, BUSYBOX, args=("sleep", "3600"), mounts=[Mount("/cache", cache)])
    run = lambda cmd: runtime.exec_sync(cid, ["sh", "-c", cmd]).stdout
    assert "tmpfs on /cache type tmpfs (rw,relatime,size=65536k)\n" in run("mount")
    assert "tmpfs                    65536         8     65528   0% /cache\n" in run("df")
    assert run("ls -la /cache") == (
        "total 12\n"
        "drwxrwxrwt    2 root     root            60 Jan  1 00:00 .\n"
        "drwxr-xr-x    9 root     root          4096 Jan  1 00:00 ..\n"
        "-rw-r--r--    1 root     root          5000 Jan  1 00:00 a.txt\n")


def test_ls_l_shows_the_year_for_what_changed_more_than_six_months_ago(runtime, clock):
    stamp = "..2024_03_01_12_00_00.1"
    old = Volume("old", {f"{stamp}/k": b"v", "..data": Symlink(stamp), "k": Symlink("..data/k")})
    cid = start(runtime, clock, BUSYBOX, args=("sleep", "3600"), mounts=[Mount("/old", old)])
    assert runtime.exec_sync(cid, ["ls", "-l", "/old"]).stdout == (
        "total 0\n"
        "lrwxrwxrwx    1 root     root             8 Mar  1  2024 k -> ..data/k\n")
