"""The image catalog of the simulated registry, and what each image's programs do.

Mirrors the images Kubernetes tutorials pull, each with what matters to a student watching it:

* which tags exist (an unknown image or tag fails to pull with containerd's message), the
  image size (pull time and ``Image size: N bytes`` follow from it), ENTRYPOINT/CMD/ENV
  (Docker's rules combine them with a pod's ``command``/``args``), the base distribution (which
  utilities exist: busybox has ``wget``, Debian has not), the stop signal (nginx: SIGQUIT);
* a behaviour for the image's main program: ``nginx`` serves ``/usr/share/nginx/html`` on port 80
  with the welcome page and nginx's access log format; ``httpd`` answers "It works!"; redis
  listens on 6379 and logs its banner; ``agnhost liveness`` answers ``/healthz`` with 200 for
  10 s and then 500 (the liveness docs page); ``agnhost netexec``/``serve-hostname``/``pause``;
  ``serve_hostname`` answers its hostname on 9376 (the "Debug Services" page);
  ``goproxy`` listens on 8080; ``stress --vm 1 --vm-bytes 250M`` allocates that much memory
  (and is OOM-killed above its limit); ``mysqld``, WordPress, the guestbook frontend,
  ``hello-app`` and ``pause`` run as long-lived servers; the Kubernetes Basics tutorial's
  ``kubernetes-bootcamp`` (a Node.js server on 8080 that names the pod and its version, and logs
  each request; its ``sh -c`` PID 1 ignores SIGTERM, so a pod takes its whole grace period to stop); ``perl -Mbignum=bpi -wle 'print
  bpi(N)'`` prints N digits of π (the Job docs page); ``registry.k8s.io/hpa-example`` (Apache
  with PHP) answers ``OK!`` and spends CPU on each request (:mod:`.cpu_work`: the HPA
  walkthrough).

Image digests are derived from the reference (sha256 of the name), so they are stable but not
the registry's real digests. Sizes are close to the real compressed sizes.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Optional

from labkube.runtime.cri import HttpResponse, Image, ImagePullError
from labkube.runtime.reference import Reference
from labkube.runtime.sim import minipython
from labkube.runtime.sim.cpu_work import HPA_EXAMPLE_REQUEST_CPU_SECONDS
from labkube.runtime.sim.fs import normpath
from labkube.runtime.sim.process import FOREVER, PROGRAMS, Proc, ProgramGen, Sleep, program
from labkube.runtime.sim.shell import IO, Shell
from labkube.runtime.sim.utils import static_files

MiB = 1024 * 1024
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

BUSYBOX_TOOLS = frozenset(
    "sh ash echo printf printenv env cat touch rm mkdir test [ ls date hostname true false sleep "
    "tail head wc grep seq basename dirname kill killall pkill ps nslookup wget httpd nc cp mv "
    "id whoami uname sort uniq cut tr mount df rev ping".split())
GNU_TOOLS = frozenset(
    "sh dash bash echo printf printenv env cat touch rm mkdir test [ ls date hostname true false "
    "sleep tail head wc grep seq basename dirname kill cp mv id whoami uname sort uniq cut tr".split())


@dataclass(frozen=True)
class ImageProfile:
    """What the simulated registry knows about one repository."""

    repository: str  # "docker.io/library/nginx"
    tags: tuple[str, ...] = ("latest",)
    tag_pattern: str = ""  # further tags that exist (a regex over the whole tag)
    size: int = 50 * MiB
    tag_sizes: tuple[tuple[str, int], ...] = ()
    entrypoint: tuple[str, ...] = ()
    cmd: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    toolset: str = "gnu"  # "busybox" | "gnu" | "none"
    binaries: frozenset[str] = frozenset()
    stop_signal: str = "TERM"
    cpu_millicores: int = 0
    memory_bytes: int = 1 * MiB
    files: tuple[tuple[str, str], ...] = ()
    features: frozenset[str] = frozenset()
    working_dir: str = "/"
    #: The busybox release the image ships ("" when unknown); with ``busybox_in_tag`` a tag that
    #: starts with a version (``1.28``, ``1.36.1-uclibc``, ``1.29-4``) names the release instead.
    busybox: str = ""
    busybox_in_tag: bool = False

    def has_tag(self, tag: str) -> bool:
        return tag in self.tags or bool(self.tag_pattern and re.fullmatch(self.tag_pattern, tag))

    def size_of(self, tag: str) -> int:
        return dict(self.tag_sizes).get(tag, self.size)

    def tools(self) -> frozenset[str]:
        return _tools(self.toolset, self.binaries)

    def busybox_release(self, tag: str) -> tuple[int, ...]:
        """(major, minor) of the busybox in image ``tag``, e.g. (1, 28); () when unknown.

        Some applets changed between releases: ``nslookup`` was rewritten in 1.29 (busybox:1.28
        is the last with the libc-based one the Kubernetes DNS docs show)."""
        match = re.match(r"(\d+)\.(\d+)", tag) if self.busybox_in_tag else None
        version = match.group(0) if match else self.busybox
        return tuple(int(part) for part in version.split(".")[:2]) if version else ()

    @property
    def shell(self) -> str:
        return "ash" if self.toolset == "busybox" else "dash"


@functools.lru_cache(maxsize=None)
def _tools(toolset: str, binaries: frozenset[str]) -> frozenset[str]:
    """The programs an image has: its toolset's and its own (one set per kind of image)."""
    base = {"busybox": BUSYBOX_TOOLS, "gnu": GNU_TOOLS}.get(toolset, frozenset())
    return base | binaries


NGINX_WELCOME = """<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
"""

#: index.php of registry.k8s.io/hpa-example: CPU-heavy work, then "OK!".
HPA_EXAMPLE_INDEX = """<?php
  $x = 0.0001;
  for ($i = 0; $i <= 1000000; $i++) {
    $x += sqrt($x);
  }
  echo "OK!";
?>
"""

GUESTBOOK_PAGE = """<html ng-app="redis">
  <head>
    <title>Guestbook</title>
  </head>
  <body ng-controller="RedisCtrl">
    <div style="width: 50%; margin-left: 20px">
      <h2>Guestbook</h2>
    </div>
  </body>
</html>
"""

#: The tutorial image's ``/server.js``, as labkube models it: the same answers and log lines as
#: the real file (``Hello Kubernetes bootcamp! | Running on: POD | v=1``), in labkube's words.
BOOTCAMP_SERVER_JS = """var http = require('http');

// The Kubernetes Basics tutorial's app: it names the pod that answered and its version.
var version = 'v=%s';
var served = 0;
var started, pod;

http.createServer(function (request, response) {
  response.setHeader('Content-Type', 'text/plain');
  response.writeHead(200);
  response.end('Hello Kubernetes bootcamp! | Running on: ' + pod + ' | ' + version + '\\n');
  served += 1;
  console.log('Running On:', pod, '| Total Requests:', served,
              '| App Uptime:', (new Date() - started) / 1000, 'seconds', '| Log Time:', new Date());
}).listen(8080, function () {
  started = new Date();
  pod = process.env.HOSTNAME;
  console.log('Kubernetes Bootcamp App Started At:', started, '| Running On: ', pod, '\\n');
});
"""

_DOCKER = "docker.io/library/"


def _bootcamp(newest: str) -> dict:
    """The kubernetes-bootcamp image's settings; ``/server.js`` says ``v=<newest>`` except in
    ``:v1`` (see :func:`bootcamp`, which answers from the tag the same way)."""
    return dict(cmd=("/bin/sh", "-c", "node server.js"), toolset="gnu",
                env=(("NPM_CONFIG_LOGLEVEL", "info"), ("NODE_VERSION", "6.3.1")),
                binaries=frozenset({"node", "npm", "curl"}), cpu_millicores=1,
                memory_bytes=10 * MiB, files=(("server.js", BOOTCAMP_SERVER_JS % newest),))


def _profiles() -> list[ImageProfile]:
    nginx_files = (("usr/share/nginx/html/index.html", NGINX_WELCOME),
                   ("usr/share/nginx/html/50x.html", "<h1>An error occurred.</h1>\n"),
                   ("etc/nginx/nginx.conf", "user  nginx;\nworker_processes  auto;\n"))
    nginx = dict(entrypoint=("/docker-entrypoint.sh",), cmd=("nginx", "-g", "daemon off;"),
                 toolset="gnu", binaries=frozenset({"nginx", "docker-entrypoint.sh", "curl"}),
                 stop_signal="QUIT", memory_bytes=3 * MiB, files=nginx_files)
    debian_like = dict(toolset="gnu", cmd=("bash",))
    return [
        ImageProfile(_DOCKER + "nginx", ("latest", "stable", "mainline", "alpine", "perl"),
                     r"1\.([7-9]|1\d|2[0-7])(\.\d{1,2})?(-alpine|-perl|-alpine-slim|-bookworm)?",
                     72 * MiB, (("1.14.2", 44_710_204), ("1.16.1", 51_034_815)),
                     env=(("NGINX_VERSION", "1.27.3"),), **nginx),
        ImageProfile("registry.k8s.io/nginx-slim", (), r"0\.(\d|1\d|2[0-7])", 5 * MiB,
                     **{**nginx, "entrypoint": ()}),
        ImageProfile(_DOCKER + "httpd", ("latest", "alpine", "2"), r"2\.4(\.\d{1,2})?(-alpine)?",
                     58 * MiB, cmd=("httpd-foreground",), toolset="gnu",
                     binaries=frozenset({"httpd-foreground", "httpd"}), stop_signal="WINCH",
                     memory_bytes=5 * MiB,
                     files=(("usr/local/apache2/htdocs/index.html",
                             "<html><body><h1>It works!</h1></body></html>\n"),)),
        ImageProfile(_DOCKER + "busybox", ("latest", "musl", "glibc", "uclibc", "stable"),
                     r"1\.(2[4-9]|3[0-7])(\.\d)?(-musl|-glibc|-uclibc)?", 2_155_000,
                     (("1.28", 728_000),), cmd=("sh",), toolset="busybox",
                     memory_bytes=256 * 1024, busybox="1.37.0", busybox_in_tag=True),
        ImageProfile("registry.k8s.io/busybox", ("latest", "1.24", "1.27", "1.27.2"), "", 1_144_547,
                     cmd=("sh",), toolset="busybox", memory_bytes=256 * 1024,
                     features=frozenset({"nslookup-legacy"}), busybox="1.24", busybox_in_tag=True),
        ImageProfile("registry.k8s.io/e2e-test-images/busybox", ("1.29-1", "1.29-2", "1.29-4",
                                                                 "1.36.1-1"), "", 1_374_000,
                     cmd=("sh",), toolset="busybox", memory_bytes=256 * 1024, busybox_in_tag=True),
        # the Docker Official Image "bash": Alpine (busybox) with bash installed
        ImageProfile(_DOCKER + "bash", ("latest", "devel", "5", "4"),
                     r"[3-5]\.\d{1,2}(\.\d{1,2})?(-alpine3\.\d{1,2})?", 6_250_000, cmd=("bash",),
                     toolset="busybox", binaries=frozenset({"bash"}), memory_bytes=512 * 1024),
        ImageProfile(_DOCKER + "alpine", ("latest", "edge"), r"3(\.\d{1,2}){0,2}", 3_623_000,
                     cmd=("/bin/sh",), toolset="busybox", memory_bytes=256 * 1024),
        ImageProfile(_DOCKER + "debian", ("latest", "bookworm", "bullseye", "buster",
                                          "bookworm-slim", "bullseye-slim", "stable", "stable-slim"),
                     r"(1[0-3])(\.\d{1,2})?(-slim)?", 48_500_000, **debian_like),
        ImageProfile(_DOCKER + "ubuntu", ("latest", "jammy", "noble", "focal", "rolling"),
                     r"(1[4-9]|2[0-4])\.(04|10)", 29_700_000, toolset="gnu", cmd=("/bin/bash",)),
        ImageProfile(_DOCKER + "redis", ("latest", "alpine", "bookworm"),
                     r"[3-7](\.\d)?(\.\d{1,2})?(-alpine|-bookworm)?", 45 * MiB,
                     (("5", 35 * MiB), ("6.0.5", 38_000_000)),
                     entrypoint=("docker-entrypoint.sh",), cmd=("redis-server",),
                     binaries=frozenset({"redis-server", "redis-cli", "docker-entrypoint.sh"}),
                     cpu_millicores=2, memory_bytes=3 * MiB, working_dir="/data"),
        ImageProfile("us-docker.pkg.dev/google-samples/containers/gke/gb-redis-follower",
                     ("v1", "v2"), "", 39 * MiB, entrypoint=("docker-entrypoint.sh",),
                     cmd=("redis-server", "--replicaof", "redis-leader", "6379"),
                     binaries=frozenset({"redis-server", "redis-cli", "docker-entrypoint.sh"}),
                     cpu_millicores=2, memory_bytes=3 * MiB),
        # Alpine with bind-tools (BIND's nslookup), curl and bash; ENTRYPOINT agnhost, CMD pause
        ImageProfile("registry.k8s.io/e2e-test-images/agnhost", (),
                     r"2\.(1\d|2\d|3\d|4\d|5[0-3])", 51 * MiB, entrypoint=("/agnhost",),
                     cmd=("pause",), toolset="busybox",
                     binaries=frozenset({"agnhost", "curl", "bash"}), memory_bytes=6 * MiB,
                     features=frozenset({"bind-tools"})),
        # the "Debug Services" page's hostnames: HTTP on 9376 answering the pod's hostname
        ImageProfile("registry.k8s.io/serve_hostname", ("latest",), "", 4_600_000,
                     entrypoint=("/serve_hostname",), toolset="none",
                     binaries=frozenset({"serve_hostname"}), memory_bytes=2 * MiB),
        ImageProfile("registry.k8s.io/liveness", ("latest",), "", 4 * MiB, cmd=("/server",),
                     toolset="none", binaries=frozenset({"server"}), memory_bytes=2 * MiB),
        ImageProfile("registry.k8s.io/goproxy", ("0.1",), "", 2_925_000, entrypoint=("/goproxy",),
                     toolset="none", binaries=frozenset({"goproxy"}), memory_bytes=2 * MiB),
        ImageProfile("registry.k8s.io/pause", (), r"3\.([1-9]|10)|2\.0", 311_286,
                     entrypoint=("/pause",), toolset="none", binaries=frozenset({"pause"}),
                     memory_bytes=200 * 1024),
        ImageProfile("registry.k8s.io/coredns/coredns", ("v1.11.3", "v1.11.1", "v1.10.1"), "",
                     18_562_039, entrypoint=("/coredns",), toolset="none",
                     binaries=frozenset({"coredns"}), memory_bytes=14 * MiB),
        # kubeadm's kube-proxy (its DaemonSet gives the command); distroless with iptables
        ImageProfile("registry.k8s.io/kube-proxy", ("v1.32.0",), r"v1\.3[0-2]\.\d{1,2}", 30_907_000,
                     toolset="none", binaries=frozenset({"kube-proxy", "iptables"}),
                     memory_bytes=12 * MiB),
        ImageProfile("k8s.gcr.io/pause", (), r"3\.[1-9]|2\.0", 311_286, entrypoint=("/pause",),
                     toolset="none", binaries=frozenset({"pause"}), memory_bytes=200 * 1024),
        ImageProfile("docker.io/polinux/stress", ("latest", "1.0.4"), "", 4_041_495,
                     cmd=("stress", "--help"), toolset="busybox", binaries=frozenset({"stress"}),
                     memory_bytes=512 * 1024),
        ImageProfile("docker.io/vish/stress", ("latest",), "", 2_745_000,
                     entrypoint=("/stress", "-logtostderr"), toolset="none",
                     binaries=frozenset({"stress"}), memory_bytes=2 * MiB),
        ImageProfile(_DOCKER + "mysql", ("latest", "lts"), r"(5\.[67]|8\.[0-4]|9\.[0-2])(\.\d{1,2})?",
                     170 * MiB, (("5.6", 100 * MiB),), entrypoint=("docker-entrypoint.sh",),
                     cmd=("mysqld",), binaries=frozenset({"mysqld", "docker-entrypoint.sh"}),
                     cpu_millicores=5, memory_bytes=380 * MiB),
        ImageProfile(_DOCKER + "wordpress", ("latest", "apache"),
                     r"[4-6]\.\d(\.\d)?(-apache|-php8\.[0-3]-apache)?", 250 * MiB,
                     entrypoint=("docker-entrypoint.sh",), cmd=("apache2-foreground",),
                     binaries=frozenset({"apache2-foreground", "docker-entrypoint.sh", "curl"}),
                     stop_signal="WINCH", cpu_millicores=1, memory_bytes=20 * MiB),
        ImageProfile("registry.k8s.io/hpa-example", ("latest",), "", 137 * MiB,
                     entrypoint=("docker-php-entrypoint",), cmd=("apache2-foreground",),
                     binaries=frozenset({"apache2-foreground", "docker-php-entrypoint", "php"}),
                     stop_signal="WINCH", cpu_millicores=1, memory_bytes=9 * MiB,
                     features=frozenset({"php-index"}), files=(("var/www/html/index.php", HPA_EXAMPLE_INDEX),)),
        ImageProfile("gcr.io/google-samples/gb-frontend", ("v4", "v5", "v6"), "", 130 * MiB,
                     cmd=("apache2-foreground",), binaries=frozenset({"apache2-foreground"}),
                     stop_signal="WINCH", memory_bytes=12 * MiB,
                     files=(("var/www/html/index.html", GUESTBOOK_PAGE),)),
        ImageProfile("us-docker.pkg.dev/google-samples/containers/gke/gb-frontend", ("v5",), "",
                     130 * MiB, cmd=("apache2-foreground",),
                     binaries=frozenset({"apache2-foreground"}), stop_signal="WINCH",
                     memory_bytes=12 * MiB, files=(("var/www/html/index.html", GUESTBOOK_PAGE),)),
        ImageProfile("docker.io/corelab/gb-frontend", ("v5",), "", 130 * MiB,
                     cmd=("apache2-foreground",), binaries=frozenset({"apache2-foreground"}),
                     stop_signal="WINCH", memory_bytes=12 * MiB,
                     files=(("var/www/html/index.html", GUESTBOOK_PAGE),)),
        ImageProfile("gcr.io/google-samples/hello-app", ("1.0", "2.0"), "", 4_100_000,
                     cmd=("./hello-app",), toolset="busybox", binaries=frozenset({"hello-app"}),
                     memory_bytes=1 * MiB),
        ImageProfile("us-docker.pkg.dev/google-samples/containers/gke/hello-app", ("1.0", "2.0"),
                     "", 4_100_000, cmd=("./hello-app",), toolset="busybox",
                     binaries=frozenset({"hello-app"}), memory_bytes=1 * MiB),
        # Kubernetes Basics: node:6.3.1 (Debian jessie) with /server.js, CMD in shell form
        ImageProfile("gcr.io/google-samples/kubernetes-bootcamp", ("v1",), "", 83_642_968,
                     **_bootcamp("1")),
        ImageProfile("docker.io/jocatalin/kubernetes-bootcamp", ("v1", "v2"), "", 83_642_968,
                     **_bootcamp("2")),
        ImageProfile("gcr.io/google-samples/hello-go-gke", ("1.0",), "", 4_100_000,
                     cmd=("/hello",), toolset="busybox", binaries=frozenset({"hello"})),
        ImageProfile("k8s.gcr.io/fluentd-elasticsearch", ("1.20",), "", 62 * MiB,
                     cmd=("/run.sh",), binaries=frozenset({"run.sh"}), memory_bytes=60 * MiB),
        ImageProfile(_DOCKER + "python", ("latest", "slim", "alpine"),
                     r"3(\.\d{1,2}){0,2}(-slim|-alpine|-bookworm)?", 370 * MiB, cmd=("python3",),
                     binaries=frozenset({"python", "python3"}), memory_bytes=8 * MiB),
        ImageProfile(_DOCKER + "perl", ("latest", "slim"), r"5(\.\d{1,2}){0,2}(-slim)?", 330 * MiB,
                     cmd=("perl", "-de0"), binaries=frozenset({"perl"}), memory_bytes=4 * MiB),
    ]


CATALOG: dict[str, ImageProfile] = {p.repository: p for p in _profiles()}
_KNOWN_REGISTRIES = {"docker.io", "registry.k8s.io", "k8s.gcr.io", "gcr.io", "us-docker.pkg.dev",
                     "quay.io", "ghcr.io"}


def digest_of(ref: Reference) -> str:
    return "sha256:" + hashlib.sha256(f"{ref.name}:{ref.tag}".encode()).hexdigest()


@functools.lru_cache(maxsize=1024)
def lookup(ref: Reference) -> ImageProfile:
    """The profile for ``ref``, or :class:`ImagePullError` with containerd's message.

    A profile found is remembered (every pull and every container of a node asks for the
    same few images); a failure is not (a raised error is never cached), so each failed
    pull raises its own error."""
    text = str(ref)
    prefix = f'failed to pull and unpack image "{text}": failed to resolve reference "{text}": '
    profile = CATALOG.get(ref.name)
    if ref.registry not in _KNOWN_REGISTRIES:
        host = ref.registry
        raise ImagePullError(
            f"rpc error: code = Unknown desc = {prefix}failed to do request: Head "
            f'"https://{host}/v2/{ref.repository}/manifests/{ref.tag or ref.digest}": dial tcp: '
            f"lookup {host.split(':')[0]} on 127.0.0.11:53: no such host")
    if profile is None and ref.registry == "docker.io":
        raise ImagePullError(
            f"rpc error: code = Unknown desc = {prefix}pull access denied, repository does not "
            "exist or may require authorization: server message: insufficient_scope: "
            "authorization failed")
    known = profile is not None and (
        profile.has_tag(ref.tag) if ref.tag else any(
            digest_of(Reference(ref.registry, ref.repository, t)) == ref.digest
            for t in profile.tags))
    if not known:
        raise ImagePullError(f"rpc error: code = NotFound desc = {prefix}{text}: not found")
    return profile  # type: ignore[return-value]


@functools.lru_cache(maxsize=None)
def image_files(profile: ImageProfile) -> dict[str, bytes]:
    """The image's files as bytes, encoded once: every container of the image starts with
    the same (immutable) bytes objects. Callers must not modify the dict."""
    return {path: text.encode() for path, text in profile.files}


@functools.lru_cache(maxsize=1024)
def image_record(ref: Reference, profile: ImageProfile) -> Image:
    """The CRI Image a pull of ``ref`` stores: its id, tag, digest and size. Made once per
    reference and shared by every node that pulls it (an Image is immutable)."""
    tag = ref.tag or "latest"
    digest = ref.digest or digest_of(ref)
    image_id = "sha256:" + hashlib.sha256(f"image:{ref.name}:{tag}".encode()).hexdigest()
    tags = (f"{ref.name}:{ref.tag}",) if ref.tag else ()
    return Image(image_id, tags, (f"{ref.name}@{digest}",), profile.size_of(tag))


# -- program helpers ------------------------------------------------------------------------------
def _exec(proc: Proc, argv: list[str]) -> ProgramGen:
    """``exec "$@"``: run another program in this process."""
    shell = Shell(proc, argv[0])
    return (yield from shell.command(argv, [], IO(proc.stdin, proc.out, proc.err)))


def _version(proc: Proc, default: str) -> str:
    return getattr(proc.host, "image_tag", "") if re.match(
        r"\d", getattr(proc.host, "image_tag", "")) else default


def _log_time(proc: Proc, fmt: str) -> str:
    return datetime.fromtimestamp(proc.host.now(), tz=timezone.utc).strftime(fmt)


def _serve(proc: Proc, port: int, handler, name: str,
           on_signal: Callable[[str], Optional[int]]) -> ProgramGen:
    """Listen, register the signal handler, and run until a signal ends the process."""
    if not proc.host.listen(proc.pid, port, handler):
        return 1
    proc.host.register(proc.pid, name, on_signal)
    yield FOREVER
    return 0


def _go_server(proc: Proc, name: str) -> Callable[[str], Optional[int]]:
    """A Go program as PID 1 without its own handler: SIGTERM/SIGINT end it with status 2."""
    return lambda sig: 2 if sig in ("TERM", "INT", "QUIT") else None


# -- nginx ----------------------------------------------------------------------------------------
_NGINX_ENTRYPOINT = [
    "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
    "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
    "10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf",
    "10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf",
    "/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh",
    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh",
    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh",
    "/docker-entrypoint.sh: Configuration complete; ready for start up",
]


def _nginx_version(proc: Proc) -> str:
    version = proc.env.get("NGINX_VERSION", "1.27.3")
    tag = getattr(proc.host, "image_tag", "")
    if re.fullmatch(r"1\.\d+\.\d+.*", tag):
        return tag.split("-")[0]
    if re.fullmatch(r"1\.\d+", tag):
        return tag + ".0"
    return version


@program("docker-entrypoint.sh")
def docker_entrypoint(proc: Proc, argv: list[str]) -> ProgramGen:
    """The official images' entrypoint: image-specific setup, then ``exec "$@"``."""
    args = argv[1:]
    server = getattr(proc.host, "default_server", "")
    if server and (not args or args[0].startswith("-") or args[0].endswith(".conf")):
        args = [server] + args
    if args and args[0] in ("nginx", "nginx-debug") and _version_tuple(_nginx_version(proc)) >= (1, 19):
        proc.out.write("".join(line + "\n" for line in _NGINX_ENTRYPOINT))
    if args and args[0] == "mysqld" and not any(
            k in proc.env for k in ("MYSQL_ROOT_PASSWORD", "MYSQL_ALLOW_EMPTY_PASSWORD",
                                    "MYSQL_RANDOM_ROOT_PASSWORD")):
        stamp = _log_time(proc, "%Y-%m-%d %H:%M:%S+00:00")
        proc.err.write(
            f"{stamp} [ERROR] [Entrypoint]: Database is uninitialized and password option is not "
            "specified\n    You need to specify one of the following as an environment variable:\n"
            "    - MYSQL_ROOT_PASSWORD\n    - MYSQL_ALLOW_EMPTY_PASSWORD\n"
            "    - MYSQL_RANDOM_ROOT_PASSWORD\n")
        return 1
    if not args:
        return 0
    return (yield from _exec(proc, args))


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", version)[:3])


@program("nginx")
def nginx(proc: Proc, argv: list[str]) -> ProgramGen:
    version = _nginx_version(proc)
    args = argv[1:]
    if "-v" in args or "-V" in args:
        proc.err.write(f"nginx version: nginx/{version}\n")
        return 0
    if "-s" in args:
        action = args[args.index("-s") + 1] if args.index("-s") + 1 < len(args) else ""
        sig = {"quit": "QUIT", "stop": "TERM", "reload": "HUP", "reopen": "USR1"}.get(action)
        if sig is None or not proc.host.signal("nginx", sig):
            proc.err.write(f"{_log_time(proc, '%Y/%m/%d %H:%M:%S')} [notice] 1#1: signal process "
                           f"started\n")
            return 1
        return 0
    return (yield from _nginx_master(proc, version))


def _nginx_master(proc: Proc, version: str) -> ProgramGen:
    def notice(text: str, pid: str = "1#1") -> None:
        proc.err.write(f"{_log_time(proc, '%Y/%m/%d %H:%M:%S')} [notice] {pid}: {text}\n")

    def access_log(method, path, headers, client_ip, status, size) -> None:
        stamp = _log_time(proc, "%d/%b/%Y:%H:%M:%S +0000")
        agent = headers.get("User-Agent", "-")
        proc.out.write(f'{client_ip or "-"} - - [{stamp}] "{method} {path} HTTP/1.1" {status} '
                       f'{size} "-" "{agent}" "-"\n')

    files = static_files(proc, "/usr/share/nginx/html", f"nginx/{version}")

    def handler(method, path, headers, client_ip) -> HttpResponse:
        response = files(method, path, headers, client_ip)
        access_log(method, path, headers, client_ip, response.status, len(response.body.encode()))
        return response

    def on_signal(sig: str) -> Optional[int]:
        if sig not in ("QUIT", "TERM", "INT"):
            return None
        name = {"QUIT": "3 (SIGQUIT)", "TERM": "15 (SIGTERM)", "INT": "2 (SIGINT)"}[sig]
        notice(f"signal {name} received, {'shutting down' if sig == 'QUIT' else 'exiting'}")
        if sig == "QUIT":
            notice("gracefully shutting down", "29#29")
        notice("exiting", "29#29")
        notice("exit", "29#29")
        notice("signal 17 (SIGCHLD) received from 29")
        notice("worker process 29 exited with code 0")
        notice("exit")
        return 0

    if not proc.host.listen(proc.pid, 80, handler):
        proc.err.write(f"{_log_time(proc, '%Y/%m/%d %H:%M:%S')} [emerg] 1#1: bind() to "
                       "0.0.0.0:80 failed (98: Address already in use)\n"
                       "nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)\n")
        return 1
    notice('using the "epoll" event method')
    notice(f"nginx/{version}")
    notice("built by gcc 12.2.0 (Debian 12.2.0-14) ")
    notice("OS: Linux 6.8.0")
    notice("getrlimit(RLIMIT_NOFILE): 1048576:1048576")
    notice("start worker processes")
    notice("start worker process 29")
    proc.host.register(proc.pid, "nginx", on_signal)
    yield FOREVER
    return 0


# -- apache httpd ---------------------------------------------------------------------------------
@program("httpd-foreground", "apache2-foreground")
def apache(proc: Proc, argv: list[str]) -> ProgramGen:
    root = "/var/www/html" if argv[0].startswith("apache2") else "/usr/local/apache2/htdocs"
    ip = proc.host.pod_ip or "127.0.0.1"

    def stamp() -> str:
        return _log_time(proc, "%a %b %d %H:%M:%S.000000 %Y")

    files = static_files(proc, root, "Apache/2.4.62 (Unix)")

    php_index = "php-index" in getattr(proc.host, "features", ())

    def handler(method, path, headers, client_ip) -> HttpResponse:
        if php_index and path.split("?", 1)[0] in ("/", "/index.php"):
            response = _php_index(proc)
        else:
            response = files(method, path, headers, client_ip)
        if response.status == 403 and root.endswith("html"):
            response = HttpResponse(200, "", response.headers)
        when = _log_time(proc, "%d/%b/%Y:%H:%M:%S +0000")
        proc.out.write(f'{client_ip or "-"} - - [{when}] "{method} {path} HTTP/1.1" '
                       f'{response.status} {len(response.body.encode())}\n')
        return response

    def on_signal(sig: str) -> Optional[int]:
        if sig not in ("WINCH", "TERM", "INT"):
            return None
        proc.err.write(f"[{stamp()}] [mpm_event:notice] [pid 1:tid 1] AH00492: caught SIGWINCH, "
                       "shutting down gracefully\n")
        return 0

    note = (f"AH00558: httpd: Could not reliably determine the server's fully qualified domain "
            f"name, using {ip}. Set the 'ServerName' directive globally to suppress this message\n")
    proc.err.write(note + note)
    proc.err.write(f"[{stamp()}] [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.62 (Unix) "
                   "configured -- resuming normal operations\n"
                   f"[{stamp()}] [core:notice] [pid 1:tid 1] AH00094: Command line: "
                   "'httpd -D FOREGROUND'\n")
    return (yield from _serve(proc, 80, handler, "httpd", on_signal))


def _php_index(proc: Proc) -> HttpResponse:
    """hpa-example's index.php: a million square roots (CPU time charged, see
    :mod:`.cpu_work`), then ``OK!``."""
    proc.host.charge_cpu(HPA_EXAMPLE_REQUEST_CPU_SECONDS)
    return HttpResponse(200, "OK!", (("Server", "Apache/2.4.10 (Debian)"), ("X-Powered-By", "PHP/5.6.40")))


@program("docker-php-entrypoint")
def docker_php_entrypoint(proc: Proc, argv: list[str]) -> ProgramGen:
    """The php images' entrypoint: arguments starting with ``-`` go to apache2-foreground."""
    args = argv[1:]
    if args and args[0].startswith("-"):
        args = ["apache2-foreground"] + args
    if not args:
        return 0
    return (yield from _exec(proc, args))


# -- redis ----------------------------------------------------------------------------------------
def _redis_config(proc: Proc, argv: list[str]) -> dict[str, str]:
    config = {"maxmemory": "0", "maxmemory-policy": "noeviction", "port": "6379"}
    for arg in argv[1:]:
        if arg.endswith(".conf"):
            try:
                text = proc.host.fs.read_text(arg)
            except OSError:
                continue
            for line in text.splitlines():
                fields = line.split()
                if len(fields) >= 2 and not fields[0].startswith("#"):
                    config[fields[0].lower()] = _redis_value(fields[1])
    return config


def _redis_value(text: str) -> str:
    match = re.fullmatch(r"(\d+)(kb|mb|gb|k|m|g)?", text.lower())
    if not match:
        return text
    unit = {"": 1, "k": 1000, "kb": 1024, "m": 1000 ** 2, "mb": 1024 ** 2, "g": 1000 ** 3,
            "gb": 1024 ** 3}[match.group(2) or ""]
    return str(int(match.group(1)) * unit)


@program("redis-server")
def redis_server(proc: Proc, argv: list[str]) -> ProgramGen:
    tag = getattr(proc.host, "image_tag", "")
    version = {"5": "5.0.14", "6.0.5": "6.0.5"}.get(tag, "7.4.1")
    config = _redis_config(proc, argv)
    proc.host.redis_config = config  # type: ignore[attr-defined]

    def log(role: str, mark: str, text: str) -> None:
        proc.out.write(f"1:{role} {_log_time(proc, '%d %b %Y %H:%M:%S.000')} {mark} {text}\n")

    log("C", "*", "oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo")
    log("C", "*", f"Redis version={version}, bits=64, commit=00000000, modified=0, pid=1, "
                  "just started")
    if any(a.endswith(".conf") for a in argv[1:]):
        log("C", "*", "Configuration loaded")
    else:
        log("C", "#", "Warning: no config file specified, using the default config. In order to "
                      "specify a config file use redis-server /path/to/redis.conf")
    log("M", "*", f"Running mode=standalone, port={config['port']}.")
    log("M", "*", "Server initialized")
    log("M", "*", "Ready to accept connections tcp" if version.startswith("7")
        else "Ready to accept connections")

    def on_signal(sig: str) -> Optional[int]:
        if sig not in ("TERM", "INT"):
            return None
        proc.out.write(f"1:signal-handler ({int(proc.host.now())}) Received SIG{sig} scheduling "
                       "shutdown...\n")
        log("M", "#", "User requested shutdown...")
        log("M", "#", "Redis is now ready to exit, bye bye...")
        return 0

    return (yield from _serve(proc, int(config["port"]), None, "redis-server", on_signal))


@program("redis-cli")
def redis_cli(proc: Proc, argv: list[str]) -> ProgramGen:
    args = [a for a in argv[1:]]
    if not proc.host.local_tcp(6379):
        proc.out.write("Could not connect to Redis at 127.0.0.1:6379: Connection refused\n")
        return 1
    config = getattr(proc.host, "redis_config", {})
    if not args or args[0].upper() == "PING":
        proc.out.write("PONG\n")
    elif len(args) >= 3 and args[0].upper() == "CONFIG" and args[1].upper() == "GET":
        key = args[2].lower()
        if key in config:
            proc.out.write(f"{key}\n{config[key]}\n")
    else:
        proc.out.write(f"ERR unknown command '{args[0]}'\n")
    return 0
    yield  # pragma: no cover


# -- CoreDNS -------------------------------------------------------------------------------------
#: The build line CoreDNS 1.11.3 (kubeadm's image for 1.32) prints after its version.
_COREDNS_BUILDS = {"v1.11.3": "go1.21.11, a6338e9", "v1.11.1": "go1.20.7, ae2bbc2",
                   "v1.10.1": "go1.20, 055b2c3"}


@program("coredns")
def coredns(proc: Proc, argv: list[str]) -> ProgramGen:
    """CoreDNS with kubeadm's Corefile: the server block, the reload plugin's configuration hash,
    the version banner; ``health`` answers on 8080, ``ready`` on 8181, ``prometheus`` on 9153.
    The answers to DNS queries come from the cluster's DNS model (:mod:`labkube.core.network.dns`),
    which the kube-dns Service reaches only through a Ready CoreDNS pod."""
    args = argv[1:]
    conf = args[args.index("-conf") + 1] if "-conf" in args[:-1] else "Corefile"
    try:
        corefile = proc.host.fs.read_text(conf)
    except (OSError, KeyError, ValueError):
        proc.err.write(f"Error: open {conf}: no such file or directory\n")
        return 1
    tag = getattr(proc.host, "image_tag", "") or "v1.11.3"
    proc.out.write(".:53\n")
    digest = hashlib.sha512(corefile.encode()).hexdigest()
    proc.out.write(f"[INFO] plugin/reload: Running configuration SHA512 = {digest}\n")
    proc.out.write(f"CoreDNS-{tag.lstrip('v')}\n")
    proc.out.write(f"linux/amd64, {_COREDNS_BUILDS.get(tag, _COREDNS_BUILDS['v1.11.3'])}\n")

    def health(method, path, headers, client_ip) -> HttpResponse:
        return HttpResponse(200, "OK") if path.split("?")[0] == "/health" else HttpResponse(404, "")

    def ready(method, path, headers, client_ip) -> HttpResponse:
        return HttpResponse(200, "OK") if path.split("?")[0] == "/ready" else HttpResponse(404, "")

    def metrics(method, path, headers, client_ip) -> HttpResponse:
        if path.split("?")[0] != "/metrics":
            return HttpResponse(404, "404 page not found\n")
        return HttpResponse(200, 'coredns_build_info{goversion="go1.21.11",revision="a6338e9",'
                                 f'version="{tag.lstrip("v")}"}} 1\n')

    for port, handler in ((53, None), (8080, health), (8181, ready), (9153, metrics)):
        if not proc.host.listen(proc.pid, port, handler):
            return 1
    proc.host.register(proc.pid, "coredns", _go_server(proc, "coredns"))
    yield FOREVER
    return 0


# -- kube-proxy ----------------------------------------------------------------------------------
#: What kube-proxy 1.32 logs as it starts in iptables mode on a kind node (cmd/kube-proxy/app
#: server.go and server_linux.go, pkg/proxy/config, client-go's shared_informer.go), in klog's
#: text format: level, date, time, thread id, file:line, then a structured message.
_KUBE_PROXY_STARTUP = (
    ("I", "server_linux.go:66", '"Using iptables proxy"'),
    ("I", "server.go:698", '"Successfully retrieved node IP(s)" IPs=["{ip}"]'),
    ("E", "server.go:234", '"Kube-proxy configuration may be incomplete or incorrect" err="nodePortAddresses '
                           'is unset; NodePort connections will be accepted on all local IPs. Consider using '
                           '`--nodeport-addresses primary`"'),
    ("I", "server.go:243", '"kube-proxy running in dual-stack mode" primary ipFamily="IPv4"'),
    ("I", "server_linux.go:170", '"Using iptables Proxier"'),
    ("I", "proxier.go:255", '"Setting route_localnet=1 to allow node-ports on localhost; to change this either '
                            'disable iptables.localhostNodePorts (--iptables-localhost-nodeports) or set '
                            'nodePortAddresses (--nodeport-addresses) to filter loopback addresses" ipFamily="IPv4"'),
    ("I", "server.go:497", '"Version info" version="{version}"'),
    ("I", "server.go:499", '"Golang settings" GOGC="" GOMAXPROCS="" GOTRACEBACK=""'),
    ("I", "config.go:199", '"Starting service config controller"'),
    ("I", "shared_informer.go:313", "Waiting for caches to sync for service config"),
    ("I", "config.go:105", '"Starting endpoint slice config controller"'),
    ("I", "shared_informer.go:313", "Waiting for caches to sync for endpoint slice config"),
    ("I", "config.go:329", '"Starting node config controller"'),
    ("I", "shared_informer.go:313", "Waiting for caches to sync for node config"),
    ("I", "shared_informer.go:320", "Caches are synced for node config"),
    ("I", "shared_informer.go:320", "Caches are synced for service config"),
    ("I", "shared_informer.go:320", "Caches are synced for endpoint slice config"),
)


@program("kube-proxy")
def kube_proxy(proc: Proc, argv: list[str]) -> ProgramGen:
    """kube-proxy as kubeadm's DaemonSet runs it (``--config=/var/lib/kube-proxy/config.conf``,
    host network): its startup lines, then it runs until stopped. A ``--config`` file that is
    not there fails it at once, as the real one does (the troubleshooting classic: a DaemonSet
    edited to a wrong path crash-loops). The rules it programs are modelled by the cluster's
    service proxy (:mod:`labkube.core.network.proxy`), not here."""
    config = _flag(argv[1:], "config", "")
    if config:
        try:
            proc.host.fs.read_text(config)
        except (OSError, KeyError, ValueError):
            stamp = _log_time(proc, "%m%d %H:%M:%S.%f")
            proc.err.write(f'E{stamp}       1 run.go:72] "command failed" err="failed complete: open {config}: '
                           'no such file or directory"\n')
            return 1
    tag = getattr(proc.host, "image_tag", "") or "v1.32.0"
    values = {"ip": proc.host.pod_ip or "", "version": tag}
    stamp = _log_time(proc, "%m%d %H:%M:%S.%f")
    for level, where, text in _KUBE_PROXY_STARTUP:
        proc.err.write(f"{level}{stamp}       1 {where}] {text.format(**values)}\n")
    proc.host.register(proc.pid, "kube-proxy", _go_server(proc, "kube-proxy"))
    yield FOREVER
    return 0


# -- agnhost and other test images ----------------------------------------------------------------
def _flag(args: list[str], name: str, default: str) -> str:
    for index, arg in enumerate(args):
        if arg.startswith(f"--{name}="):
            return arg.split("=", 1)[1]
        if arg == f"--{name}" and index + 1 < len(args):
            return args[index + 1]
    return default


def _klog(proc: Proc, text: str) -> None:
    stamp = _log_time(proc, "%m%d %H:%M:%S.000000")
    proc.err.write(f"I{stamp}       1 log.go:245] {text}\n")


def liveness_server(proc: Proc) -> ProgramGen:
    """agnhost liveness: /healthz is 200 ("ok") for 10 s after start, then 500."""
    started = proc.host.now()

    def handler(method, path, headers, client_ip) -> HttpResponse:
        elapsed = proc.host.now() - started
        if path.startswith("/healthz"):
            if elapsed > 10:
                return HttpResponse(500, f"error: {elapsed:g}")
            return HttpResponse(200, "ok")
        if path.startswith("/started"):
            return HttpResponse(200, f"{elapsed:g}")
        return HttpResponse(404, "404 page not found\n")

    return (yield from _serve(proc, 8080, handler, "agnhost", _go_server(proc, "agnhost")))


@program("server")
def liveness_image(proc: Proc, argv: list[str]) -> ProgramGen:
    return (yield from liveness_server(proc))


@program("agnhost")
def agnhost(proc: Proc, argv: list[str]) -> ProgramGen:
    args = argv[1:]
    sub = args[0] if args else ""
    rest = args[1:]
    if sub == "liveness":
        return (yield from liveness_server(proc))
    if sub == "netexec":
        return (yield from _netexec(proc, rest))
    if sub == "serve-hostname":
        port = int(_flag(rest, "port", "9376"))
        _klog(proc, f"Serving on port {port}.")

        def hostname_handler(method, path, headers, client_ip) -> HttpResponse:
            return HttpResponse(200, proc.host.hostname)

        return (yield from _serve(proc, port, hostname_handler, "agnhost",
                                  _go_server(proc, "agnhost")))
    if sub == "pause":
        proc.out.write("Paused\n")

        def on_signal(sig: str) -> Optional[int]:
            if sig in ("TERM", "INT"):
                proc.out.write(f"Shutting down after receiving signal: "
                               f"{'terminated' if sig == 'TERM' else 'interrupt'}.\n")
                proc.out.write("No more processes to reap, exiting.\n")
                return 0
            return None

        proc.host.register(proc.pid, "agnhost", on_signal)
        yield FOREVER
        return 0
    proc.out.write("Usage:\n  app [command]\n\nAvailable Commands:\n  liveness\n  netexec\n"
                   "  pause\n  serve-hostname\n")
    return 0 if not sub else 1


def _netexec(proc: Proc, args: list[str]) -> ProgramGen:
    port = int(_flag(args, "http-port", "8080"))
    udp = int(_flag(args, "udp-port", "8081"))

    def handler(method, path, headers, client_ip) -> HttpResponse:
        route, _, query = path.partition("?")
        if route in ("/hostname", "/hostName"):
            return HttpResponse(200, proc.host.hostname)
        if route == "/echo":
            params = dict(p.partition("=")[::2] for p in query.split("&") if p)
            return HttpResponse(200, params.get("msg", ""))
        if route == "/clientip":
            return HttpResponse(200, f"{client_ip}:{40000 + int(proc.host.now()) % 20000}")
        if route in ("/healthz", "/readyz"):
            return HttpResponse(200, "")
        if route == "/":
            stamp = _log_time(proc, "%Y-%m-%d %H:%M:%S.000000000 +0000 UTC")
            return HttpResponse(200, f"NOW: {stamp}")
        return HttpResponse(404, "404 page not found\n")

    _klog(proc, f"Started HTTP server on port {port}")
    _klog(proc, f"Started UDP server on port  {udp}")
    return (yield from _serve(proc, port, handler, "agnhost", _go_server(proc, "agnhost")))


@program("serve_hostname")
def serve_hostname(proc: Proc, argv: list[str]) -> ProgramGen:
    """``/serve_hostname``: every HTTP request on 9376 gets the pod's hostname (no newline)."""
    def handler(method, path, headers, client_ip) -> HttpResponse:
        return HttpResponse(200, proc.host.hostname)

    return (yield from _serve(proc, 9376, handler, "serve_hostname", _go_server(proc, "serve_hostname")))


@program("goproxy")
def goproxy(proc: Proc, argv: list[str]) -> ProgramGen:
    def handler(method, path, headers, client_ip) -> HttpResponse:
        return HttpResponse(500, "This is a proxy server. Does not respond to non-proxy requests.\n")

    return (yield from _serve(proc, 8080, handler, "goproxy", _go_server(proc, "goproxy")))


@program("pause")
def pause(proc: Proc, argv: list[str]) -> ProgramGen:
    def on_signal(sig: str) -> Optional[int]:
        if sig in ("TERM", "INT"):
            proc.err.write(f"Shutting down, got signal: "
                           f"{'Terminated' if sig == 'TERM' else 'Interrupt'}\n")
            return 0
        return None

    proc.host.register(proc.pid, "pause", on_signal)
    yield FOREVER
    return 0


@program("hello-app")
def hello_app(proc: Proc, argv: list[str]) -> ProgramGen:
    version = "2.0.0" if getattr(proc.host, "image_tag", "") == "2.0" else "1.0.0"
    port = int(proc.env.get("PORT", "8080"))
    proc.err.write(f"{_log_time(proc, '%Y/%m/%d %H:%M:%S')} Server listening on port {port}\n")

    def handler(method, path, headers, client_ip) -> HttpResponse:
        proc.err.write(f"{_log_time(proc, '%Y/%m/%d %H:%M:%S')} Serving request: {path}\n")
        return HttpResponse(200, f"Hello, world!\nVersion: {version}\n"
                                 f"Hostname: {proc.host.hostname}\n")

    return (yield from _serve(proc, port, handler, "hello-app", _go_server(proc, "hello-app")))


@program("node")
def bootcamp(proc: Proc, argv: list[str]) -> ProgramGen:
    """``node server.js`` of the kubernetes-bootcamp image (the only script the simulated
    ``node`` runs). It answers every request on 8080 with the pod's name and the version, and
    logs one line per request. It has no SIGTERM handler and is not PID 1 (``sh -c`` is, and
    ignores SIGTERM), so the kubelet's SIGKILL ends it when the grace period runs out."""
    if argv[1:] != ["server.js"] or not proc.host.fs.exists(normpath("server.js", proc.cwd)):
        proc.err.write("node: the simulated node runs the kubernetes-bootcamp image's server.js only\n")
        return 1
    version = "1" if getattr(proc.host, "image_tag", "") == "v1" else "2"
    started = _js_millis(proc.host.now())
    pod = proc.env.get("HOSTNAME", proc.host.hostname)
    served = [0]

    def handler(method, path, headers, client_ip) -> HttpResponse:
        served[0] += 1
        now = _js_millis(proc.host.now())
        proc.out.write(f"Running On: {pod} | Total Requests: {served[0]} | App Uptime: "
                       f"{_js_number((now - started) / 1000)} seconds | Log Time: {_js_date(now)}\n")
        return HttpResponse(200, f"Hello Kubernetes bootcamp! | Running on: {pod} | v={version}\n",
                            (("Content-Type", "text/plain"),))

    if not proc.host.listen(proc.pid, 8080, handler):
        return 1
    proc.out.write(f"Kubernetes Bootcamp App Started At: {_js_date(started)} | Running On:  {pod} \n\n")
    proc.host.register(proc.pid, "node", lambda sig: None)  # no handler: SIGTERM changes nothing
    yield FOREVER
    return 0


def _js_millis(seconds: float) -> int:
    """A JavaScript ``Date``: whole milliseconds since the epoch."""
    return math.floor(seconds * 1000)


def _js_date(millis: int) -> str:
    """How node's ``console.log`` prints a Date: ``2025-01-01T00:00:00.000Z``."""
    stamp = datetime.fromtimestamp(millis // 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{stamp}.{millis % 1000:03d}Z"


def _js_number(value: float) -> str:
    """A JavaScript number as ``console.log`` prints it: ``7.406``, ``7.4``, ``12``."""
    return str(int(value)) if value == int(value) else repr(value)


@program("hello")
def hello_go(proc: Proc, argv: list[str]) -> ProgramGen:
    """The backend of "Connect a Frontend to a Backend Using Services": JSON on port 80."""
    proc.err.write(f"{_log_time(proc, '%Y/%m/%d %H:%M:%S')} Listening on :80\n")

    def handler(method, path, headers, client_ip) -> HttpResponse:
        proc.err.write(f"{_log_time(proc, '%Y/%m/%d %H:%M:%S')} {method} {path}\n")
        return HttpResponse(200, '{"message":"Hello"}', (("Content-Type", "application/json"),))

    return (yield from _serve(proc, 80, handler, "hello", _go_server(proc, "hello")))


@program("mysqld")
def mysqld(proc: Proc, argv: list[str]) -> ProgramGen:
    version = "5.6.51" if getattr(proc.host, "image_tag", "").startswith("5.6") else "8.0.40"
    stamp = _log_time(proc, "%Y-%m-%dT%H:%M:%S.000000Z")
    proc.err.write(f"{stamp} 0 [System] [MY-010931] [Server] /usr/sbin/mysqld: ready for "
                   f"connections. Version: '{version}'  socket: '/var/run/mysqld/mysqld.sock'  "
                   "port: 3306  MySQL Community Server - GPL.\n")

    def on_signal(sig: str) -> Optional[int]:
        if sig not in ("TERM", "INT"):
            return None
        when = _log_time(proc, "%Y-%m-%dT%H:%M:%S.000000Z")
        proc.err.write(f"{when} 0 [System] [MY-010910] [Server] /usr/sbin/mysqld: Shutdown "
                       f"complete (mysqld {version})  MySQL Community Server - GPL.\n")
        return 0

    return (yield from _serve(proc, 3306, None, "mysqld", on_signal))


@program("run.sh")
def fluentd(proc: Proc, argv: list[str]) -> ProgramGen:
    proc.host.register(proc.pid, "fluentd", lambda sig: 0 if sig in ("TERM", "INT") else None)
    yield FOREVER
    return 0


# -- stress ---------------------------------------------------------------------------------------
def parse_size(text: str) -> int:
    """stress's sizes: ``250M`` = 250 MiB (B, K, M, G are powers of 1024)."""
    match = re.fullmatch(r"(\d+)([bBkKmMgG]?)", text)
    if not match:
        raise ValueError(text)
    unit = {"": 1, "b": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}[match.group(2).lower()]
    return int(match.group(1)) * unit


@program("stress")
def stress(proc: Proc, argv: list[str]) -> ProgramGen:
    """polinux/stress (``--vm N --vm-bytes B --cpu N --timeout S``) and vish/stress (``-cpus``)."""
    args = argv[1:]
    if "--help" in args or not args:
        proc.out.write("`stress' imposes certain types of compute stress on your system\n\n"
                       "Usage: stress [OPTION [ARG]] ...\n")
        return 0
    if any(a.startswith("-cpus") or a.startswith("-mem") for a in args):
        return (yield from _vish_stress(proc, args))
    vm = int(_opt(args, "--vm", "-m", "0"))
    cpu = int(_opt(args, "--cpu", "-c", "0"))
    vm_bytes = parse_size(_opt(args, "--vm-bytes", "", "256M"))
    timeout = _opt(args, "--timeout", "-t", "")
    proc.out.write(f"stress: info: [1] dispatching hogs: {cpu} cpu, 0 io, {vm} vm, 0 hdd\n")
    proc.host.set_cpu(proc.pid, cpu * 1000)
    yield Sleep(0.5)  # the workers fork and start touching memory
    proc.host.allocate(proc.pid, vm * vm_bytes)
    if timeout:
        seconds = int(re.sub(r"\D", "", timeout) or 0)
        yield Sleep(max(0.0, seconds - 0.5))
        proc.out.write(f"stress: info: [1] successful run completed in {seconds}s\n")
        return 0
    yield FOREVER
    return 0


def _opt(args: list[str], long: str, short: str, default: str) -> str:
    for index, arg in enumerate(args[:-1]):
        if arg == long or (short and arg == short):
            return args[index + 1]
    return default


def _vish_stress(proc: Proc, args: list[str]) -> ProgramGen:
    cpus = int(_opt(args, "-cpus", "", "0"))
    mem = _opt(args, "-mem-total", "", "0")
    proc.host.set_cpu(proc.pid, cpus * 1000)
    stamp = _log_time(proc, "%m%d %H:%M:%S.000000")
    proc.err.write(f"I{stamp}       1 main.go:26] Allocating \"{mem}\" memory, in \"4Ki\" chunks, "
                   "with a 1ms sleep between allocations\n")
    proc.err.write(f"I{stamp}       1 main.go:29] Allocated \"{mem}\" memory\n")
    proc.host.register(proc.pid, "stress", lambda sig: 2 if sig in ("TERM", "INT") else None)
    yield FOREVER
    return 0


# -- perl and python ------------------------------------------------------------------------------
def pi_digits(count: int) -> str:
    """π to ``count`` significant digits, rounded (what ``bpi(count)`` prints)."""
    guard = count + 10
    scale = 10 ** guard

    def arctan_inv(x: int) -> int:
        total, term, n, sign = 0, scale // x, 1, 1
        while term:
            total += sign * (term // n)
            term //= x * x
            n += 2
            sign = -sign
        return total

    pi = 4 * (4 * arctan_inv(5) - arctan_inv(239))
    digits = str((pi + 5 * 10 ** (guard - count)) // 10 ** (guard - count + 1))
    return digits[0] + "." + digits[1:]


@program("perl")
def perl(proc: Proc, argv: list[str]) -> ProgramGen:
    script = " ".join(argv[1:])
    match = re.search(r"print\s+bpi\((\d+)\)", script)
    if match:
        proc.out.write(pi_digits(int(match.group(1))) + "\n")
        return 0
    match = re.search(r'print\s+"([^"]*)"', script)
    if match:
        proc.out.write(match.group(1).replace("\\n", "\n"))
        return 0
    if "-de0" in argv:
        return 0
    proc.err.write("Can't open perl script: the simulated perl only prints bpi(N) and strings\n")
    return 2
    yield  # pragma: no cover


@program("python", "python3")
def python(proc: Proc, argv: list[str]) -> ProgramGen:
    args = argv[1:]
    if args[:2] == ["-m", "http.server"]:
        port = int(args[2]) if len(args) > 2 and args[2].isdigit() else 8000
        proc.err.write(f"Serving HTTP on 0.0.0.0 port {port} (http://0.0.0.0:{port}/) ...\n")
        handler = static_files(proc, proc.cwd, "SimpleHTTP/0.6 Python/3.13.1")
        return (yield from _serve(proc, port, handler, "python", lambda s: None))
    if not args:
        return 0  # no tty: reads an empty script from stdin and exits
    if args[0] == "-c" and len(args) > 1:
        return (yield from minipython.run_script(proc, args[1], ["-c", *args[2:]]))
    proc.err.write("python3: the simulated python runs `-m http.server` and `-c SCRIPT` only\n")
    return 2


def profile_for(ref: Reference) -> Optional[ImageProfile]:
    return CATALOG.get(ref.name)


__all__ = ["CATALOG", "ImageProfile", "lookup", "image_record", "digest_of", "PROGRAMS",
           "pi_digits", "parse_size", "NGINX_WELCOME"]
