"""Fixtures: a simulated clock and a SimRuntime with a helper to run one container."""

import pytest

from labkube.core.clock import SimulatedClock
from labkube.runtime.cri import ContainerConfig, DNSConfig, HttpResponse, PodSandboxConfig
from labkube.runtime.sim import SimRuntime


class FakeNetwork:
    """A cluster network with fixed DNS records and web pages."""

    nameserver = "10.96.0.10"

    def __init__(self, records=None, pages=None):
        self.records = dict(records or {})
        self.pages = dict(pages or {})

    def resolve(self, name):
        return self.records.get(name)

    def http_get(self, url):
        return HttpResponse(200, self.pages[url]) if url in self.pages else HttpResponse(404, "")


@pytest.fixture
def clock():
    return SimulatedClock(seed=0)


@pytest.fixture
def runtime(clock):
    return SimRuntime(clock, "node-1", network=FakeNetwork())


#: What the kubelet hands the runtime for a ``dnsPolicy: ClusterFirst`` pod in ``default``: the
#: fake network stands for the cluster, whose DNS only answers a pod that asks it.
CLUSTER_FIRST = DNSConfig(("10.96.0.10",), ("default.svc.cluster.local", "svc.cluster.local",
                                            "cluster.local"), ("ndots:5",))


def start(runtime, clock, image, *, command=(), args=(), env=(), mounts=(), memory=None,
          name="c", pod="pod", ip="10.244.1.5", dns=CLUSTER_FIRST):
    """Pull ``image``, create a sandbox and a container, start it; return the container id."""
    op = runtime.pull_image(image)
    clock.run_until(lambda: op.done, 600)
    op.result()
    sandbox = runtime.run_pod_sandbox(PodSandboxConfig(pod, "default", "uid-" + pod, ip=ip,
                                                          dns_config=dns))
    cid = runtime.create_container(sandbox, ContainerConfig(
        name, image, tuple(command), tuple(args), tuple(env), mounts=tuple(mounts),
        memory_limit_bytes=memory))
    runtime.start_container(cid)
    return cid
