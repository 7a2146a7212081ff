"""labkube prints NetworkPolicies byte for byte as the real kubectl 1.32 printed them
(``capture_netpol.py``)."""

import pytest

from labkube.kubectl.describe.network_policy import describe_network_policy
from tests.kubectl.netpol_cases import COMMANDS, GOLDEN, build


@pytest.fixture(scope="module")
def built():
    cluster = build()
    yield cluster
    cluster.close()


DESCRIBED = {
    "describe_test_network_policy": "the docs' policy: an ipBlock with except, selectors, ports both ways",
    "describe_default_deny_ingress": "an empty pod selector isolating every pod for ingress",
    "describe_default_deny_all": "isolated both ways with no rules",
    "describe_allow_all_egress": "one empty egress rule allows everything",
    "describe_api_allow": "combined selectors, named ports, a port range, a port with only a protocol",
    "describe_allow_monitoring": "a policy in another namespace with an ipBlock without except",
}


@pytest.mark.parametrize("stem", list(DESCRIBED), ids=list(DESCRIBED.values()))
def test_describe_networkpolicy_matches_the_real_kubectl(built, stem):
    args = COMMANDS[stem]
    namespace = args[args.index("-n") + 1] if "-n" in args else "default"
    policy = built.get("networkpolicy", args[2], namespace=namespace)
    assert describe_network_policy(policy) == (GOLDEN / f"{stem}.txt").read_text()


@pytest.mark.parametrize("stem", [s for s in COMMANDS if not s.startswith("describe_")])
def test_get_networkpolicies_matches_the_real_kubectl(built, stem):
    assert built.kubectl(" ".join(COMMANDS[stem])) == (GOLDEN / f"{stem}.txt").read_text()


def test_kubectl_describe_of_a_networkpolicy_goes_through_the_describer(built):
    assert built.kubectl("describe netpol default-deny-all") == (
        GOLDEN / "describe_default_deny_all.txt").read_text()
