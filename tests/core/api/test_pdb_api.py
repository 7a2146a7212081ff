"""policy/v1 PodDisruptionBudget through the API server: discovery, the strategy (generation,
status apart from spec) and validation in kube-apiserver 1.32's words."""

import pytest

from labkube.core.api.testing import new_server
from labkube.core.errors import StatusError


def pdb(name="web", **spec):
    spec.setdefault("selector", {"matchLabels": {"app": "web"}})
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": name}, "spec": spec}


@pytest.fixture
def env():
    return new_server()


def test_pdbs_are_served_in_policy_v1_with_the_short_name_pdb_and_a_status_subresource(env):
    rtype = env.server.resolve("pdb")
    assert (rtype.api_version, rtype.kind, rtype.plural, rtype.namespaced) == (
        "policy/v1", "PodDisruptionBudget", "poddisruptionbudgets", True)
    assert rtype.short_names == ("pdb",) and rtype.subresources == ("status",) and rtype.categories == ()


def test_a_new_budget_starts_at_generation_1_with_the_zero_status_whatever_it_was_given(env):
    obj = pdb(minAvailable=2)
    obj["status"] = {"disruptionsAllowed": 5, "currentHealthy": 9}
    live = env.admin.create(obj)
    assert live["metadata"]["generation"] == 1
    assert live["status"] == {"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0}
    assert live["spec"] == {"minAvailable": 2, "selector": {"matchLabels": {"app": "web"}}}  # nothing defaulted


def test_a_spec_change_bumps_the_generation_and_keeps_the_status(env):
    live = env.admin.create(pdb(minAvailable=2))
    live["status"] = {"disruptionsAllowed": 1, "currentHealthy": 3, "desiredHealthy": 2, "expectedPods": 3}
    live = env.admin.update(live, subresource="status")
    live["spec"]["minAvailable"] = 1
    live["status"] = {}
    updated = env.admin.update(live)
    assert updated["metadata"]["generation"] == 2 and updated["status"]["disruptionsAllowed"] == 1


def test_a_status_update_keeps_the_spec_and_the_generation(env):
    live = env.admin.create(pdb(minAvailable=2))
    live["spec"]["minAvailable"] = 7
    live["status"] = {"observedGeneration": 1, "disruptionsAllowed": 1, "currentHealthy": 3,
                      "desiredHealthy": 2, "expectedPods": 3}
    updated = env.admin.update(live, subresource="status")
    assert updated["spec"]["minAvailable"] == 2 and updated["metadata"]["generation"] == 1
    assert updated["status"]["observedGeneration"] == 1


def test_an_update_without_a_resource_version_is_refused(env):
    live = env.admin.create(pdb(minAvailable=2))
    del live["metadata"]["resourceVersion"]
    with pytest.raises(StatusError) as err:
        env.admin.update(live)
    assert err.value.code == 422 and err.value.message.endswith("must be specified for an update")


def test_a_negative_status_count_is_refused(env):
    live = env.admin.create(pdb(minAvailable=2))
    live["status"] = {"disruptionsAllowed": -1}
    with pytest.raises(StatusError) as err:
        env.admin.update(live, subresource="status")
    assert err.value.message == ('PodDisruptionBudget.policy "web" is invalid: status.disruptionsAllowed: '
                                 'Invalid value: -1: must be greater than or equal to 0')


BOTH = ("spec: Invalid value: policy.PodDisruptionBudgetSpec{MinAvailable:(*intstr.IntOrString)(0xc00efdb120), "
        "Selector:(*v1.LabelSelector)(0xc00efdb140), MaxUnavailable:(*intstr.IntOrString)(0xc00efdb160), "
        "UnhealthyPodEvictionPolicy:(*policy.UnhealthyPodEvictionPolicyType)(nil)}: "
        "minAvailable and maxUnavailable cannot be both set")


@pytest.mark.parametrize("spec, message", [
    ({"minAvailable": 1, "maxUnavailable": 1}, BOTH),
    ({"minAvailable": -1}, "spec.minAvailable: Invalid value: -1: must be greater than or equal to 0"),
    ({"maxUnavailable": "150%"}, "spec.maxUnavailable: Invalid value: 150%: must not be greater than 100%"),
    ({"minAvailable": "half"}, "spec.minAvailable: Invalid value: half: a valid percent string must be a numeric "
                               "string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation "
                               "is '[0-9]+%')"),
    ({"minAvailable": 1, "unhealthyPodEvictionPolicy": "Never"},
     'spec.unhealthyPodEvictionPolicy: Unsupported value: "Never": supported values: "AlwaysAllow", "IfHealthyBudget"'),
    ({"minAvailable": 1, "selector": {"matchLabels": {"app": "a b"}}},
     "spec.selector.matchLabels: Invalid value: \"a b\": a valid label must be an empty string or consist of "
     "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character "
     "(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "
     "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"),
], ids=["both numbers set", "a negative minAvailable", "a percentage over 100", "a word that is not a percentage",
        "an unknown unhealthy pod eviction policy", "a selector label value with a space"])
def test_invalid_budgets_are_refused_in_kube_apiservers_words(env, spec, message):
    with pytest.raises(StatusError) as err:
        env.admin.create(pdb(**spec))
    assert err.value.code == 422
    assert err.value.message == f'PodDisruptionBudget.policy "web" is invalid: {message}'


@pytest.mark.parametrize("spec", [
    {"minAvailable": 0}, {"maxUnavailable": "100%"}, {"minAvailable": "0%"},
    {"maxUnavailable": 1, "unhealthyPodEvictionPolicy": "AlwaysAllow"},
    {"minAvailable": 1, "selector": None}, {"minAvailable": 1, "selector": {}},
], ids=["minAvailable 0", "maxUnavailable 100%", "minAvailable 0%", "AlwaysAllow", "no selector", "empty selector"])
def test_valid_budgets_are_accepted(env, spec):
    obj = pdb(**spec)
    if spec.get("selector", 1) is None:
        del obj["spec"]["selector"]
    assert env.admin.create(obj)["metadata"]["generation"] == 1


def test_a_budget_name_only_has_to_be_a_path_segment(env):
    assert env.admin.create(pdb("Web_Budget", minAvailable=1))["metadata"]["name"] == "Web_Budget"
