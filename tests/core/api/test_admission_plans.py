"""The admission chain calls only the plugins that say they handle a kind of request.

A plugin's ``handles(operation, group, resource, subresource)`` is a promise: outside it,
``admit`` and ``validate`` would do nothing. These tests hold every plugin labkube's API
server runs to that promise, over a grid of requests, and check the chain keeps its order and
always calls a plugin that makes no promise.
"""

import copy
import itertools

from labkube.core.api import admission_limitrange, admission_quota, auth
from labkube.core.api.admission import AdmissionAttributes, AdmissionChain
from labkube.core.api.testing import new_server

OPERATIONS = ("CREATE", "UPDATE", "DELETE", "CONNECT")
KINDS = (("", "pods"), ("", "persistentvolumeclaims"), ("", "persistentvolumes"), ("", "namespaces"),
         ("coordination.k8s.io", "leases"), ("scheduling.k8s.io", "priorityclasses"),
         ("rbac.authorization.k8s.io", "roles"), ("rbac.authorization.k8s.io", "clusterrolebindings"),
         ("apps", "deployments"), ("", "events"))
SUBRESOURCES = ("", "status", "binding")


def server_chain():
    env = new_server()
    chain = env.server.admission
    chain.register(admission_limitrange.LimitRanger(), before="ServiceAccount")
    chain.register(admission_quota.ResourceQuotaAdmission())
    return env, chain


def attributes(env, operation, group, resource, subresource):
    rtype = env.server.resolve(f"{resource}.{group}" if group else resource)
    obj = {"apiVersion": rtype.api_version, "kind": rtype.kind,
           "metadata": {"name": "x", "namespace": "default"},
           "spec": {"containers": [{"name": "c", "image": "nginx"}],
                    "resources": {"requests": {"storage": "2Gi"}}},
           "globalDefault": True,
           "rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]}
    old = copy.deepcopy(obj) if operation != "CREATE" else None
    if old is not None:
        old["spec"]["resources"]["requests"]["storage"] = "1Gi"  # a claim that grows
    return AdmissionAttributes(operation, rtype, "default", "x", subresource, obj, old,
                               auth.UserInfo("someone"), False, env.server.read, env.clock,
                               lister=env.server.read_all)


def state(plugin):
    """What a plugin holds: copied where it can be, else by identity."""
    held = {}
    for name, value in vars(plugin).items():
        try:
            held[name] = copy.deepcopy(value)
        except TypeError:
            held[name] = id(value)
    return held


def test_every_plugin_does_nothing_to_a_request_it_says_it_does_not_handle():
    env, chain = server_chain()
    checked = 0
    for plugin in chain._plugins:
        handles = getattr(plugin, "handles", None)
        if handles is None:
            continue
        if hasattr(plugin, "_default_class"):  # Priority's remembered default: a reset shows
            plugin._default_class = (None,)
        for operation, (group, resource), subresource in itertools.product(OPERATIONS, KINDS, SUBRESOURCES):
            if handles(operation, group, resource, subresource):
                continue
            attrs = attributes(env, operation, group, resource, subresource)
            before = (copy.deepcopy(attrs.obj), state(plugin))
            for phase in ("admit", "validate"):
                if hasattr(plugin, phase):
                    getattr(plugin, phase)(attrs)  # must neither refuse nor change anything
            assert (attrs.obj, state(plugin)) == before, (plugin.name, operation, resource, subresource)
            checked += 1
    assert checked > 500


def test_the_chain_keeps_its_order_and_calls_plugins_without_a_promise_for_everything():
    calls = []

    class Recorder:
        def __init__(self, name, handles=None):
            self.name = name
            if handles is not None:
                self.handles = handles

        def admit(self, attrs):
            calls.append(self.name)

    env = new_server()
    chain = AdmissionChain((Recorder("a"), Recorder("pods-only", lambda op, g, r, s: r == "pods"), Recorder("b")))
    chain.admit(attributes(env, "UPDATE", "coordination.k8s.io", "leases", ""))
    chain.admit(attributes(env, "UPDATE", "", "pods", ""))
    assert calls == ["a", "b", "a", "pods-only", "b"]
    chain.register(Recorder("late"), before="b")  # a new plugin is planned in
    calls.clear()
    chain.admit(attributes(env, "UPDATE", "coordination.k8s.io", "leases", ""))
    assert calls == ["a", "late", "b"]


def test_a_lease_renewal_passes_only_the_plugins_that_can_act_on_it():
    env, chain = server_chain()
    admitters, validators = chain._plan(attributes(env, "UPDATE", "coordination.k8s.io", "leases", ""))
    assert [p.name for p in admitters] == ["NamespaceLifecycle"]
    assert [p.name for p in validators] == ["ResourceQuota"]
