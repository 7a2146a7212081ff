"""More arguments kubectl refuses before it sends a request, and the ``-o`` spellings it takes.

A sequel to ``test_argument_errors.py``, from a differential fuzz of command lines against the
real binary: ``create``/``apply`` take no arguments (``Unexpected args``), ``create service``
is a group, ``get`` runs its ``Complete`` and ``Validate`` checks in kubectl's order,
``explain`` reads its argument as a JSONPath, the resource builder checks ``TYPE/NAME`` words
and selectors before it looks any type up, and ``-o`` takes ``json``/``yaml``/``name`` in any
case. Every expectation below was printed by the real kubectl 1.32 (``kubectl version``:
v1.32.4) against an unreachable server, so only errors raised before a request could appear,
except the ``--dry-run=client`` outputs, which kubectl prints without a server.
"""

from __future__ import annotations

import pytest

import labkube
from labkube.kubectl import run

PRINTED_BY_KUBECTL = [
    ('create takes no arguments besides its subcommands',
     'create po,svc',
     "error: Unexpected args: [po,svc]\nSee 'kubectl create -h' for help and examples", 1),
    ('create lists every unexpected argument',
     'create x y',
     "error: Unexpected args: [x y]\nSee 'kubectl create -h' for help and examples", 1),
    ('create service is a group: an unknown subcommand is its own',
     'create svc bogus',
     'error: unknown command "bogus"\nSee \'kubectl create service -h\' for help and examples', 1),
    ('create service alone prints its subcommands',
     'create service',
     ('Create a service using a specified subcommand.\n\nAliases:\nservice, svc\n\n'
      'Available Commands:\n  clusterip      Create a ClusterIP service\n'
      '  externalname   Create an ExternalName service\n'
      '  loadbalancer   Create a LoadBalancer service\n'
      '  nodeport       Create a NodePort service\n\nUsage:\n'
      '  kubectl create service [flags] [options]\n\n'
      'Use "kubectl create service <command> --help" for more information about a given '
      'command.\n'
      'Use "kubectl options" for a list of global command-line options '
      '(applies to all commands).'), 1),
    ('the words after -- reach a group command too',
     'create secret -- pods -',
     'error: unknown command "pods -"\nSee \'kubectl create secret -h\' for help and examples', 1),
    ('apply refuses arguments before asking for -f',
     'apply pods',
     "error: Unexpected args: [pods]\nSee 'kubectl apply -h' for help and examples", 1),
    ('apply refuses arguments even with -f',
     'apply pods -f x.yaml',
     "error: Unexpected args: [pods]\nSee 'kubectl apply -h' for help and examples", 1),
    ('apply asks for -f before it looks at --output',
     'apply -o bogus',
     'error: must specify one of -f and -k', 1),
    ('apply reads its files before it looks at --output',
     'apply -o bogus -f /nonexistent.yaml',
     'error: the path "/nonexistent.yaml" does not exist', 1),
    ('get checks --output-watch-events is with --watch',
     'get pods --output-watch-events',
     'error: --output-watch-events option can only be used with --watch or --watch-only', 1),
    ('get --watch-only with no resource asks for one',
     'get --watch-only',
     ('error: You must provide one or more resources by argument or filename.\n'
      "Example resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n"
      "   '<resource> <name>'\n   '<resource>'"), 1),
    ('get --show-labels is for tables only',
     'get pods --show-labels -o json',
     'error: --show-labels option cannot be used with json printer', 1),
    ('get --show-labels names the printer as typed',
     'get pods --show-labels -o JSON',
     'error: --show-labels option cannot be used with JSON printer', 1),
    ('get --raw takes no arguments',
     'get --raw /api pods',
     'error: arguments may not be passed when --raw is specified', 1),
    ('get --raw and --output exclude each other',
     'get --raw /api -o json',
     'error: --raw and --output are mutually exclusive', 1),
    ('get --raw wants a path',
     'get --raw api',
     'error: --raw must be a valid URL path: parse "api": invalid URI for request', 1),
    ('explain reads its argument as a JSONPath: a comma is not allowed',
     'explain po,svc',
     "error: unrecognized character in action: U+002C ','", 1),
    ('explain wants one JSONPath',
     "explain 'pods}'",
     'error: must pass in 1 jsonpath string', 1),
    ('explain wants a field first',
     'explain .spec',
     'error: invalid jsonpath syntax, first node must be field node', 1),
    ('a lone - does not stop the search for a subcommand',
     'create - svc',
     'error: unknown command "-"\nSee \'kubectl create service -h\' for help and examples', 1),
    ('an unknown flag is taken to have a value when searching for a subcommand',
     'create --bogus secret x',
     "Error: unknown flag: --bogus\nSee 'kubectl create --help' for usage.", 1),
    ("the words after -- are explain's arguments too",
     'explain -- pods pods',
     'error: We accept only this format: explain RESOURCE', 1),
    ("the words after -- are get's arguments too",
     'get -- pod/a/b',
     'error: arguments in resource/name form may not have more than one slash', 1),
    ('TYPE,TYPE NAME pairs each type with each name, so NAME may not hold a slash',
     'rollout status po,svc deployment/web',
     'error: arguments in resource/name form may not have more than one slash', 1),
    ('a TYPE/NAME has one slash',
     'get pod/a/b',
     'error: arguments in resource/name form may not have more than one slash', 1),
    ('a TYPE/NAME is checked before its type is looked up',
     'get bogus/a pod/a/b',
     'error: arguments in resource/name form may not have more than one slash', 1),
    ('a TYPE/NAME with a selector',
     'get pod/web -l app=web',
     'error: selectors and the all flag cannot be used when passing resource/name arguments', 1),
    ('names with a selector are refused before the type is looked up',
     'get bogus web -l app=web',
     'error: name cannot be provided when a selector is specified', 1),
    ('rollout restart: a TYPE/NAME with a selector',
     'rollout restart deploy/web -l app=web',
     'error: selectors and the all flag cannot be used when passing resource/name arguments', 1),
    ('scale: a TYPE/NAME has one slash',
     'scale deploy/a/b --replicas=1',
     'error: arguments in resource/name form may not have more than one slash', 1),
    ('-o json is read in any case',
     'create namespace dev -o JSON --dry-run=client',
     ('{\n    "kind": "Namespace",\n    "apiVersion": "v1",\n    "metadata": {\n'
      '        "name": "dev",\n        "creationTimestamp": null\n    },\n    "spec": {},\n'
      '    "status": {}\n}'), 0),
    ('-o name is read in any case',
     'create deployment web --image=nginx -o Name --dry-run=client',
     'deployment.apps/web', 0),
    ('-o jsonpath-as-json prints a JSON array per template node',
     ('create deployment web --image=nginx -o jsonpath-as-json={.kind}{.spec.replicas} '
      '--dry-run=client'),
     '[\n    "Deployment"\n]\n[\n    1\n]', 0),
]


@pytest.fixture(scope="module")
def cluster():
    return labkube.Cluster(nodes=1, seed=0)


@pytest.mark.parametrize("command, text, exit_code", [case[1:] for case in PRINTED_BY_KUBECTL],
                         ids=[case[0] for case in PRINTED_BY_KUBECTL])
def test_kubectl_refuses_or_prints_as_kubectl_does(cluster, command, text, exit_code):
    result = run(cluster, command, stdin="")
    assert (str(result).strip(), result.exit_code) == (text, exit_code)
