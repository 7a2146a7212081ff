"""LimitRange: served, defaulted and validated as kube-apiserver does, and enforced by LimitRanger.

The flows follow the Kubernetes docs' tasks "Configure Default Memory Requests and Limits for a
Namespace" and "Configure Minimum and Maximum Memory Constraints for a Namespace"; messages are
those of pkg/apis/core/validation and plugin/pkg/admission/limitranger (1.32).
"""

import pytest

import labkube
from labkube import StatusError
from tests.conftest import CONFORMANCE


def _limit_range(name="limits", **item):
    return {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": name},
            "spec": {"limits": [dict({"type": "Container"}, **item)]}}


def _pod(name="app", resources=None, init=False):
    container = {"name": "app", "image": "nginx:1.27"}
    if resources is not None:
        container["resources"] = resources
    spec = {"containers": [container]}
    if init:
        spec["initContainers"] = [{"name": "setup", "image": "busybox:1.36", "command": ["true"]}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


@pytest.fixture
def cluster():
    return labkube.Cluster(nodes=1)


@pytest.mark.parametrize("item, default, default_request", [
    ({"max": {"memory": "1Gi"}}, {"memory": "1Gi"}, {"memory": "1Gi"}),
    ({"min": {"memory": "500Mi"}}, None, {"memory": "500Mi"}),
    ({"default": {"cpu": "1"}, "min": {"cpu": "100m"}}, {"cpu": "1"}, {"cpu": "1"}),
    ({"max": {"cpu": "2"}, "min": {"cpu": "100m"}, "defaultRequest": {"cpu": "500m"}},
     {"cpu": "2"}, {"cpu": "500m"}),
], ids=["a max becomes the default limit and request",
        "a min alone becomes the default request",
        "the default limit wins over the min for the request",
        "a given default request is kept"])
def test_container_items_are_defaulted_as_set_defaults_limit_range_item_does(cluster, item, default, default_request):
    live = cluster.apply(_limit_range(**item))[0]["spec"]["limits"][0]
    assert live.get("default") == default
    assert live.get("defaultRequest") == default_request


def test_pod_items_get_no_defaults(cluster):
    live = cluster.apply({"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "pods"},
                          "spec": {"limits": [{"type": "Pod", "max": {"memory": "2Gi"}}]}})[0]
    assert live["spec"]["limits"] == [{"type": "Pod", "max": {"memory": "2Gi"}}]


@pytest.mark.parametrize("limits, message", [
    ([{"type": "Container", "min": {"memory": "1Gi"}, "max": {"memory": "500Mi"}}],
     'spec.limits[0].min[memory]: Invalid value: resource.Quantity{i:resource.int64Amount{value:1073741824, '
     'scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"1Gi", Format:"BinarySI"}: min value 1Gi is '
     'greater than max value 500Mi'),
    ([{"type": "Pod", "default": {"cpu": "1"}}],
     "spec.limits[0].default: Forbidden: may not be specified when `type` is 'Pod'"),
    ([{"type": "Container", "max": {"cpu": "1"}}, {"type": "Container", "max": {"cpu": "2"}}],
     'spec.limits[1].type: Duplicate value: "Container"'),
    ([{"type": "Cluster", "max": {"cpu": "1"}}],
     'spec.limits[0].type: Invalid value: "Cluster": must be a standard limit type or fully qualified'),
    ([{"type": "Container", "max": {"gpu": "1"}}],
     'spec.limits[0].max[gpu]: Invalid value: "gpu": must be a standard resource for containers'),
    ([{"type": "Container", "maxLimitRequestRatio": {"cpu": "500m"}}],
     'spec.limits[0].maxLimitRequestRatio[cpu]: Invalid value: resource.Quantity{i:resource.int64Amount{'
     'value:500, scale:-3}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"500m", Format:"DecimalSI"}: '
     'ratio 500m is less than 1'),
    ([{"type": "Container", "min": {"cpu": "1"}, "max": {"cpu": "2"}, "maxLimitRequestRatio": {"cpu": "3"}}],
     'spec.limits[0].maxLimitRequestRatio[cpu]: Invalid value: resource.Quantity{i:resource.int64Amount{'
     'value:3, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"3", Format:"DecimalSI"}: '
     'ratio 3 is greater than max/min = 2.000000'),
    ([{"type": "PersistentVolumeClaim", "max": {"cpu": "1"}}],
     "spec.limits[0].limits: Required value: either minimum or maximum storage value is required, "
     "but neither was provided"),
    ([{"type": "Container", "default": {"memory": "256Mi"}, "defaultRequest": {"memory": "512Mi"}}],
     'spec.limits[0].defaultRequest[memory]: Invalid value: resource.Quantity{i:resource.int64Amount{'
     'value:536870912, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"512Mi", Format:"BinarySI"}: '
     'default request value 512Mi is greater than default limit value 256Mi'),
], ids=["min above max", "pod defaults", "a type twice", "an unknown type", "a resource containers cannot ask for",
        "a ratio below one", "a ratio above max over min", "a claim item without storage bounds",
        "a default request above the default limit"])
def test_invalid_limit_ranges_are_refused_with_kube_apiservers_field_errors(cluster, limits, message):
    cluster.settle()  # only the refused request could write now
    before = cluster.store.revision
    with pytest.raises(StatusError) as err:
        cluster.apply({"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "bad"},
                       "spec": {"limits": limits}})
    assert err.value.code == 422
    assert message in err.value.message
    assert cluster.store.revision == before


def test_a_pod_without_resources_gets_the_namespace_defaults_and_an_annotation_saying_so(cluster):
    cluster.apply(str(CONFORMANCE / "admin/resource/memory-defaults.yaml"))
    pod = cluster.apply(_pod("default-mem-demo"))[0]
    assert pod["spec"]["containers"][0]["resources"] == {"limits": {"memory": "512Mi"},
                                                         "requests": {"memory": "256Mi"}}
    assert pod["metadata"]["annotations"]["kubernetes.io/limit-ranger"] == (
        "LimitRanger plugin set: memory request for container app; memory limit for container app")
    assert pod["status"]["qosClass"] == "Burstable"


def test_a_container_that_sets_only_a_limit_requests_that_limit_not_the_default_request(cluster):
    cluster.apply(str(CONFORMANCE / "admin/resource/memory-defaults.yaml"))
    pod = cluster.apply(_pod(resources={"limits": {"memory": "1Gi"}}))[0]
    assert pod["spec"]["containers"][0]["resources"] == {"limits": {"memory": "1Gi"}, "requests": {"memory": "1Gi"}}
    assert "kubernetes.io/limit-ranger" not in pod["metadata"].get("annotations", {})


def test_a_container_that_sets_only_a_request_gets_the_default_limit(cluster):
    cluster.apply(str(CONFORMANCE / "admin/resource/memory-defaults.yaml"))
    pod = cluster.apply(_pod(resources={"requests": {"memory": "128Mi"}}))[0]
    assert pod["spec"]["containers"][0]["resources"] == {"limits": {"memory": "512Mi"},
                                                         "requests": {"memory": "128Mi"}}
    assert pod["metadata"]["annotations"]["kubernetes.io/limit-ranger"] == (
        "LimitRanger plugin set: memory limit for container app")


def test_init_containers_are_defaulted_and_named_as_init_containers(cluster):
    cluster.apply(_limit_range(default={"cpu": "500m"}))
    pod = cluster.apply(_pod(init=True))[0]
    assert pod["spec"]["initContainers"][0]["resources"] == {"limits": {"cpu": "500m"}, "requests": {"cpu": "500m"}}
    assert pod["metadata"]["annotations"]["kubernetes.io/limit-ranger"] == (
        "LimitRanger plugin set: cpu request for container app; cpu limit for container app; "
        "cpu request for init container setup; cpu limit for init container setup")


@pytest.mark.parametrize("resources, message", [
    ({"limits": {"memory": "1.5Gi"}, "requests": {"memory": "800Mi"}},
     "maximum memory usage per Container is 1Gi, but limit is 1536Mi"),
    ({"limits": {"memory": "800Mi"}, "requests": {"memory": "100Mi"}},
     "minimum memory usage per Container is 500Mi, but request is 100Mi"),
], ids=["a limit above the max", "a request below the min"])
def test_a_pod_outside_the_constraints_is_forbidden_with_limit_rangers_message(cluster, resources, message):
    cluster.apply(_limit_range("mem-min-max-demo-lr", max={"memory": "1Gi"}, min={"memory": "500Mi"}))
    cluster.settle()  # only the refused request could write now
    before = cluster.store.revision
    with pytest.raises(StatusError) as err:
        cluster.apply(_pod("constraints-mem-demo", resources))
    assert err.value.code == 403
    assert err.value.message == f'pods "constraints-mem-demo" is forbidden: {message}'
    assert cluster.store.revision == before


@pytest.mark.parametrize("resources, message", [
    ({"limits": {"cpu": "4"}, "requests": {"cpu": "1"}},
     "cpu max limit to request ratio per Container is 2, but provided ratio is 4.000000"),
    ({"limits": {"cpu": "1"}, "requests": {"cpu": "0"}},
     "cpu max limit to request ratio per Container is 2, but no request is specified or request is 0"),
], ids=["a limit four times the request", "a zero request"])
def test_the_limit_to_request_ratio_is_enforced(cluster, resources, message):
    cluster.apply(_limit_range(maxLimitRequestRatio={"cpu": "2"}))
    with pytest.raises(StatusError) as err:
        cluster.apply(_pod(resources=resources))
    assert err.value.message == f'pods "app" is forbidden: {message}'


def test_several_violations_are_listed_in_brackets(cluster):
    cluster.apply(_limit_range(max={"memory": "1Gi", "cpu": "1"}))
    with pytest.raises(StatusError) as err:
        cluster.apply(_pod(resources={"limits": {"memory": "2Gi", "cpu": "2"}}))
    assert err.value.message == ('pods "app" is forbidden: [maximum cpu usage per Container is 1, but limit is 2, '
                                 'maximum memory usage per Container is 1Gi, but limit is 2Gi]')


def test_a_pod_item_bounds_the_sum_of_the_containers(cluster):
    cluster.apply({"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "pods"},
                   "spec": {"limits": [{"type": "Pod", "max": {"memory": "1Gi"}}]}})
    two = _pod(resources={"limits": {"memory": "600Mi"}})
    two["spec"]["containers"].append({"name": "side", "image": "busybox:1.36",
                                      "resources": {"limits": {"memory": "600Mi"}}})
    with pytest.raises(StatusError) as err:
        cluster.apply(two)
    assert err.value.message == 'pods "app" is forbidden: maximum memory usage per Pod is 1Gi, but limit is 1200Mi'


def test_a_pod_item_max_needs_limits_nothing_defaults(cluster):
    cluster.apply({"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "pods"},
                   "spec": {"limits": [{"type": "Pod", "max": {"memory": "1Gi"}}]}})
    with pytest.raises(StatusError) as err:
        cluster.apply(_pod(resources={"requests": {"memory": "100Mi"}}))
    assert err.value.message == 'pods "app" is forbidden: maximum memory usage per Pod is 1Gi.  No limit is specified'


def test_limit_ranges_of_other_namespaces_do_not_apply(cluster):
    cluster.kubectl("create namespace other")
    cluster.apply(dict(_limit_range(max={"memory": "1Gi"}), metadata={"name": "lr", "namespace": "other"}))
    assert cluster.apply(_pod(resources={"limits": {"memory": "2Gi"}}))[0]["metadata"]["name"] == "app"


def test_a_replica_set_reports_the_refusal_as_failed_create(cluster):
    cluster.apply(_limit_range(max={"memory": "1Gi"}))
    cluster.kubectl("create deployment web --image=nginx:1.27")
    cluster.kubectl("set resources deployment web --limits=memory=2Gi")
    cluster.run(5)
    messages = [e["message"] for e in cluster.list("events") if e["reason"] == "FailedCreate"]
    assert messages[0].startswith('Error creating: pods "web-')
    assert messages[0].endswith('" is forbidden: maximum memory usage per Container is 1Gi, but limit is 2Gi')


# Captured from the real kubectl 1.32 (describe limitrange through the oracle server).
DESCRIBED = """\
Name:       mem-limit-range
Namespace:  default
Type        Resource  Min  Max  Default Request  Default Limit  Max Limit/Request Ratio
----        --------  ---  ---  ---------------  -------------  -----------------------
Container   memory    -    -    256Mi            512Mi          -
"""


def test_describe_limitrange_prints_kubectls_table(cluster):
    cluster.apply(str(CONFORMANCE / "admin/resource/memory-defaults.yaml"))
    assert cluster.kubectl("describe limits mem-limit-range") == DESCRIBED


def test_get_limitranges_prints_name_and_creation_time(cluster):
    cluster.apply(str(CONFORMANCE / "admin/resource/memory-defaults.yaml"))
    assert cluster.kubectl("get limitrange") == ("NAME              CREATED AT\n"
                                                 "mem-limit-range   2025-01-01T00:00:00Z\n")


@pytest.mark.parametrize("storage, message", [
    ("5Gi", "maximum storage usage per PersistentVolumeClaim is 2Gi, but request is 5Gi"),
    ("500Mi", "minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi"),
], ids=["a claim above the max", "a claim below the min"])
def test_a_claim_outside_a_persistent_volume_claim_item_is_forbidden(cluster, storage, message):
    cluster.apply({"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "storagelimits"},
                   "spec": {"limits": [{"type": "PersistentVolumeClaim",
                                        "min": {"storage": "1Gi"}, "max": {"storage": "2Gi"}}]}})
    with pytest.raises(StatusError) as err:
        cluster.apply({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
                       "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": storage}}}})
    assert err.value.message == f'persistentvolumeclaims "data" is forbidden: {message}'
