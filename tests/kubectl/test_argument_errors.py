"""Arguments kubectl refuses before it sends any request: which error, in which order.

Each verb's ``Complete`` and ``Validate`` (k8s.io/kubectl/pkg/cmd/<verb>) check its arguments
in a fixed order, and when two things are wrong the first check wins: ``rollout`` asks for a
resource before anything else, ``label`` for resources before label changes, ``top node`` counts
names before it looks at ``--sort-by``. The expectations below were printed by the real
kubectl 1.32 against an unreachable server (so only these early errors could appear).
"""

from __future__ import annotations

import pytest

import labkube
from labkube.kubectl import run

PRINTED_BY_KUBECTL = [
    ('every rollout subcommand needs a resource before anything else',
     'rollout status',
     'error: required resource not specified', 1),
    ('rollout history needs a resource',
     'rollout history',
     'error: required resource not specified', 1),
    ('rollout undo needs a resource, even with a bad --to-revision',
     'rollout undo --to-revision=-1',
     'error: required resource not specified', 1),
    ('rollout pause needs a resource',
     'rollout pause',
     'error: required resource not specified', 1),
    ('rollout resume needs a resource',
     'rollout resume',
     'error: required resource not specified', 1),
    ('rollout restart needs a resource, a selector alone is not one',
     'rollout restart -l app=web',
     'error: required resource not specified', 1),
    ('label with no arguments asks for resources first',
     'label',
     'error: one or more resources must be specified as <resource> <name> or <resource>/<name>', 1),
    ('annotate with no arguments asks for resources first',
     'annotate',
     'error: one or more resources must be specified as <resource> <name> or <resource>/<name>', 1),
    ('a lone dash is a resource, not a label removal',
     'label - nodes deployment/web',
     'error: at least one label update is required', 1),
    ('a pair starting with = is a resource, so it cannot follow a label change',
     'label pods x a=b =c',
     'error: all resources must be specified before label changes: =c', 1),
    ('label --local refuses resource arguments',
     'label --local pod/web po,svc',
     'error: can only use local files by -f pod.yaml or --filename=pod.json when --local=true is set', 1),
    ('label --list and --output exclude each other',
     'label pods x --list -o yaml',
     'error: --list and --output may not be specified together', 1),
    ('label --all and --selector exclude each other',
     'label --all -l a pods',
     'error: cannot set --all and --selector at the same time', 1),
    ('label checks the output format only when printing',
     'label -o bogus',
     'error: one or more resources must be specified as <resource> <name> or <resource>/<name>', 1),
    ('label --local needs files',
     'label --local',
     'error: one or more files must be specified as -f pod.yaml or --filename=pod.json', 1),
    ('annotate names every key both modified and removed',
     'annotate pods x a=b a- b=c b-',
     'error: can not both modify and remove the following annotation(s) in the same command: a, b', 1),
    ('annotate --local refuses resource arguments, naming its own example files',
     'annotate --local pods x a=b',
     'error: can only use local files by -f rsrc.yaml or --filename=rsrc.json when --local=true is set', 1),
    ('taint with no arguments asks for resources first',
     'taint',
     'error: one or more resources must be specified as <resource> <name>', 1),
    ('taint with a resource but no change is a plain error',
     'taint nodes',
     'error: at least one taint update is required', 1),
    ('a taint removal is parsed like a taint, so an empty key is invalid',
     'taint nodes node-1 -',
     "error: invalid taint spec: , name part must be non-empty; name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')\nSee 'kubectl taint -h' for help and examples", 1),
    ('an empty taint key is reported as empty',
     'taint nodes node-1 =x:NoSchedule',
     "error: invalid taint spec: =x:NoSchedule, name part must be non-empty; name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')\nSee 'kubectl taint -h' for help and examples", 1),
    ('exec with no pod',
     'exec',
     'error: pod, type/name or --filename must be specified', 1),
    ('exec with only flags still has no pod',
     'exec -c x',
     'error: pod, type/name or --filename must be specified', 1),
    ('exec with a pod and no command is a plain error',
     'exec web',
     'error: you must specify at least one command for the container', 1),
    ('exec POD COMMAND without a dash is a usage error',
     'exec web ls',
     "error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\nSee 'kubectl exec -h' for help and examples", 1),
    ("set image with no arguments is the builder's error",
     'set image',
     "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'", 1),
    ('set image needs every resource before the images',
     'set image deploy/web a=b c',
     'error: all resources must be specified before image changes: c', 1),
    ('set image has no removals: name- is an invalid image',
     'set image deploy web- a=b',
     'error: invalid image format: web-', 1),
    ('version refuses extra arguments before looking at --output',
     'version -o bogus extra',
     'error: extra arguments: [extra]', 1),
    ('version lists every extra argument',
     'version a b',
     'error: extra arguments: [a b]', 1),
    ('api-versions refuses arguments',
     'api-versions -',
     "error: unexpected arguments: [-]\nSee 'kubectl api-versions -h' for help and examples", 1),
    ('api-resources refuses arguments before checking --output',
     'api-resources -o bogus a b',
     "error: unexpected arguments: [a b]\nSee 'kubectl api-resources -h' for help and examples", 1),
    ('api-resources counts the words after -- as arguments too',
     'api-resources web -- deploy',
     "error: unexpected arguments: [web deploy]\nSee 'kubectl api-resources -h' for help and examples", 1),
    ('version counts the words after -- as arguments too',
     'version a -- b',
     'error: extra arguments: [a b]', 1),
    ('top node takes at most one name',
     'top node a b',
     "error: node [NAME | -l label]\nSee 'kubectl top node -h' for help and examples", 1),
    ('top node checks the name count before --sort-by',
     'top node a b --sort-by=x',
     "error: node [NAME | -l label]\nSee 'kubectl top node -h' for help and examples", 1),
    ('top node refuses a name with a selector',
     'top node a -l x',
     'error: only one of NAME or --selector can be provided', 1),
    ('top pod takes at most one name',
     'top pod a b',
     "error: pod [NAME | -l label]\nSee 'kubectl top pod -h' for help and examples", 1),
    ('top pod refuses a name with a field selector',
     'top pod a --field-selector x=y',
     'error: only one of NAME or selector can be provided', 1),
    ('drain prints the selector conflict once',
     'drain node-1 --selector=a',
     "error: cannot specify both a node name and a --selector option\nSee 'kubectl drain -h' for help and examples", 1),
]

#: Flags cobra marks required are checked before the command runs. The real kubectl logs these
#: through klog ("command failed" err="required flag(s) ..."); labkube prints the same words
#: as a plain error, and what matters here is that they win over every other problem.
REQUIRED_FLAGS_FIRST = [
    ("run without --image says so before asking for a NAME",
     "run", 'error: required flag(s) "image" not set', 1),
    ("create deployment without --image says so before checking --output",
     "create deployment --output x", 'error: required flag(s) "image" not set', 1),
    ("create clusterrolebinding without --clusterrole says so before counting names",
     "create clusterrolebinding a b", 'error: required flag(s) "clusterrole" not set', 1),
]


@pytest.fixture(scope="module")
def cluster():
    return labkube.Cluster(nodes=1, seed=0)


@pytest.mark.parametrize("command, text, exit_code",
                         [case[1:] for case in PRINTED_BY_KUBECTL + REQUIRED_FLAGS_FIRST],
                         ids=[case[0] for case in PRINTED_BY_KUBECTL + REQUIRED_FLAGS_FIRST])
def test_argument_error(cluster, command, text, exit_code):
    result = run(cluster, command, stdin="")
    assert (str(result).strip(), result.exit_code) == (text, exit_code)
