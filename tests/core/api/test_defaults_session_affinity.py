"""``SetDefaults_Service``: ClientIP session affinity gets a 3-hour timeout, None gets no config.

pkg/apis/core/v1/defaults.go: with ``sessionAffinity: ClientIP``, a missing
``sessionAffinityConfig``, a config without ``clientIP``, or a ``clientIP`` without
``timeoutSeconds`` becomes ``{clientIP: {timeoutSeconds: 10800}}``
(``DefaultClientIPServiceAffinitySeconds``); a timeout that is set is kept; with ``None``
the config is dropped.
"""

import copy

import pytest

from labkube.core.api import defaults

THREE_HOURS = {"clientIP": {"timeoutSeconds": 10800}}


def _service(**spec):
    obj = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
           "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}], **spec}}
    defaults.apply_defaults(obj)
    return obj["spec"]


@pytest.mark.parametrize("config, expected", [
    (None, THREE_HOURS),
    ({}, THREE_HOURS),
    ({"clientIP": None}, THREE_HOURS),
    ({"clientIP": {}}, THREE_HOURS),
    ({"clientIP": {"timeoutSeconds": None}}, THREE_HOURS),
    ({"clientIP": {"timeoutSeconds": 60}}, {"clientIP": {"timeoutSeconds": 60}}),
])
def test_client_ip_affinity_without_a_timeout_gets_three_hours(config, expected):
    spec = {"sessionAffinity": "ClientIP"}
    if config is not None:
        spec["sessionAffinityConfig"] = copy.deepcopy(config)
    assert _service(**spec)["sessionAffinityConfig"] == expected


def test_no_affinity_drops_the_config():
    spec = _service(sessionAffinity="None", sessionAffinityConfig={"clientIP": {"timeoutSeconds": 60}})
    assert "sessionAffinityConfig" not in spec and spec["sessionAffinity"] == "None"


def test_a_service_applied_with_client_ip_affinity_shows_the_default_timeout():
    import labkube
    cluster = labkube.Cluster(nodes=0, seed=0, scheduler=False, controllers=False)
    cluster.apply({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
                   "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}], "sessionAffinity": "ClientIP"}})
    assert "sessionAffinityConfig:\n    clientIP:\n      timeoutSeconds: 10800\n" in cluster.kubectl(
        "get service web -o yaml")
