"""Words after ``--`` are arguments like any other, except for the commands that ask where the dash was.

cobra hands a command every positional word, those after ``--`` included; only commands that call
``ArgsLenAtDash`` (``exec``, ``run``, the ``create`` generators' NAME, ``create deployment``'s
container command) treat the two parts differently. labkube once dropped the words after ``--``
for ``label``, ``annotate``, ``taint``, ``rollout``, ``set image``, ``patch``, ``scale``,
``top``, ``wait``, ``logs``, ``drain``, ``expose``, ``delete`` and ``auth can-i``.

``PRINTED_BY_KUBECTL`` was printed by the real kubectl 1.32 against an unreachable server (so only
checks made before a request show). The live cases run against a cluster: a command with a
``--`` in it does what the same command without it does.
"""

from __future__ import annotations

import pytest

import labkube
from labkube.kubectl import run

PRINTED_BY_KUBECTL = [
    ('label -- pod x',
     'error: at least one label update is required', 1),
    ('annotate -- pod',
     'error: at least one annotation update is required', 1),
    ('taint -- node n1',
     'error: at least one taint update is required', 1),
    ('scale --replicas=2 --',
     "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'", 1),
    ('patch -- pod x',
     'error: must specify --patch or --patch-file containing the contents of the patch', 1),
    ('top pod -- a b',
     "error: pod [NAME | -l label]\nSee 'kubectl top pod -h' for help and examples", 1),
    ('top node -- a b',
     "error: node [NAME | -l label]\nSee 'kubectl top node -h' for help and examples", 1),
    ('wait -- pod/x',
     'error: unrecognized condition: ""', 1),
    ('logs -- a b c',
     "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples", 1),
    ('drain --',
     "error: USAGE: drain NODE [flags]\nSee 'kubectl drain -h' for help and examples", 1),
    ('auth can-i -- get',
     "error: you must specify two arguments: verb resource or verb resource/resourceName.\nSee 'kubectl auth can-i -h' for help and examples.", 1),
    ('auth can-i -- get pods x y',
     "error: you must specify two arguments: verb resource or verb resource/resourceName.\nSee 'kubectl auth can-i -h' for help and examples.", 1),
    ('describe --',
     'error: You must specify the type of resource to describe. Use "kubectl api-resources" for a complete list of supported resources.', 1),
    ('rollout history -- deploy/x deploy/y --revision=2',
     "error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'", 1),
    ('label pod -- x',
     'error: at least one label update is required', 1),
    ('annotate pod x --',
     'error: at least one annotation update is required', 1),
    ('taint node -- n1',
     'error: at least one taint update is required', 1),
    ('set image --',
     "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'", 1),
    ('rollout undo --',
     'error: required resource not specified', 1),
    ('rollout status --',
     'error: required resource not specified', 1),
    ('expose --',
     "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'", 1),
    ('cordon --',
     "error: USAGE: cordon NODE [flags]\nSee 'kubectl cordon -h' for help and examples", 1),
    ('uncordon --',
     "error: USAGE: uncordon NODE [flags]\nSee 'kubectl uncordon -h' for help and examples", 1),
    ('delete --',
     "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'", 1),
    ('logs --',
     "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples", 1),
    ('wait --for=delete --',
     "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'", 1),
]

WEB = """
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web
spec:
  containers:
  - name: nginx
    image: nginx:1.27
"""


@pytest.fixture(scope="module")
def cluster():
    return labkube.Cluster(nodes=1, seed=0)


@pytest.mark.parametrize("command, text, exit_code", PRINTED_BY_KUBECTL,
                         ids=[case[0] for case in PRINTED_BY_KUBECTL])
def test_words_after_the_dash_are_checked_as_kubectl_checks_them(cluster, command, text, exit_code):
    result = run(cluster, command, stdin="")
    assert (str(result).strip(), result.exit_code) == (text, exit_code)


LIVE = [
    ("label -- pod web tier=front", "label pod web tier=front"),
    ("annotate pod -- web note=hi", "annotate pod web note=hi"),
    ("taint node -- node-1 dedicated=web:NoSchedule", "taint node node-1 dedicated=web:NoSchedule"),
    ("get -- pod web", "get pod web"),
    ("logs -- web", "logs web"),
    ("set image -- pod/web nginx=nginx:1.28", "set image pod/web nginx=nginx:1.28"),
    ("delete -- pod web", "delete pod web"),
]


@pytest.mark.parametrize("with_dash, without", LIVE, ids=[case[0] for case in LIVE])
def test_a_dash_before_the_arguments_changes_nothing(with_dash, without):
    outputs = []
    for command in (with_dash, without):
        cluster = labkube.Cluster(nodes=1, seed=0)
        cluster.kubectl("apply -f -", stdin=WEB)
        cluster.run(20)
        outputs.append(cluster.kubectl(command))
    assert outputs[0] == outputs[1]
    assert "error" not in outputs[0]
