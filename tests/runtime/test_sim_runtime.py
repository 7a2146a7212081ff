"""SimRuntime lifecycle: pulls, start/exit, stop with grace, OOM, exec, events, docs examples."""

import pytest

from labkube.core.clock import EPOCH, SimulatedClock
from labkube.runtime.cri import (
    ContainerStartError, ExecFailedError, ImagePullError, InvalidImageNameError, Mount,
)
from labkube.runtime.reference import parse_reference
from labkube.runtime.sim import SimRuntime, pull_seconds
from labkube.runtime.volume import Volume
from tests.runtime.conftest import start

REFERENCES = [
    ("a bare name is a Docker Hub library image at latest", "nginx", "docker.io/library/nginx:latest"),
    ("a user repository stays out of library", "polinux/stress", "docker.io/polinux/stress:latest"),
    ("a registry host is kept", "registry.k8s.io/busybox:1.27.2", "registry.k8s.io/busybox:1.27.2"),
]


@pytest.mark.parametrize("name, image, full", REFERENCES, ids=[c[0] for c in REFERENCES])
def test_references_normalise(name, image, full):
    assert str(parse_reference(image)) == full


def test_uppercase_references_are_invalid_with_the_kubelets_message():
    with pytest.raises(InvalidImageNameError, match="repository name must be lowercase"):
        parse_reference("NGINX")


PULL_FAILURES = [
    ("an unknown tag is not found", "nginx:nope",
     'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:nope": '
     'failed to resolve reference "docker.io/library/nginx:nope": docker.io/library/nginx:nope: not found'),
    ("an unknown Docker Hub repository is access denied", "nosuchimage",
     'rpc error: code = Unknown desc = failed to pull and unpack image "docker.io/library/nosuchimage:latest": '
     'failed to resolve reference "docker.io/library/nosuchimage:latest": pull access denied, repository '
     "does not exist or may require authorization: server message: insufficient_scope: authorization failed"),
]


@pytest.mark.parametrize("name, image, message", PULL_FAILURES, ids=[c[0] for c in PULL_FAILURES])
def test_pull_failures_carry_containerds_text(runtime, clock, name, image, message):
    op = runtime.pull_image(image)
    clock.run(1)
    assert isinstance(op.error, ImagePullError) and op.error.message == message


def test_a_pull_takes_time_by_image_size(runtime, clock):
    op = runtime.pull_image("nginx")
    clock.run(pull_seconds(72 * 1024 * 1024) - 0.01)
    assert not op.done
    clock.run(0.02)
    assert op.result().duration == 4.1 and runtime.image_status("nginx") is not None


def test_a_command_that_finishes_is_completed(runtime, clock):
    cid = start(runtime, clock, "debian", command=("printenv",), args=("HOSTNAME", "GREETING"),
                env=(("GREETING", "hi"),), pod="command-demo")
    clock.run(1)
    status = runtime.container_status(cid)
    assert (status.state, status.exit_code, status.reason) == ("exited", 0, "Completed")
    assert runtime.logs(cid) == "command-demo\nhi\n"


def test_a_failing_command_is_an_error_with_its_exit_code(runtime, clock):
    cid = start(runtime, clock, "busybox", command=("sh", "-c", "echo bye; exit 3"))
    clock.run(1)
    status = runtime.container_status(cid)
    assert (status.exit_code, status.reason) == (3, "Error")


def test_a_missing_executable_is_a_start_error(runtime, clock):
    with pytest.raises(ContainerStartError, match='exec: "nosuch": executable file not found'):
        start(runtime, clock, "busybox", command=("nosuch",))


def test_a_sleeping_shell_ignores_sigterm_until_the_grace_period_ends(runtime, clock):
    cid = start(runtime, clock, "busybox", command=("sh", "-c", "sleep 3600"))
    op = runtime.stop_container(cid, 30)
    clock.run(29)
    assert not op.done
    clock.run(2)
    assert (op.result().exit_code, op.result().reason) == (137, "Error")


def test_a_trap_lets_a_shell_exit_on_sigterm(runtime, clock):
    cid = start(runtime, clock, "busybox",
                command=("sh", "-c", "trap 'echo bye; exit 0' TERM; while true; do sleep 1; done"))
    op = runtime.stop_container(cid, 30)
    clock.run(2)
    assert op.result().exit_code == 0 and runtime.logs(cid) == "bye\n"


def test_nginx_exits_on_stop_at_once(runtime, clock):
    cid = start(runtime, clock, "nginx")
    op = runtime.stop_container(cid, 30)
    clock.run(0)
    assert op.done and op.result().exit_code == 0


def test_stress_over_its_memory_limit_is_oom_killed(runtime, clock):
    events = []
    runtime.subscribe(events.append)
    cid = start(runtime, clock, "polinux/stress", command=("stress",),
                args=("--vm", "1", "--vm-bytes", "250M", "--vm-hang", "1"), memory=100 * 1024 * 1024)
    clock.run(2)
    status = runtime.container_status(cid)
    assert (status.exit_code, status.reason) == (137, "OOMKilled")
    assert [e.type for e in events] == ["started", "oom", "died"]


def test_stress_under_its_limit_reports_its_memory(runtime, clock):
    cid = start(runtime, clock, "polinux/stress", command=("stress",),
                args=("--vm", "1", "--vm-bytes", "150M", "--vm-hang", "1"), memory=200 * 1024 * 1024)
    clock.run(2)
    assert runtime.container_stats(cid).memory_bytes == 150 * 1024 * 1024 + 512 * 1024


def test_exec_liveness_file_disappears_after_30_seconds(runtime, clock):
    cid = start(runtime, clock, "registry.k8s.io/busybox:1.27.2",
                args=("/bin/sh", "-c", "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600"))
    clock.run(10)
    assert runtime.exec_sync(cid, ["cat", "/tmp/healthy"]).exit_code == 0
    clock.run(25)
    assert runtime.exec_sync(cid, ["cat", "/tmp/healthy"]).exit_code == 1


def test_agnhost_liveness_fails_after_ten_seconds(runtime, clock):
    cid = start(runtime, clock, "registry.k8s.io/e2e-test-images/agnhost:2.40", args=("liveness",))
    clock.run(9)
    assert runtime.http_get(cid, 8080, "/healthz").status == 200
    clock.run(2)
    assert runtime.http_get(cid, 8080, "/healthz").status == 500


def test_goproxy_accepts_tcp_on_8080(runtime, clock):
    cid = start(runtime, clock, "registry.k8s.io/goproxy:0.1")
    assert runtime.tcp_open(cid, 8080) and not runtime.tcp_open(cid, 80)


def test_two_containers_share_an_empty_dir(runtime, clock):
    from labkube.runtime.cri import ContainerConfig, PodSandboxConfig
    for image in ("nginx", "debian"):
        op = runtime.pull_image(image)
        clock.run_until(lambda: op.done, 60)
    shared = Volume("shared-data")
    sandbox = runtime.run_pod_sandbox(PodSandboxConfig("two-containers", "default", "u", ip="10.244.1.9"))
    web = runtime.create_container(sandbox, ContainerConfig(
        "nginx-container", "nginx", mounts=(Mount("/usr/share/nginx/html", shared),)))
    writer = runtime.create_container(sandbox, ContainerConfig(
        "debian-container", "debian", ("/bin/sh",),
        ("-c", "echo Hello from the debian container > /pod-data/index.html"),
        mounts=(Mount("/pod-data", shared),)))
    runtime.start_container(web)
    runtime.start_container(writer)
    clock.run(1)
    assert runtime.exec_sync(web, ["curl", "-s", "localhost"]).stdout == "Hello from the debian container\n"


def test_redis_reads_its_config_file(runtime, clock):
    config = Volume("config", {"redis.conf": "maxmemory 2mb\nmaxmemory-policy allkeys-lru\n"})
    cid = start(runtime, clock, "redis:5", args=("/usr/local/etc/redis/redis.conf",),
                mounts=[Mount("/usr/local/etc/redis", config)])
    result = runtime.exec_sync(cid, ["redis-cli", "CONFIG", "GET", "maxmemory"])
    assert result.stdout == "maxmemory\n2097152\n" and runtime.tcp_open(cid, 6379)


def test_exec_of_a_missing_binary_errors(runtime, clock):
    cid = start(runtime, clock, "nginx")
    with pytest.raises(ExecFailedError, match='exec: "wget": executable file not found'):
        runtime.exec_sync(cid, ["wget", "http://x"])


def test_an_exec_that_outlives_its_timeout_times_out(runtime, clock):
    cid = start(runtime, clock, "busybox", args=("sleep", "3600"))
    op = runtime.exec(cid, ["sleep", "10"], timeout_seconds=1)
    clock.run(2)
    assert op.result().timed_out


def test_logs_tail_and_timestamps(runtime, clock):
    cid = start(runtime, clock, "busybox", command=("sh", "-c", "echo one; sleep 1; echo two"))
    clock.run(2)
    assert runtime.logs(cid, tail=1, timestamps=True) == "2025-01-01T00:00:01.603000000Z two\n"


def test_the_perl_job_prints_pi(runtime, clock):
    cid = start(runtime, clock, "perl", command=("perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"))
    clock.run(1)
    assert runtime.logs(cid).startswith("3.14159265358979323846") and len(runtime.logs(cid)) == 2002


def _scenario(seed):
    clock = SimulatedClock(seed)
    runtime = SimRuntime(clock, "node-1")
    cid = start(runtime, clock, "busybox", command=("sh", "-c", "for i in 1 2 3; do date; sleep 2; done"))
    clock.run(10)
    return cid, runtime.logs(cid, timestamps=True)


def test_the_same_calls_give_the_same_ids_and_logs():
    assert _scenario(0) == _scenario(0)
