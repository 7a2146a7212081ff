"""scheduling.k8s.io/v1 PriorityClass through the API server, and the Priority admission plugin
reading it: discovery, defaults, the system classes, validation and admission in kube-apiserver
1.32's words (pkg/apis/scheduling/validation, pkg/registry/scheduling,
plugin/pkg/admission/priority)."""

import pytest

from labkube import StatusError
from labkube.core.api.testing import new_server, pod


def pc(name, value=100, **fields):
    return {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": name},
            "value": value, **fields}


def with_class(name, **spec):
    body = pod()
    body["spec"].update(spec)
    if name:
        body["spec"]["priorityClassName"] = name
    return body


def error_of(call):
    with pytest.raises(StatusError) as err:
        call()
    return err.value.code, err.value.message


@pytest.fixture
def env():
    return new_server()


# -- served, defaulted, stored -----------------------------------------------------------
def test_priorityclasses_are_served_cluster_scoped_with_short_name_pc(env):
    rtype = env.server.registry.resolve("pc")
    assert (rtype.api_version, rtype.kind, rtype.plural, rtype.namespaced, rtype.short_names) == \
        ("scheduling.k8s.io/v1", "PriorityClass", "priorityclasses", False, ("pc",))


def test_the_system_classes_exist_from_the_start_with_their_real_values_and_descriptions(env):
    classes = {c["metadata"]["name"]: c for c in env.admin.list("priorityclasses")["items"]}
    assert {name: (c["value"], c["preemptionPolicy"], c.get("globalDefault")) for name, c in classes.items()} == {
        "system-cluster-critical": (2000000000, "PreemptLowerPriority", None),
        "system-node-critical": (2000001000, "PreemptLowerPriority", None)}
    assert classes["system-node-critical"]["description"] == \
        "Used for system critical pods that must not be moved from their current node."
    assert classes["system-cluster-critical"]["description"] == \
        "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary."


def test_a_new_class_preempts_lower_priority_by_default_and_has_generation_1(env):
    created = env.admin.create(pc("gold", description="d"))
    assert (created["preemptionPolicy"], created["metadata"]["generation"]) == ("PreemptLowerPriority", 1)


def test_fields_are_stored_in_the_go_structs_order_without_empty_omitempty_fields(env):
    created = env.admin.create({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
                                "preemptionPolicy": "Never", "description": "", "globalDefault": False,
                                "metadata": {"name": "gold"}, "value": 7})
    assert list(created) == ["apiVersion", "kind", "metadata", "value", "preemptionPolicy"]


def test_the_description_may_change_and_the_generation_stays_1(env):
    env.admin.create(pc("gold", description="old"))
    updated = env.admin.patch("priorityclasses", "gold", {"description": "new"})
    assert (updated["description"], updated["metadata"]["generation"]) == ("new", 1)


# -- validation ----------------------------------------------------------------------------
@pytest.mark.parametrize("body, message", [
    (pc("big", 1000000001),
     'PriorityClass.scheduling.k8s.io "big" is invalid: value: Forbidden: maximum allowed value of a user '
     "defined priority is 1000000000"),
    (pc("system-gold", 10),
     'PriorityClass.scheduling.k8s.io "system-gold" is invalid: metadata.name: Forbidden: priority class '
     "names with 'system-' prefix are reserved for system use only. error: system-gold is not a known "
     "system priority class"),
    (pc("system-node-critical", 5),
     'PriorityClass.scheduling.k8s.io "system-node-critical" is invalid: metadata.name: Forbidden: priority '
     "class names with 'system-' prefix are reserved for system use only. error: value of "
     "system-node-critical PriorityClass must be 2000001000"),
    (pc("gold", preemptionPolicy="Sometimes"),
     'PriorityClass.scheduling.k8s.io "gold" is invalid: preemptionPolicy: Unsupported value: "Sometimes": '
     'supported values: "PreemptLowerPriority", "Never"'),
    (pc("Gold"),
     'PriorityClass.scheduling.k8s.io "Gold" is invalid: metadata.name: Invalid value: "Gold": a lowercase '
     "RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and "
     "end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
     "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
], ids=["above one billion", "a made-up system- name", "a system name with another value",
        "an unknown preemption policy", "a name that is not a DNS subdomain"])
def test_invalid_classes_are_refused_naming_the_field(env, body, message):
    assert error_of(lambda: env.admin.create(body)) == (422, message)


def test_exactly_one_billion_is_allowed(env):
    assert env.admin.create(pc("top", 1000000000))["value"] == 1000000000


@pytest.mark.parametrize("patch, message", [
    ({"value": 200}, 'PriorityClass.scheduling.k8s.io "gold" is invalid: value: Forbidden: may not be '
                     "changed in an update."),
    ({"preemptionPolicy": "Never"}, 'PriorityClass.scheduling.k8s.io "gold" is invalid: preemptionPolicy: '
                                    'Invalid value: "Never": field is immutable'),
], ids=["value", "preemptionPolicy"])
def test_value_and_preemption_policy_are_immutable(env, patch, message):
    env.admin.create(pc("gold"))
    assert error_of(lambda: env.admin.patch("priorityclasses", "gold", patch)) == (422, message)


# -- deletion --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["system-node-critical", "system-cluster-critical"])
def test_a_system_class_cannot_be_deleted(env, name):
    assert error_of(lambda: env.admin.delete("priorityclasses", name)) == (
        403, f'priorityclasses.scheduling.k8s.io "{name}" is forbidden: this is a system priority class '
             "and cannot be deleted")
    assert env.admin.get("priorityclasses", name)["value"] > 1000000000


def test_a_user_class_can_be_deleted(env):
    env.admin.create(pc("gold"))
    env.admin.delete("priorityclasses", "gold")
    assert [c["metadata"]["name"] for c in env.admin.list("priorityclasses")["items"]] == \
        ["system-cluster-critical", "system-node-critical"]


def test_deletecollection_goes_through_the_generic_store_and_removes_the_system_classes_too(env):
    env.admin.delete_collection("priorityclasses")
    assert env.admin.list("priorityclasses")["items"] == []


# -- the Priority admission plugin -------------------------------------------------------------
@pytest.mark.parametrize("classes, pod_class, expected", [
    ([], "", (0, "PreemptLowerPriority", None)),
    ([pc("gold", 1000)], "gold", (1000, "PreemptLowerPriority", "gold")),
    ([pc("polite", 500, preemptionPolicy="Never")], "polite", (500, "Never", "polite")),
    ([pc("default", 10, globalDefault=True)], "", (10, "PreemptLowerPriority", "default")),
    ([pc("default", 10, globalDefault=True, preemptionPolicy="Never")], "", (10, "Never", "default")),
    ([pc("default", 10, globalDefault=True), pc("gold", 1000)], "gold", (1000, "PreemptLowerPriority", "gold")),
    ([], "system-cluster-critical", (2000000000, "PreemptLowerPriority", "system-cluster-critical")),
], ids=["no class and no default: 0", "a named class gives its value",
        "a named class gives its preemption policy", "the global default names itself on the pod",
        "the global default gives its policy too", "a named class wins over the default",
        "the system classes are read from the API like any other"])
def test_a_new_pod_gets_priority_policy_and_class(env, classes, pod_class, expected):
    for body in classes:
        env.admin.create(body)
    spec = env.admin.create(with_class(pod_class))["spec"]
    assert (spec["priority"], spec["preemptionPolicy"], spec.get("priorityClassName")) == expected


@pytest.mark.parametrize("spec, message", [
    ({"priority": 5},
     'pods "web" is forbidden: the integer value of priority (5) must not be provided in pod spec; '
     "priority admission controller computed 1000 from the given PriorityClass name"),
    ({"preemptionPolicy": "Never"},
     'pods "web" is forbidden: the string value of PreemptionPolicy (Never) must not be provided in pod '
     "spec; priority admission controller computed PreemptLowerPriority from the given PriorityClass name"),
], ids=["a priority that is not the class's", "a policy that is not the class's"])
def test_a_pod_may_not_bring_its_own_priority_or_policy(env, spec, message):
    env.admin.create(pc("gold", 1000))
    assert error_of(lambda: env.admin.create(with_class("gold", **spec))) == (403, message)


def test_a_pod_that_repeats_the_classes_priority_and_policy_is_accepted(env):
    env.admin.create(pc("gold", 1000))
    spec = env.admin.create(with_class("gold", priority=1000, preemptionPolicy="PreemptLowerPriority"))["spec"]
    assert spec["priority"] == 1000


def test_only_one_class_may_be_the_global_default(env):
    env.admin.create(pc("first", 10, globalDefault=True))
    env.admin.create(pc("second", 20))
    expected = (403, 'priorityclasses.scheduling.k8s.io "second" is forbidden: PriorityClass first is already '
                     "marked as default. Only one default can exist")
    assert error_of(lambda: env.admin.create(pc("second-default", 20, globalDefault=True)))[0] == 403
    assert error_of(lambda: env.admin.patch("priorityclasses", "second", {"globalDefault": True})) == expected
    assert env.admin.patch("priorityclasses", "first", {"globalDefault": True, "description": "still"})[
        "description"] == "still"


def test_pods_see_a_default_class_created_after_earlier_pods_and_lose_it_once_deleted(env):
    assert env.admin.create(pod("before"))["spec"]["priority"] == 0
    env.admin.create(pc("default", 10, globalDefault=True))
    assert env.admin.create(pod("during"))["spec"]["priority"] == 10
    env.admin.patch("priorityclasses", "default", {"globalDefault": False})
    assert env.admin.create(pod("unmarked"))["spec"]["priority"] == 0
    env.admin.patch("priorityclasses", "default", {"globalDefault": True})
    env.admin.delete("priorityclasses", "default")
    assert env.admin.create(pod("after"))["spec"]["priority"] == 0


def test_pods_without_a_class_do_not_list_classes_each_time(env):
    plugin = env.server.admission.get("Priority")
    listed = []
    original = env.server.read_all
    env.server.read_all = lambda plural: listed.append(plural) or original(plural)
    for i in range(5):
        env.admin.create(pod(f"p{i}"))
    assert listed.count("priorityclasses") <= 1 and plugin.name == "Priority"


def test_an_update_that_drops_priority_keeps_the_stored_one(env):
    env.admin.create(pc("gold", 1000))
    created = env.admin.create(with_class("gold"))
    created["spec"].pop("priority")
    created["spec"].pop("preemptionPolicy")
    created["metadata"]["labels"] = {"touched": "yes"}
    updated = env.admin.update(created)
    assert (updated["spec"]["priority"], updated["spec"]["preemptionPolicy"]) == (1000, "PreemptLowerPriority")
