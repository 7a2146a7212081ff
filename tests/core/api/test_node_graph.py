"""The Node authorizer's pods-by-node index and the kubelet decisions cached on it.

The index must always equal a scan of every stored pod (what the server did before), and a
cached decision must change the moment the pods on the kubelet's node change.
"""

import random

import pytest

from labkube.core.api.testing import new_server, pod
from labkube.core.errors import StatusError

NODES = ("node-a", "node-b")


def pod_using(name, config_map):
    manifest = pod(name)
    manifest["spec"]["volumes"] = [{"name": "cfg", "configMap": {"name": config_map}}]
    return manifest


def bind(env, name, node):
    env.admin.create({"apiVersion": "v1", "kind": "Binding", "metadata": {"name": name},
                      "target": {"kind": "Node", "name": node}}, subresource="binding")


def kubelet_can_read(env, node, config_map):
    kubelet = env.as_user(f"system:node:{node}", ("system:nodes", "system:authenticated"))
    try:
        kubelet.get("configmaps", config_map, "default")
    except StatusError as err:
        if err.code == 403:
            return False
        raise
    return True


def scanned(env, node):
    """The pods on ``node`` found by decoding every stored pod."""
    kvs = env.store.range_prefix("/registry/pods/").kvs
    return sorted(kv.key for kv in kvs if env.server._readonly(kv)["spec"].get("nodeName") == node)


@pytest.fixture
def env():
    env = new_server()
    env.admin.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}})
    return env


def test_a_kubelet_reads_a_config_map_only_while_a_pod_on_its_node_uses_it(env):
    env.admin.create(pod_using("web", "settings"))
    assert not kubelet_can_read(env, "node-a", "settings")
    bind(env, "web", "node-a")
    assert (kubelet_can_read(env, "node-a", "settings"), kubelet_can_read(env, "node-b", "settings")) == (True, False)
    env.admin.delete("pods", "web", grace_period_seconds=0)
    assert not kubelet_can_read(env, "node-a", "settings")


def test_pods_that_existed_before_the_index_was_built_are_in_it(env):
    env.admin.create(pod_using("web", "settings"))
    bind(env, "web", "node-b")
    assert kubelet_can_read(env, "node-b", "settings")


@pytest.mark.parametrize("seed", range(4))
def test_the_index_always_equals_a_scan_of_every_pod(seed):
    rng = random.Random(seed)
    env = new_server()
    env.server._pods_by_node()  # built early: everything after arrives as events
    for step in range(120):
        name = f"p{rng.randrange(8)}"
        try:
            current = env.admin.get("pods", name)
        except StatusError:
            current = None
        if current is None:
            env.admin.create(pod(name))
        elif not current["spec"].get("nodeName") and rng.random() < 0.6:
            bind(env, name, rng.choice(NODES))
        else:
            env.admin.delete("pods", name, grace_period_seconds=rng.choice((None, 0)))
        graph = env.server._pods_by_node()
        for node in NODES:
            assert sorted(graph.keys(node)) == scanned(env, node), step
