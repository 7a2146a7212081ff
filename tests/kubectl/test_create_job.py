"""``kubectl create job``'s object, against what the real kubectl 1.32 prints for
``kubectl create job x --image=busybox --dry-run=client -o yaml -- echo hi``."""

import pytest
import yaml

from labkube.kubectl.commands.create_job import build_job

#: Captured from /usr/bin/kubectl (v1.32) on 2026-11-26.
REAL_KUBECTL = """\
apiVersion: batch/v1
kind: Job
metadata:
  creationTimestamp: null
  name: x
spec:
  template:
    metadata:
      creationTimestamp: null
    spec:
      containers:
      - command:
        - echo
        - hi
        image: busybox
        name: x
        resources: {}
      restartPolicy: Never
status: {}
"""


def test_create_job_builds_what_kubectl_builds():
    assert build_job("x", "busybox", ["echo", "hi"]) == yaml.safe_load(REAL_KUBECTL)


def test_the_built_job_is_accepted_and_runs_to_completion():
    import labkube
    with labkube.Cluster(nodes=1, seed=0) as cluster:
        obj = build_job("x", "busybox", ["echo", "hi"])
        obj["metadata"].pop("creationTimestamp")
        cluster.client.create(obj, "default")
        cluster.run(30)
        assert cluster.kubectl("logs job/x") == "hi\n"
        assert [c["type"] for c in cluster.get("job", "x")["status"]["conditions"]] == ["SuccessCriteriaMet", "Complete"]


#: Real kubectl 1.32 (offline, or against the oracle API server serving a Deployment ``web`` and
#: nothing else, or a CronJob ``hello`` too).
COMMAND_CASES = [
    ("create job x --dry-run=client -o yaml", "error: either --image or --from must be specified\n"),
    ("create job x --image=busybox --from=cronjob/y", "error: either --image or --from must be specified\n"),
    ("create job x --from=cronjob/y", 'Error from server (NotFound): cronjobs.batch "y" not found\n'),
    ("create job x --from=deployment/web --dry-run=client", "error: unknown object type *v1.Deployment\n"),
    ("create job x --from=cronjob --dry-run=client", "error: resource(s) were provided, but no name was specified\n"),
    ("create job x --from=hello --dry-run=client", 'error: the server doesn\'t have a resource type "hello"\n'),
    ("create job x --from=cj/hello --dry-run=client", "job.batch/x created (dry run)\n"),
    ("create job x --from=cronjob/y -- echo", "error: cannot specify --from and command\n"),
    ("create job --image=busybox",
     "error: exactly one NAME is required, got 0\nSee 'kubectl create job -h' for help and examples\n"),
    ("create job x --image=busybox -o name --dry-run=client", "job.batch/x\n"),
    ("create job x --image=busybox -- echo hi --dry-run=client -o yaml",  # after --: the command
     "job.batch/x created\n"),
]


@pytest.mark.parametrize("line, expected", COMMAND_CASES, ids=[
    "neither image nor from", "both image and from", "from a cronjob that does not exist",
    "from a deployment", "from a type without a name", "from a name without a type", "from a cronjob by short name",
    "from with a command", "no name", "-o name", "everything after -- is the command"])
def test_create_job_command_answers_as_kubectl(line, expected):
    import labkube
    with labkube.Cluster(nodes=1, seed=0) as cluster:
        cluster.kubectl("create deployment web --image=nginx")
        cluster.kubectl("create cronjob hello --image=busybox --schedule='* * * * *'")
        assert cluster.kubectl(line) == expected


def test_create_job_dry_run_prints_kubectls_yaml():
    import labkube
    with labkube.Cluster(nodes=1, seed=0) as cluster:
        out = cluster.kubectl("create job x --image=busybox --dry-run=client -o yaml -- echo hi")
    assert out == REAL_KUBECTL
