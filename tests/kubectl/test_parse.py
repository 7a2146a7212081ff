"""kubectl's command-line syntax (cobra + pflag), as labkube parses it."""

from __future__ import annotations

import pytest

import labkube.kubectl.commands  # noqa: F401  (registers the operations commands' flags)
from labkube.kubectl.errors import KubectlError
from labkube.kubectl.parse import parse, split_words

PARSES = [
    ("flags after the arguments", "get pods -n dev", "get", ["pods"], {"namespace": "dev"}),
    ("flags before the command", "-n dev get pods", "get", ["pods"], {"namespace": "dev"}),
    ("flags between arguments", "get pods -o wide web", "get", ["pods", "web"], {"output": "wide"}),
    ("--flag=value", "get pods --namespace=dev", "get", ["pods"], {"namespace": "dev"}),
    ("--flag value", "get pods --namespace dev", "get", ["pods"], {"namespace": "dev"}),
    ("a short flag glued to its value", "get pods -ndev", "get", ["pods"], {"namespace": "dev"}),
    ("a short flag with =", "get pods -n=dev", "get", ["pods"], {"namespace": "dev"}),
    ("combined short flags, the last taking a value", "get -Ao wide pods", "get", ["pods"],
     {"all-namespaces": True, "output": "wide"}),
    ("a boolean set false explicitly", "get pods --show-labels=false", "get", ["pods"],
     {"show-labels": False}),
    ("a bare boolean", "get pods --show-labels", "get", ["pods"], {"show-labels": True}),
    ("a leading kubectl word is ignored", "kubectl get pods", "get", ["pods"], {}),
    ("subcommands are found past flags", "create -n dev deployment web --image=nginx",
     "create deployment", ["web"], {"namespace": "dev", "image": ["nginx"]}),
    ("subcommand aliases", "create deploy web --image nginx", "create deployment", ["web"],
     {"image": ["nginx"]}),
    ("slice flags split on commas", "create deploy web --image=nginx,busybox", "create deployment",
     ["web"], {"image": ["nginx", "busybox"]}),
    ("repeated slice flags accumulate", "create deploy web --image=a --image=b", "create deployment",
     ["web"], {"image": ["a", "b"]}),
    ("array flags keep commas", "create cm c --from-literal=a=1,2", "create configmap", ["c"],
     {"from-literal": ["a=1,2"]}),
    ("integer flags convert", "create deploy web --image=x -r 3", "create deployment", ["web"],
     {"image": ["x"], "replicas": 3}),
    ("a bare --dry-run means client (deprecated)", "create ns x --dry-run", "create namespace",
     ["x"], {"dry-run": "unchanged"}),
    ("a bare --cascade means background", "delete pods x --cascade", "delete", ["pods", "x"],
     {"cascade": "background"}),
    ("quoted values keep their spaces", "annotate pods x 'note=hello world'", "annotate",
     ["pods", "x", "note=hello world"], {}),
    ("secret generic is a two-word subcommand", "create secret generic s --from-literal=a=b",
     "create secret generic", ["s"], {"from-literal": ["a=b"]}),
    ("auth can-i with impersonation", "auth can-i get pods --as alice --as-group=devs",
     "auth can-i", ["get", "pods"], {"as": "alice", "as-group": ["devs"]}),
    ("a negative integer", "delete pods x --grace-period=-1", "delete", ["pods", "x"],
     {"grace-period": -1}),
    ("a short flag with only = takes = as its value", "get pods -n=", "get", ["pods"],
     {"namespace": "="}),
    ("an underscore in a flag name reads as a dash", "get pods --show_labels", "get", ["pods"],
     {"show-labels": True}),
    ("a map flag reads key=value pairs", "create clusterrole r --aggregation-rule=a=b,c=d",
     "create clusterrole", ["r"], {"aggregation-rule": {"a": "b", "c": "d"}}),
    ("svc is create service's alias", "create svc", "create service", [], {}),
    ("integers may be hexadecimal", "create deploy web --image=x -r 0x10", "create deployment",
     ["web"], {"image": ["x"], "replicas": 16}),
    ("a leading 0 is octal", "create deploy web --image=x -r 010", "create deployment", ["web"],
     {"image": ["x"], "replicas": 8}),
    ("or binary", "get pods --chunk-size=0b11", "get", ["pods"], {"chunk-size": 3}),
]


@pytest.mark.parametrize("text,path,args,flags", [p[1:] for p in PARSES], ids=[p[0] for p in PARSES])
def test_command_lines_parse_like_kubectl(text, path, args, flags):
    parsed = parse(text)
    assert (parsed.path, parsed.args) == (path, args)
    assert {name: parsed.flags[name] for name in parsed.changed} == flags


def test_words_after_double_dash_are_not_flags():
    parsed = parse("create deployment web --image=busybox -- sleep --forever")
    assert parsed.after_dash == ["sleep", "--forever"]
    assert parsed.args == ["web"]


def test_defaults_are_set_for_flags_not_given():
    parsed = parse("create deployment web --image=nginx")
    assert parsed.flags["replicas"] == 1 and parsed.flags["port"] == -1
    assert parsed.flags["dry-run"] == "none" and not parsed.given("replicas")


# Printed by the real kubectl 1.32 (cobra prints its own parse errors with a capital "Error:").
ERRORS = [
    ("an unknown long flag", "get pods --foo",
     "Error: unknown flag: --foo\nSee 'kubectl get --help' for usage."),
    ("an unknown shorthand", "get -z",
     "Error: unknown shorthand flag: 'z' in -z\nSee 'kubectl get --help' for usage."),
    ("a shorthand missing its value", "get pods -n",
     "Error: flag needs an argument: 'n' in -n\nSee 'kubectl get --help' for usage."),
    ("a long flag missing its value", "get pods --namespace",
     "Error: flag needs an argument: --namespace\nSee 'kubectl get --help' for usage."),
    ("a flag another command owns", "get pods --dry-run=client",
     "Error: unknown flag: --dry-run\nSee 'kubectl get --help' for usage."),
    ("a non-integer for an integer flag", "create deployment web --replicas=x",
     'Error: invalid argument "x" for "-r, --replicas" flag: strconv.ParseInt: parsing "x": '
     "invalid syntax\nSee 'kubectl create deployment --help' for usage."),
    ("a non-integer for a long-only flag", "create deployment web --image=a --port=x",
     'Error: invalid argument "x" for "--port" flag: strconv.ParseInt: parsing "x": invalid '
     "syntax\nSee 'kubectl create deployment --help' for usage."),
    ("a non-boolean for a boolean flag", "get pods --show-labels=maybe",
     'Error: invalid argument "maybe" for "--show-labels" flag: strconv.ParseBool: parsing '
     "\"maybe\": invalid syntax\nSee 'kubectl get --help' for usage."),
    ("a leading 0 makes 8 no digit", "get pods --chunk-size=08",
     'Error: invalid argument "08" for "--chunk-size" flag: strconv.ParseInt: parsing "08": '
     "invalid syntax\nSee 'kubectl get --help' for usage."),
    ("an integer too large for its flag", "get pods --chunk-size=99999999999999999999",
     'Error: invalid argument "99999999999999999999" for "--chunk-size" flag: strconv.ParseInt: '
     "parsing \"99999999999999999999\": value out of range\nSee 'kubectl get --help' for usage."),
    ("an int32 flag holds less than an int64 one", "create deploy web --image=x -r 2147483648",
     'Error: invalid argument "2147483648" for "-r, --replicas" flag: strconv.ParseInt: parsing '
     "\"2147483648\": value out of range\nSee 'kubectl create deployment --help' for usage."),
    ("a duration without a unit", "scale deployment web --replicas=1 --timeout=5",
     'Error: invalid argument "5" for "--timeout" flag: time: missing unit in duration "5"\n'
     "See 'kubectl scale --help' for usage."),
    ("a duration with an unknown unit", "logs web --since=5x",
     'Error: invalid argument "5x" for "--since" flag: time: unknown unit "x" in duration "5x"\n'
     "See 'kubectl logs --help' for usage."),
    ("a duration that is not one, quoted as Go's time package quotes", "rollout status deploy/web --timeout=µs",
     'Error: invalid argument "µs" for "--timeout" flag: time: invalid duration "\\xc2\\xb5s"\n'
     "See 'kubectl rollout status --help' for usage."),
    ("three dashes are not a flag", "get pods ---",
     "Error: bad flag syntax: ---\nSee 'kubectl get --help' for usage."),
    ("a long flag with no name", "get --=x",
     "Error: bad flag syntax: --=x\nSee 'kubectl get --help' for usage."),
    ("an unknown shorthand in a group quotes the letters from it on", "get -Rpods",
     "Error: unknown shorthand flag: 'p' in -pods\nSee 'kubectl get --help' for usage."),
    ("a value missing at the end of a group names that letter alone", "get -Ao",
     "Error: flag needs an argument: 'o' in -o\nSee 'kubectl get --help' for usage."),
    ("a boolean shorthand with only = leaves = as the next letter", "get -A=",
     "Error: unknown shorthand flag: '=' in -=\nSee 'kubectl get --help' for usage."),
    ("a quote as a shorthand is quoted as Go quotes a byte", "get -\\'",
     "Error: unknown shorthand flag: '\\'' in -'\nSee 'kubectl get --help' for usage."),
    ("a map flag needs key=value pairs", "create clusterrole r --aggregation-rule -1",
     'Error: invalid argument "-1" for "--aggregation-rule" flag: malformed pair, expect '
     "string=string\nSee 'kubectl create clusterrole --help' for usage."),
    ("a flag kubectl 1.32 removed from drain", "drain node-1 --delete-local-data",
     "Error: unknown flag: --delete-local-data\nSee 'kubectl drain --help' for usage."),
    ("a flag kubectl 1.32 removed from expose", "expose deploy web --container-port=80",
     "Error: unknown flag: --container-port\nSee 'kubectl expose --help' for usage."),
    ("an unknown command", "frobnicate", 'Error: unknown command "frobnicate" for "kubectl"'),
    ("an unknown command close to a real one", "gett pods",
     'Error: unknown command "gett" for "kubectl"\n\nDid you mean this?\n\tset\n\tget\n'),
    ("suggestions come in the order kubectl adds its commands, never help", "hel",
     'Error: unknown command "hel" for "kubectl"\n\nDid you mean this?\n\tset\n\tget\n'),
    ("a prefix is suggested too", "opt",
     'Error: unknown command "opt" for "kubectl"\n\nDid you mean this?\n\tset\n\tget\n\ttop\n\tcp\n\toptions\n'),
    ("a real kubectl command labkube does not have is not called unknown", "cp web:/etc/hosts hosts",
     'error: "kubectl cp" is a kubectl command that labkube does not provide'),
    ("nor is a real subcommand labkube does not have", "auth reconcile -f rbac.yaml",
     'error: "kubectl auth reconcile" is a kubectl command that labkube does not provide'),
    ("a subcommand of apply labkube does not have says what to do instead", "apply edit-last-applied deploy/web",
     'error: "kubectl apply edit-last-applied" is a kubectl command that labkube does not provide; instead, '
     'change what "kubectl apply view-last-applied TYPE NAME" prints and "kubectl apply set-last-applied -f -" it'),
    ("a subcommand of config labkube does not have", "config set-cluster kind --server=https://x",
     'error: "kubectl config set-cluster" is a kubectl command that labkube does not provide'),
    ("and where there is another way, it is named", "edit deployment web",
     'error: "kubectl edit" is a kubectl command that labkube does not provide; instead, change '
     'what "kubectl get TYPE NAME -o yaml" prints and "kubectl replace -f -" it, or "kubectl patch"'),
]


@pytest.mark.parametrize("text,message", [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_bad_command_lines_fail_with_kubectls_words(text, message):
    with pytest.raises(KubectlError) as caught:
        parse(text)
    assert caught.value.text == message
    assert caught.value.exit_code == 1


def test_unbalanced_quotes_are_an_error_not_a_crash():
    with pytest.raises(KubectlError):
        split_words("get pods 'oops")
