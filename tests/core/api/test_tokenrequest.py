"""``POST serviceaccounts/<name>/token`` (TokenREST of kube-apiserver 1.32) and the tokens it
issues: what the TokenRequest answers, the claims inside the token, the refusals in
kube-apiserver's words, and the token authenticator accepting the token until it expires or
what it is bound to goes away."""

from __future__ import annotations

import base64
import json

import pytest

import labkube
from labkube.core.api import token_auth
from labkube.core.errors import StatusError

ISSUER = "https://kubernetes.default.svc.cluster.local"
START = 1735689600  # 2025-01-01T00:00:00Z, the simulated clock's start


def claims_of(token: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))


def new_cluster():
    """No nodes (fast); a Node object, a pod on it running as ``robot``, and a Secret."""
    cluster = labkube.Cluster(nodes=0, seed=0)
    cluster.settle()  # the serviceaccount controller makes default/default
    client = cluster.client
    client.create({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "robot"}})
    client.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-1"}})
    client.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
                   "spec": {"serviceAccountName": "robot", "nodeName": "node-1",
                            "containers": [{"name": "c", "image": "nginx"}]}})
    client.create({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "creds"}})
    return cluster


@pytest.fixture
def cluster():
    return new_cluster()


def uid(cluster, resource, name, namespace="default"):
    return cluster.client.get(resource, name, namespace if resource != "nodes" else None)["metadata"]["uid"]


def user_of(cluster, token):
    """Who the API server's token authenticator says the token is (or raises InvalidToken)."""
    return cluster.apiserver_http.authenticator.authenticate(token)


# -- the answer ----------------------------------------------------------------------------------
def test_a_token_request_answers_the_token_and_its_expiry_in_the_v1_shape(cluster):
    answer = cluster.client.create_token("robot")
    token = answer["status"].pop("token")
    assert answer == {
        "kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
        "metadata": {"name": "robot", "namespace": "default", "creationTimestamp": "2025-01-01T00:00:00Z"},
        "spec": {"audiences": [ISSUER], "expirationSeconds": 3600, "boundObjectRef": None},
        "status": {"expirationTimestamp": "2025-01-01T01:00:00Z"},
    }
    assert token.count(".") == 2 and token.startswith("eyJhbGciOiJSUzI1NiIs")


def test_an_unbound_token_carries_the_claims_kube_apiserver_writes(cluster):
    token = cluster.client.create_token("robot")["status"]["token"]
    claims = claims_of(token)
    assert list(claims) == ["aud", "exp", "iat", "iss", "jti", "kubernetes.io", "nbf", "sub"]  # Go map order
    assert claims == {
        "aud": [ISSUER], "exp": START + 3600, "iat": START, "iss": ISSUER, "jti": claims["jti"],
        "kubernetes.io": {"namespace": "default",
                          "serviceaccount": {"name": "robot", "uid": uid(cluster, "serviceaccounts", "robot")}},
        "nbf": START, "sub": "system:serviceaccount:default:robot",
    }


def test_a_pod_bound_token_names_the_pod_and_the_node_it_runs_on(cluster):
    ref = {"kind": "Pod", "apiVersion": "v1", "name": "web"}
    answer = cluster.client.create_token("robot", bound_object_ref=ref)
    assert answer["spec"]["boundObjectRef"] == ref
    private = claims_of(answer["status"]["token"])["kubernetes.io"]
    assert private["pod"] == {"name": "web", "uid": uid(cluster, "pods", "web")}
    assert private["node"] == {"name": "node-1", "uid": uid(cluster, "nodes", "node-1")}


@pytest.mark.parametrize("kind, name, key", [("Secret", "creds", "secret"), ("Node", "node-1", "node")])
def test_a_token_may_be_bound_to_a_secret_or_a_node(cluster, kind, name, key):
    answer = cluster.client.create_token("robot", bound_object_ref={"kind": kind, "apiVersion": "v1", "name": name})
    private = claims_of(answer["status"]["token"])["kubernetes.io"]
    assert private[key] == {"name": name, "uid": uid(cluster, f"{kind.lower()}s", name)}
    assert "pod" not in private


def test_audiences_and_lifetime_are_the_requested_ones(cluster):
    answer = cluster.client.create_token("robot", audiences=["vault", "s3"], expiration_seconds=7200)
    assert answer["spec"]["audiences"] == ["vault", "s3"]
    assert answer["status"]["expirationTimestamp"] == "2025-01-01T02:00:00Z"
    claims = claims_of(answer["status"]["token"])
    assert (claims["aud"], claims["exp"] - claims["iat"]) == (["vault", "s3"], 7200)


def test_the_kube_api_access_request_is_extended_to_a_year_with_warnafter(cluster):
    """A pod-bound request for 3607 seconds with the API audience (the kubelet's volume) gets a
    year-long token; the answer still says the requested expiry."""
    answer = cluster.client.create_token("robot", expiration_seconds=3607,
                                         bound_object_ref={"kind": "Pod", "apiVersion": "v1", "name": "web"})
    claims = claims_of(answer["status"]["token"])
    assert claims["exp"] == START + 365 * 24 * 3600
    assert claims["kubernetes.io"]["warnafter"] == START + 3607
    assert answer["status"]["expirationTimestamp"] == "2025-01-01T01:00:07Z"


def test_an_unbound_3607_second_request_is_not_extended(cluster):
    claims = claims_of(cluster.client.create_token("robot", expiration_seconds=3607)["status"]["token"])
    assert claims["exp"] == START + 3607 and "warnafter" not in claims["kubernetes.io"]


def test_the_servers_maximum_shortens_a_longer_request_with_a_warning(cluster):
    cluster.server.token_rest.max_expiration_seconds = 7200
    warnings = []
    client = cluster.client.with_field_validation(None, warnings.append)
    answer = client.create_token("robot", expiration_seconds=86400)
    assert answer["spec"]["expirationSeconds"] == 7200
    assert warnings == ["requested expiration of 86400 seconds shortened to 7200 seconds"]


def test_the_same_seed_issues_the_same_tokens():
    tokens = [new_cluster().client.create_token("robot")["status"]["token"] for _ in range(2)]
    assert tokens[0] == tokens[1]


def test_every_request_mints_a_new_token(cluster):
    first, second = (cluster.client.create_token("robot")["status"]["token"] for _ in range(2))
    assert claims_of(first)["jti"] != claims_of(second)["jti"]


# -- refusals ------------------------------------------------------------------------------------
def _ref(kind, name, **more):
    return {"kind": kind, "apiVersion": "v1", "name": name, **more}


REFUSED = [
    ("a missing service account is NotFound", "nope", {}, 404, 'serviceaccounts "nope" not found'),
    ("a lifetime under ten minutes is invalid", "robot", {"expiration_seconds": 60}, 422,
     'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 60: '
     "may not specify a duration less than 10 minutes"),
    ("a lifetime over 2^32 seconds is invalid", "robot", {"expiration_seconds": 2**32 + 1}, 422,
     'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 4294967297: '
     "may not specify a duration larger than 2^32 seconds"),
    ("a missing bound pod is NotFound", "robot", {"bound_object_ref": _ref("Pod", "nope")}, 404,
     'pods "nope" not found'),
    ("a pod running as another service account cannot hold this one's token", "default",
     {"bound_object_ref": _ref("Pod", "web")}, 400,
     'cannot bind token for serviceaccount "default" to pod running with different serviceaccount name.'),
    ("a kind that cannot be bound is a bad request", "robot", {"bound_object_ref": _ref("ConfigMap", "x")}, 400,
     "cannot bind token to object of type /v1, Kind=ConfigMap"),
    ("a kind of another group is a bad request", "robot",
     {"bound_object_ref": {"kind": "Deployment", "apiVersion": "apps/v1", "name": "x"}}, 400,
     "cannot bind token to object of type apps/v1, Kind=Deployment"),
    ("a uid that is not the object's means it was recreated: a conflict", "robot",
     {"bound_object_ref": _ref("Secret", "creds", uid="abc")}, 409,
     'Operation cannot be fulfilled on Secret "creds": the UID in the bound object reference (abc) does not '
     "match the UID in record. The object might have been deleted and then recreated"),
    ("a lifetime that is not a number cannot be decoded", "robot", {"expiration_seconds": "1h"}, 400,
     'TokenRequest in version "v1" cannot be handled as a TokenRequest: json: cannot unmarshal string into Go '
     "struct field TokenRequestSpec.spec.expirationSeconds of type int64"),
]


@pytest.mark.parametrize("case, account, kwargs, code, message", REFUSED, ids=[c[0] for c in REFUSED])
def test_refused_token_requests(cluster, case, account, kwargs, code, message):
    with pytest.raises(StatusError) as caught:
        cluster.client.create_token(account, **kwargs)
    assert (caught.value.code, caught.value.message) == (code, message)


def test_a_body_naming_another_service_account_is_invalid(cluster):
    body = {"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1", "metadata": {"name": "other"},
            "spec": {}}
    with pytest.raises(StatusError) as caught:
        cluster.client._send("create", cluster.server.resolve("serviceaccounts"), "default", "robot",
                             subresource="token", body=body)
    assert caught.value.message == ('TokenRequest.authentication.k8s.io "robot" is invalid: metadata.name: '
                                    'Invalid value: "other": must match the service account name if specified')


def test_a_user_without_create_on_serviceaccounts_token_is_forbidden(cluster):
    with pytest.raises(StatusError) as caught:
        cluster.as_user("alice").create_token("robot")
    assert caught.value.message == ('serviceaccounts "robot" is forbidden: User "alice" cannot create resource '
                                    '"serviceaccounts/token" in API group "" in the namespace "default"')


def test_the_edit_role_may_create_tokens(cluster):
    cluster.kubectl("create rolebinding alice-edit --clusterrole=edit --user=alice")
    assert cluster.as_user("alice").create_token("robot")["status"]["token"]


def test_a_token_request_is_audited_as_a_subresource_create(cluster):
    since = cluster.audit_log.last_seq
    cluster.client.create_token("robot")
    record = cluster.audit(since, resource="serviceaccounts/token")[-1]
    assert (record.verb, record.resource, record.subresource, record.namespace, record.name, record.code) == \
        ("create", "serviceaccounts", "token", "default", "robot", 201)
    assert record.request_uri == "/api/v1/namespaces/default/serviceaccounts/robot/token"


def test_discovery_lists_the_token_subresource(cluster):
    entry = next(e for e in cluster.apiserver_http.api_resources("", "v1") if e["name"] == "serviceaccounts/token")
    assert entry == {"name": "serviceaccounts/token", "singularName": "", "namespaced": True,
                     "group": "authentication.k8s.io", "version": "v1", "kind": "TokenRequest", "verbs": ["create"]}


# -- using the token -----------------------------------------------------------------------------
def test_the_token_authenticates_as_the_service_account(cluster):
    token = cluster.client.create_token("robot")["status"]["token"]
    user = user_of(cluster, token)
    assert (user.name, user.uid) == ("system:serviceaccount:default:robot", uid(cluster, "serviceaccounts", "robot"))
    assert user.groups == ("system:serviceaccounts", "system:serviceaccounts:default")
    assert user.extra == {token_auth.EXTRA_CREDENTIAL_ID: (f"JTI={claims_of(token)['jti']}",)}


def test_over_http_the_bearer_token_is_the_service_account(cluster):
    token = cluster.client.create_token("robot")["status"]["token"]
    reply = cluster.apiserver_http.serve("GET", "/api/v1/namespaces/default/pods",
                                         {"Authorization": f"Bearer {token}"})
    assert reply.status == 403
    assert reply.json()["message"] == ('pods is forbidden: User "system:serviceaccount:default:robot" cannot list '
                                       'resource "pods" in API group "" in the namespace "default"')


def test_a_token_for_another_audience_cannot_call_the_api(cluster):
    token = cluster.client.create_token("robot", audiences=["vault"])["status"]["token"]
    reply = cluster.apiserver_http.serve("GET", "/api", {"Authorization": f"Bearer {token}"})
    assert (reply.status, reply.json()["reason"]) == (401, "Unauthorized")


def _delete(cluster, resource, name, namespace="default"):
    cluster.client.delete(resource, name, namespace, grace_period_seconds=0)
    cluster.settle()


def _recreate_robot(cluster):
    _delete(cluster, "serviceaccounts", "robot")
    cluster.client.create({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "robot"}})


STOPS_WORKING = [
    ("after it expires (and the minute of leeway)", None, lambda c: c.run(3600 + 61),
     "service account token has expired"),
    ("when its service account is deleted", None, lambda c: _delete(c, "serviceaccounts", "robot"),
     'serviceaccounts "robot" not found'),
    ("when its service account is recreated under the same name", None, _recreate_robot,
     "service account UID"),
    ("when its pod is deleted", _ref("Pod", "web"), lambda c: _delete(c, "pods", "web"),
     "service account token has been invalidated"),
    ("when its secret is deleted", _ref("Secret", "creds"), lambda c: _delete(c, "secrets", "creds"),
     "service account token has been invalidated"),
    ("when its node is deleted", _ref("Node", "node-1"), lambda c: _delete(c, "nodes", "node-1", None),
     "service account token has been invalidated"),
]


@pytest.mark.parametrize("case, ref, change, reason", STOPS_WORKING, ids=[c[0] for c in STOPS_WORKING])
def test_a_token_stops_working(cluster, case, ref, change, reason):
    token = cluster.client.create_token("robot", bound_object_ref=ref)["status"]["token"]
    assert user_of(cluster, token).name == "system:serviceaccount:default:robot"
    change(cluster)
    with pytest.raises(token_auth.InvalidToken) as caught:
        user_of(cluster, token)
    assert caught.value.reason.startswith(reason)
    client = cluster.as_token(token)
    with pytest.raises(StatusError) as refused:
        client.list("pods", "default")
    assert (refused.value.code, refused.value.message) == (401, "Unauthorized")


def test_a_bearer_token_client_acts_as_the_service_account(cluster):
    cluster.kubectl("create rolebinding robot-view --clusterrole=view --serviceaccount=default:robot")
    client = cluster.as_token(cluster.client.create_token("robot")["status"]["token"])
    assert [p["metadata"]["name"] for p in client.list("pods", "default")["items"]] == ["web"]
    assert client.who_am_i()["status"]["userInfo"]["username"] == "system:serviceaccount:default:robot"


def test_over_http_a_post_to_the_token_subresource_is_created(cluster):
    body = json.dumps({"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
                       "spec": {"audiences": None, "expirationSeconds": 1200}}).encode()
    reply = cluster.apiserver_http.serve("POST", "/api/v1/namespaces/default/serviceaccounts/robot/token",
                                         {"Content-Type": "application/json"}, body, user=cluster.client.user)
    answer = reply.json()
    assert (reply.status, answer["kind"], answer["spec"]["expirationSeconds"]) == (201, "TokenRequest", 1200)
    assert user_of(cluster, answer["status"]["token"]).name == "system:serviceaccount:default:robot"
