"""``kubectl create token``: kubectl 1.32's argument checks, what it prints, and the server's
refusals in its words. Every expected text (tokens masked) is what the real kubectl 1.32
printed against labkube's HTTP front serving the same cluster (the ``--token`` ones over TLS:
kubectl sends no bearer token over plain HTTP)."""

from __future__ import annotations

import base64
import json
import re

import pytest

import labkube

TOKEN = re.compile(r"eyJ[A-Za-z0-9_.-]+")


@pytest.fixture(scope="module")
def cluster():
    cluster = labkube.Cluster(nodes=0, seed=0)
    cluster.settle()
    cluster.client.create({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s1"}})
    return cluster


def masked(text: str) -> str:
    return TOKEN.sub("TOKEN", text)


YAML = ('apiVersion: authentication.k8s.io/v1\nkind: TokenRequest\nmetadata:\n'
        '  creationTimestamp: "2025-01-01T00:00:00Z"\n  name: default\n  namespace: {ns}\nspec:\n'
        '  audiences:\n  - https://kubernetes.default.svc.cluster.local\n  boundObjectRef: null\n'
        '  expirationSeconds: {seconds}\nstatus:\n  expirationTimestamp: "{expiry}"\n  token: TOKEN\n')

CASES = [
    ("the token alone, without a newline", "create token default", "TOKEN"),
    ("-o yaml prints the TokenRequest", "create token default -o yaml",
     YAML.format(ns="default", seconds=3600, expiry="2025-01-01T01:00:00Z")),
    ("-n asks in another namespace", "create token default -n kube-system --duration=10m -o yaml",
     YAML.format(ns="kube-system", seconds=600, expiry="2025-01-01T00:10:00Z")),
    ("-o json prints the typed TokenRequest in Go's field order", "create token default -o json",
     '{\n    "kind": "TokenRequest",\n    "apiVersion": "authentication.k8s.io/v1",\n    "metadata": {\n'
     '        "name": "default",\n        "namespace": "default",\n'
     '        "creationTimestamp": "2025-01-01T00:00:00Z"\n    },\n    "spec": {\n        "audiences": [\n'
     '            "https://kubernetes.default.svc.cluster.local"\n        ],\n'
     '        "expirationSeconds": 3600,\n        "boundObjectRef": null\n    },\n    "status": {\n'
     '        "token": "TOKEN",\n        "expirationTimestamp": "2025-01-01T01:00:00Z"\n    }\n}\n'),
    ("-o name", "create token default -o name", "tokenrequest.authentication.k8s.io/default\n"),
    ("--audience may be repeated", "create token default --audience=a --audience=b -o jsonpath={.spec}",
     '{"audiences":["a","b"],"boundObjectRef":null,"expirationSeconds":3600}'),
    ("a bound object's reference is sent as given",
     "create token default --bound-object-kind=Secret --bound-object-name=s1 -o jsonpath={.spec.boundObjectRef}",
     '{"apiVersion":"v1","kind":"Secret","name":"s1"}'),
    # kubectl's own checks, in its order
    ("no name", "create token",
     "error: exactly one NAME is required, got 0\nSee 'kubectl create token -h' for help and examples\n"),
    ("two names", "create token a b",
     "error: exactly one NAME is required, got 2\nSee 'kubectl create token -h' for help and examples\n"),
    ("a table format", "create token default -o wide",
     'error: unable to match a printer suitable for the output format "wide", allowed formats are: '
     "go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml\n"),
    ("a negative duration", "create token default --duration=-1s",
     "error: --duration must be greater than or equal to 0\n"),
    ("a fraction of a second", "create token default --duration=1500ms",
     "error: --duration cannot be expressed in units less than seconds\n"),
    ("an empty audience", "create token default --audience=", "error: --audience must not be an empty string\n"),
    ("a name without a kind", "create token default --bound-object-name=x",
     "error: --bound-object-name can only be set if --bound-object-kind is provided\n"),
    ("a uid without a kind", "create token default --bound-object-uid=x",
     "error: --bound-object-uid can only be set if --bound-object-kind is provided\n"),
    ("a kind kubectl cannot bind", "create token default --bound-object-kind=ConfigMap --bound-object-name=x",
     "error: supported --bound-object-kind values are Node, Pod, Secret\n"),
    ("a kind without a name", "create token default --bound-object-kind=Pod",
     "error: --bound-object-name is required if --bound-object-kind is provided\n"),
    # the server's refusals
    ("a missing service account", "create token nope",
     'error: failed to create token: serviceaccounts "nope" not found\n'),
    ("under ten minutes", "create token default --duration=1m",
     'error: failed to create token: TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: '
     "Invalid value: 60: may not specify a duration less than 10 minutes\n"),
    ("over 2^32 seconds", "create token default --duration=5000000000s",
     'error: failed to create token: TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: '
     "Invalid value: 5000000000: may not specify a duration larger than 2^32 seconds\n"),
    ("a missing bound pod", "create token default --bound-object-kind=Pod --bound-object-name=nope",
     'error: failed to create token: pods "nope" not found\n'),
    ("a missing bound node", "create token default --bound-object-kind=Node --bound-object-name=x",
     'error: failed to create token: nodes "x" not found\n'),
    ("a uid that is not the secret's",
     "create token default --bound-object-kind=Secret --bound-object-name=s1 --bound-object-uid=abc",
     'error: failed to create token: Operation cannot be fulfilled on Secret "s1": the UID in the bound object '
     "reference (abc) does not match the UID in record. The object might have been deleted and then recreated\n"),
    ("a user RBAC does not allow", "create token default --as=alice",
     'error: failed to create token: serviceaccounts "default" is forbidden: User "alice" cannot create resource '
     '"serviceaccounts/token" in API group "" in the namespace "default"\n'),
    # a token the server refuses
    ("get fails at discovery", "get pods --token=abc",
     "error: You must be logged in to the server (the server has asked for the client to provide credentials)\n"),
    ("describe fails at its request", "describe pods --token=abc",
     "error: You must be logged in to the server (Unauthorized)\n"),
    ("create token says so", "create token default --token=abc", "error: failed to create token: Unauthorized\n"),
    ("get --raw", "get --raw /api --token=abc", "error: You must be logged in to the server (Unauthorized)\n"),
]


@pytest.mark.parametrize("command, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_create_token_prints_what_kubectl_prints(cluster, command, expected):
    assert masked(cluster.kubectl(command)) == expected


def test_the_printed_token_is_the_service_accounts(cluster):
    token = cluster.kubectl("create token default --duration=2h")
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert claims["sub"] == "system:serviceaccount:default:default"
    assert claims["exp"] - claims["iat"] == 7200


def test_kubectl_token_acts_as_the_service_account(cluster):
    token = cluster.kubectl("create token default")
    assert cluster.kubectl(f"get pods --token={token}") == (
        'Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:default:default" cannot '
        'list resource "pods" in API group "" in the namespace "default"\n')
    assert cluster.kubectl(f"get --raw /api --token={token}").startswith('{"kind":"APIVersions"')


def test_a_token_stops_working_when_it_expires():
    cluster = labkube.Cluster(nodes=0, seed=0)
    token = cluster.kubectl("create token default --duration=10m")
    cluster.kubectl("create rolebinding sa-view --clusterrole=view --serviceaccount=default:default")
    assert cluster.kubectl(f"get pods --token={token}") == "No resources found in default namespace.\n"
    cluster.run(600 + 61)
    assert cluster.kubectl(f"get pods --token={token}") == (
        "error: You must be logged in to the server (the server has asked for the client to provide credentials)\n")
