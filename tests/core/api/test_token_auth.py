"""The service-account token authenticator: which bearer tokens kube-apiserver accepts
(pkg/serviceaccount/jwt.go and claims.go), one behaviour per case."""

from __future__ import annotations

import pytest

from labkube.core.api import auth, token_auth
from labkube.core.api.token_auth import InvalidToken, ServiceAccountTokenAuthenticator, issue
from labkube.core.clock import format_timestamp

NOW = 1_000_000
POD_UID = "11111111-2222-4333-8444-555555555555"


def claims(**changes) -> dict:
    """A pod-bound token's claims as the kubelet writes them (kubelet/volumes.py ``_token``)."""
    base = {
        "aud": [token_auth.ISSUER], "exp": NOW + 3600, "iat": NOW, "iss": token_auth.ISSUER,
        "jti": "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", "nbf": NOW,
        "kubernetes.io": {"namespace": "default", "node": {"name": "node-1", "uid": "node-uid"},
                          "pod": {"name": "shell", "uid": POD_UID},
                          "serviceaccount": {"name": "default"}},
        "sub": "system:serviceaccount:default:default",
    }
    base.update(changes)
    return base


class Store:
    """The objects the authenticator reads: a ServiceAccount and a Pod."""

    def __init__(self) -> None:
        self.objects = {
            ("serviceaccounts", "default", "default"): {"metadata": {"name": "default", "uid": "sa-uid"}},
            ("pods", "default", "shell"): {"metadata": {"name": "shell", "uid": POD_UID}},
        }

    def read(self, plural, namespace, name):
        return self.objects.get((plural, namespace, name))


def authenticator(store=None, now=NOW) -> ServiceAccountTokenAuthenticator:
    store = store or Store()
    return ServiceAccountTokenAuthenticator(store.read, lambda: now)


def test_a_bound_token_is_its_service_account_in_the_service_account_groups():
    user = authenticator().authenticate(issue(claims()))
    assert user.name == "system:serviceaccount:default:default"
    assert user.groups == ("system:serviceaccounts", "system:serviceaccounts:default")
    assert auth.authenticated(user).groups[-1] == "system:authenticated"


def test_the_user_carries_the_pod_and_node_as_extra_fields():
    extra = authenticator().authenticate(issue(claims())).extra
    assert extra[token_auth.EXTRA_POD_NAME] == ("shell",)
    assert extra[token_auth.EXTRA_POD_UID] == (POD_UID,)
    assert extra[token_auth.EXTRA_NODE_NAME] == ("node-1",)
    assert extra[token_auth.EXTRA_CREDENTIAL_ID] == ("JTI=aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",)


def _deleting(store: Store, key: tuple, seconds_ago: int = 61) -> Store:
    """The object's deletionTimestamp ``seconds_ago`` (a pod in its grace period: negative)."""
    store.objects[key]["metadata"]["deletionTimestamp"] = format_timestamp(NOW - seconds_ago)
    return store


def _without(store: Store, key: tuple) -> Store:
    del store.objects[key]
    return store


def _forged(token: str) -> str:
    """The claims of another account pasted in, the signature kept."""
    header, _, signature = token.split(".")
    other = issue(claims(sub="system:serviceaccount:kube-system:default"))
    return f"{header}.{other.split('.')[1]}.{signature}"


def _secret_bound(uid: str = "secret-uid") -> dict:
    return {"namespace": "default", "secret": {"name": "creds", "uid": uid},
            "serviceaccount": {"name": "default", "uid": "sa-uid"}}


def _node_bound(uid: str = "node-uid") -> dict:
    return {"namespace": "default", "node": {"name": "node-1", "uid": uid},
            "serviceaccount": {"name": "default", "uid": "sa-uid"}}


def _with_secret() -> Store:
    store = Store()
    store.objects[("secrets", "default", "creds")] = {"metadata": {"name": "creds", "uid": "secret-uid"}}
    return store


def _with_node() -> Store:
    store = Store()
    store.objects[("nodes", None, "node-1")] = {"metadata": {"name": "node-1", "uid": "node-uid"}}
    return store


REFUSED = [
    ("a token past its exp (beyond the minute of leeway) has expired",
     lambda: issue(claims(exp=NOW - 61)), Store, "service account token has expired"),
    ("a token whose nbf is more than a minute away is not valid yet",
     lambda: issue(claims(nbf=NOW + 61)), Store, "service account token is not valid yet"),
    ("a token issued in the future is refused",
     lambda: issue(claims(iat=NOW + 61, nbf=NOW)), Store, "service account token is issued in the future"),
    ("claims edited without re-signing break the signature",
     lambda: _forged(issue(claims())), Store, "invalid signature"),
    ("a token signed with an unknown key is refused",
     lambda: issue(claims(), key_id="another-key"), Store, "invalid signature"),
    ("a token for another audience cannot call the API",
     lambda: issue(claims(aud=["vault"])), Store,
     'token audiences ["vault"] is invalid for the target audiences ["https://kubernetes.default.svc.cluster.local"]'),
    ("a token whose pod was deleted stops working",
     lambda: issue(claims()), lambda: _without(Store(), ("pods", "default", "shell")),
     "service account token has been invalidated"),
    ("a token whose pod was deleted more than a minute ago stops working",
     lambda: issue(claims()), lambda: _deleting(Store(), ("pods", "default", "shell")),
     "service account token has been invalidated"),
    ("a token of an earlier pod of the same name does not match the new pod's UID",
     lambda: issue(claims(**{"kubernetes.io": {**claims()["kubernetes.io"], "pod": {"name": "shell", "uid": "old"}}})),
     Store, f"pod UID ({POD_UID}) does not match service account pod ref claim (old)"),
    ("a token bound to a secret that is gone stops working",
     lambda: issue(claims(**{"kubernetes.io": _secret_bound()})), Store,
     "service account token has been invalidated"),
    ("a token bound to an earlier secret of the same name does not match its UID",
     lambda: issue(claims(**{"kubernetes.io": _secret_bound("old")})), _with_secret,
     "secret UID (secret-uid) does not match service account secret ref claim (old)"),
    ("a token bound to a node alone stops working when the node is gone",
     lambda: issue(claims(**{"kubernetes.io": _node_bound()})), Store,
     "service account token has been invalidated"),
    ("a token bound to an earlier node of the same name does not match its UID",
     lambda: issue(claims(**{"kubernetes.io": _node_bound("old")})), _with_node,
     "node UID (node-uid) does not match service account node ref claim (old)"),
    ("a token of a service account recreated under the same name does not match its UID",
     lambda: issue(claims(**{"kubernetes.io": {**claims()["kubernetes.io"],
                                               "serviceaccount": {"name": "default", "uid": "old"}}})),
     Store, "service account UID (sa-uid) does not match claim (old)"),
    ("a token whose service account was deleted stops working",
     lambda: issue(claims()), lambda: _without(Store(), ("serviceaccounts", "default", "default")),
     'serviceaccounts "default" not found'),
    ("a token whose service account is being deleted stops working",
     lambda: issue(claims()), lambda: _deleting(Store(), ("serviceaccounts", "default", "default")),
     "service account default/default has been deleted"),
    ("a token that is not three base64 parts is malformed",
     lambda: "not-a-jwt", Store, "square/go-jose: compact JWS format must have three parts"),
]


@pytest.mark.parametrize("case, make_token, make_store, reason", REFUSED, ids=[c[0] for c in REFUSED])
def test_refused_tokens(case, make_token, make_store, reason):
    with pytest.raises(InvalidToken) as caught:
        authenticator(make_store()).authenticate(make_token())
    assert caught.value.reason == reason


@pytest.mark.parametrize("case, token_claims", [
    ("exp passed by less than the leeway", claims(exp=NOW - 59)),
    ("nbf less than the leeway away", claims(nbf=NOW + 59)),
])
def test_the_minute_of_leeway_accepts(case, token_claims):
    assert authenticator().authenticate(issue(token_claims)).name == "system:serviceaccount:default:default"


def test_a_pod_in_its_grace_period_keeps_its_token_working():
    """deletionTimestamp is when the grace period ends: until a minute after it, the token works."""
    for seconds_ago in (-30, 0, 60):
        store = _deleting(Store(), ("pods", "default", "shell"), seconds_ago)
        assert authenticator(store).authenticate(issue(claims())).name == "system:serviceaccount:default:default"


def test_a_token_bound_to_a_node_alone_carries_the_node_but_no_pod():
    extra = authenticator(_with_node()).authenticate(issue(claims(**{"kubernetes.io": _node_bound()}))).extra
    assert extra[token_auth.EXTRA_NODE_NAME] == ("node-1",)
    assert extra[token_auth.EXTRA_NODE_UID] == ("node-uid",)
    assert token_auth.EXTRA_POD_NAME not in extra


def test_a_token_bound_to_a_secret_is_its_service_account_while_the_secret_lives():
    user = authenticator(_with_secret()).authenticate(issue(claims(**{"kubernetes.io": _secret_bound()})))
    assert (user.name, user.uid) == ("system:serviceaccount:default:default", "sa-uid")


def test_only_tokens_of_the_cluster_issuer_are_owned():
    assert authenticator().owns(issue(claims()))
    assert not authenticator().owns(issue(claims(iss="https://accounts.example.com")))
    assert not authenticator().owns("opaque-token")

