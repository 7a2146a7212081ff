"""Subresources: scale and binding."""

import pytest

from labkube.core.api.testing import deployment, new_server, pod
from labkube.core.errors import StatusError



@pytest.fixture
def env():
    return new_server()


def binding(name="web", node="node-1"):
    return {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": name},
            "target": {"apiVersion": "v1", "kind": "Node", "name": node}}


def test_get_scale_returns_an_autoscaling_v1_scale(env):
    created = env.admin.create(deployment(replicas=3))
    scale = env.admin.get("deployments", "web", subresource="scale")
    assert scale == {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {"name": "web", "namespace": "default", "uid": created["metadata"]["uid"],
                     "resourceVersion": created["metadata"]["resourceVersion"],
                     "creationTimestamp": "2025-01-01T00:00:00Z"},
        "spec": {"replicas": 3},
        "status": {"replicas": 0, "selector": "app=web"},
    }


@pytest.mark.parametrize("resource", ["deployments", "replicasets"])
def test_patching_scale_sets_spec_replicas(env, resource):
    body = deployment()
    if resource == "replicasets":
        body["kind"] = "ReplicaSet"
        del body["spec"]["replicas"]
    env.admin.create(body)
    scale = env.admin.patch(resource, "web", {"spec": {"replicas": 6}}, subresource="scale", patch_type="merge")
    assert scale["spec"]["replicas"] == 6
    assert env.admin.get(resource, "web")["spec"]["replicas"] == 6


def test_updating_scale_with_a_stale_resource_version_is_a_conflict(env):
    env.admin.create(deployment())
    scale = env.admin.get("deployments", "web", subresource="scale")
    env.admin.patch("deployments", "web", {"metadata": {"labels": {"a": "b"}}})
    scale["spec"]["replicas"] = 4
    with pytest.raises(StatusError) as err:
        env.admin.update(scale, subresource="scale", resource="deployments")
    assert err.value.code == 409


def test_a_negative_scale_is_invalid(env):
    env.admin.create(deployment())
    with pytest.raises(StatusError) as err:
        env.admin.patch("deployments", "web", {"spec": {"replicas": -1}}, subresource="scale", patch_type="merge")
    assert err.value.message == (
        'Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0'
    )


def test_binding_sets_the_node_and_the_pod_scheduled_condition(env):
    env.admin.create(pod())
    result = env.admin.create(binding(), subresource="binding")
    assert result == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}
    bound = env.admin.get("pods", "web")
    assert bound["spec"]["nodeName"] == "node-1"
    assert bound["status"]["conditions"] == [
        {"type": "PodScheduled", "status": "True", "lastProbeTime": None,
         "lastTransitionTime": "2025-01-01T00:00:00Z"}
    ]


def test_binding_an_assigned_pod_is_a_conflict(env):
    env.admin.create(pod())
    env.admin.create(binding(), subresource="binding")
    with pytest.raises(StatusError) as err:
        env.admin.create(binding(node="node-2"), subresource="binding")
    assert err.value.code == 409
    assert err.value.message == (
        'Operation cannot be fulfilled on pods/binding "web": pod web is already assigned to node "node-1"'
    )


def test_binding_a_missing_pod_is_not_found(env):
    with pytest.raises(StatusError) as err:
        env.admin.create(binding("ghost"), subresource="binding")
    assert err.value.message == 'pods "ghost" not found'


def test_a_binding_without_a_target_name_is_invalid(env):
    env.admin.create(pod())
    body = binding()
    del body["target"]["name"]
    with pytest.raises(StatusError) as err:
        env.admin.create(body, subresource="binding")
    assert err.value.code == 422 and "target.name: Required value" in err.value.message


def test_the_status_subresource_of_a_kind_without_one_is_not_found(env):
    env.admin.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}})
    with pytest.raises(StatusError) as err:
        env.admin.get("configmaps", "cm", subresource="status")
    assert err.value.code == 404
