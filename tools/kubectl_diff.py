"""Differential fuzzing against the real kubectl: where does labkube's kubectl print otherwise?

kubectl parses manifests, flags and generator arguments before it talks to a server. Pointed at
a server that does not answer (a kubeconfig for http://127.0.0.1:1), the real binary still
prints every error it finds on its own, so labkube's output for the same input can be compared
with it word for word. Three kinds of input, each generated from a seed (the same seed, the same
inputs):

* ``yaml``: the conformance manifests (../shared/conformance) with one or two characters,
  indents or tabs changed, read by ``create --dry-run=client -f -``; compares parse errors;
* ``args``: random command lines over labkube's command table (its flags, odd values, stray
  words); compares the first line of what either prints when kubectl fails before a request;
* ``create``: ``create <generator> --dry-run=client -o yaml|json|name`` with random flag
  values; compares the whole output.

Lines kubectl prints only as a klog record (``E1126 ... "command failed" err=...``) are
dropped, so a required flag shows as kubectl printing nothing. Nothing is sent anywhere but
127.0.0.1:1, which refuses. Each difference prints with its seed; the last line counts them.

Usage (needs the real kubectl 1.32 on PATH; not part of the test suite)::

    .venv/bin/python tools/kubectl_diff.py yaml 0 300
    .venv/bin/python tools/kubectl_diff.py args 0 600
    .venv/bin/python tools/kubectl_diff.py create 0 300

Fixed differences become cases in the tests (tests/kubectl/test_yaml_errors.py,
test_argument_errors*.py, test_create_generators_more.py), with kubectl's output as expected.
"""

from __future__ import annotations

import argparse
import os
import random
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import labkube  # noqa: E402
import labkube.kubectl.commands  # noqa: E402,F401  (registers the operations commands)
from labkube.kubectl import parse as commands_table  # noqa: E402
from labkube.kubectl import run  # noqa: E402

CONFORMANCE = ROOT.parent / "shared" / "conformance"
DEAD_SERVER_KUBECONFIG = """apiVersion: v1
kind: Config
clusters: [{name: dead, cluster: {server: "http://127.0.0.1:1"}}]
contexts: [{name: dead, context: {cluster: dead, user: u, namespace: default}}]
current-context: dead
users: [{name: u, user: {token: x}}]
"""


class RealKubectl:
    """The installed kubectl against a server that refuses every connection."""

    def __init__(self, home: Path) -> None:
        (home / "kubeconfig").write_text(DEAD_SERVER_KUBECONFIG)
        self.env = dict(os.environ, KUBECONFIG=str(home / "kubeconfig"), HOME=str(home))

    def __call__(self, words: list[str], stdin: str = "") -> tuple[str, int]:
        done = subprocess.run(["kubectl", *words], input=stdin, capture_output=True, text=True,
                              env=self.env, timeout=30)
        errors = "\n".join(line for line in done.stderr.splitlines() if not _is_klog(line))
        return (done.stdout + errors).strip(), done.returncode


def _is_klog(line: str) -> bool:
    return line[:1] in "EWI" and line[1:5].isdigit()


def _reached_the_server(text: str) -> bool:
    return "127.0.0.1:1" in text or "connection refused" in text


# ---------------------------------------------------------------------------------------
# yaml: mutated manifests
# ---------------------------------------------------------------------------------------

_YAML_CHARS = ':-[]{}"\'\t #&*!|>,?%@`\n '


def mutated_manifest(r: random.Random, files: list[Path]) -> str:
    text = r.choice(files).read_text()
    for _ in range(r.randint(1, 2)):
        lines = text.split("\n")
        line = r.randrange(len(lines))
        where = r.randrange(len(text)) if text else 0
        kind = r.randrange(6)
        if kind == 0:
            text = text[:where] + text[where + 1:]
        elif kind == 1:
            text = text[:where] + r.choice(_YAML_CHARS) + text[where:]
        else:
            if kind == 2:
                lines[line] = " " + lines[line]
            elif kind == 3:
                lines[line] = lines[line][1:]
            elif kind == 4:
                lines[line] = "\t" + lines[line].lstrip(" ")
            else:
                lines.insert(line, lines[line])
            text = "\n".join(lines)
    return text


def diff_yaml(kubectl: RealKubectl, cluster, seeds: range) -> tuple[int, int]:
    files = sorted(CONFORMANCE.rglob("*.yaml"))
    compared = differing = 0
    for seed in seeds:
        text = mutated_manifest(random.Random(seed), files)
        want, _ = kubectl(["create", "--dry-run=client", "-o", "yaml", "-f", "-"], text)
        if not any(mark in want for mark in ("yaml:", "error parsing", "json:")):
            continue
        compared += 1
        got = str(run(cluster, "create --dry-run=client -o yaml -f -", stdin=text)).strip()
        if want.splitlines()[:1] != got.splitlines()[:1]:
            differing += 1
            print(f"--- seed {seed}\n  kubectl: {want.splitlines()[0]}\n  labkube: {got.splitlines()[:1]}")
    return compared, differing


# ---------------------------------------------------------------------------------------
# args: random command lines
# ---------------------------------------------------------------------------------------

_VALUES = ["", "x", "1", "-1", "0", "abc", "true", "false", "1.5", "10s", "-", "pods", "app=web",
           "a,b", "=", "yaml", "json", "wide", "name", "99999999999999999999"]
_WORDS = ["pods", "pod/web", "deploy", "deployment/web", "nodes", "node-1", "web", "svc", "-",
          "--", "x=y", "bogus", "all", "po,svc"]
_SKIPPED_FLAGS = {"kubeconfig", "help", "context", "cluster", "user", "as", "as-group", "as-uid",
                  "v", "request-timeout", "namespace", "filename", "kustomize"}


def random_command_line(r: random.Random) -> list[str]:
    path = r.choice(sorted(commands_table.COMMANDS))
    spec = commands_table.COMMANDS[path]
    words = path.split()
    flags = [f for f in (*spec.flags, *commands_table.GLOBAL_FLAGS) if f.name not in _SKIPPED_FLAGS]
    for _ in range(r.randint(0, 4)):
        pick = r.random()
        if pick < 0.45 or not flags:
            words.append(r.choice(_WORDS))
        elif pick < 0.9:
            words.extend(_flag_words(r, r.choice(flags)))
        else:
            words.append(r.choice(["--bogus", "-Z", "--no-headers", "--replicas=x", "---", "-"]))
    return words


def _flag_words(r: random.Random, flag) -> list[str]:
    value = r.choice(_VALUES)
    form = r.randrange(4)
    if form == 0:
        return [f"--{flag.name}={value}"]
    if form == 1:
        return [f"--{flag.name}", value] if value else [f"--{flag.name}"]
    if form == 2 and flag.short:
        return [f"-{flag.short}{value}"]
    return [f"--{flag.name}"]


def diff_args(kubectl: RealKubectl, cluster, seeds: range) -> tuple[int, int]:
    compared = differing = 0
    for seed in seeds:
        words = random_command_line(random.Random(seed))
        if "--help" in words or "-h" in words:
            continue
        want, code = kubectl(words)
        if _reached_the_server(want) or "couldn't get" in want:
            continue
        compared += 1
        got = run(cluster, shlex.join(words), stdin="")
        have = str(got).strip()
        if want.splitlines()[:1] != have.splitlines()[:1] or code != got.exit_code:
            differing += 1
            print(f"--- seed {seed}: kubectl {shlex.join(words)}\n  kubectl[{code}]: {want[:300]!r}\n"
                  f"  labkube[{got.exit_code}]: {have[:300]!r}")
    return compared, differing


# ---------------------------------------------------------------------------------------
# create: generators
# ---------------------------------------------------------------------------------------

_NAMES = ["web", "a", "my-app", "Web", "x.y", "a_b", "-x", "", "a" * 64, "dev"]
_FLAG_VALUES = ["nginx", "busybox:1.36", "a=b", "a=", "=b", "a", "a=b=c", "80", "0", "-1", "x",
                "get,list", "pods", "pods/log", "deployments.apps", "*", "", "1.5", "k8s.io/x=y", "a,b"]
_GENERATOR_FLAGS = {
    "create deployment": ["--image", "--replicas", "--port", "--", "--image"],
    "create configmap": ["--from-literal", "--from-literal", "--append-hash"],
    "create secret generic": ["--from-literal", "--type", "--append-hash"],
    "create namespace": [],
    "create serviceaccount": [],
    "create role": ["--verb", "--resource", "--resource-name"],
    "create clusterrole": ["--verb", "--resource", "--resource-name", "--non-resource-url", "--aggregation-rule"],
    "create rolebinding": ["--role", "--clusterrole", "--user", "--group", "--serviceaccount"],
    "create clusterrolebinding": ["--clusterrole", "--user", "--group", "--serviceaccount"],
}


def random_generator_line(r: random.Random) -> list[str]:
    path = r.choice(sorted(_GENERATOR_FLAGS))
    words = path.split() + [r.choice(_NAMES)]
    flags = _GENERATOR_FLAGS[path]
    for _ in range(r.randint(0, 4) if flags else 0):
        flag = r.choice(flags)
        if flag == "--":
            words += ["--", r.choice(["sleep", "echo"]), r.choice(["1", "hi"])]
        elif flag == "--append-hash":
            words.append(flag)
        else:
            words.append(f"{flag}={r.choice(_FLAG_VALUES)}")
    return words + ["--dry-run=client", "-o", r.choice(["yaml", "json", "name"])]


def diff_create(kubectl: RealKubectl, cluster, seeds: range) -> tuple[int, int]:
    compared = differing = 0
    for seed in seeds:
        words = random_generator_line(random.Random(seed))
        want, code = kubectl(words)
        if _reached_the_server(want):
            continue
        compared += 1
        got = run(cluster, shlex.join(words))
        have = str(got).strip()
        if want != have or code != got.exit_code:
            differing += 1
            wanted, had = want.splitlines(), have.splitlines()
            line = next((i for i in range(max(len(wanted), len(had))) if wanted[i:i + 1] != had[i:i + 1]), 0)
            print(f"--- seed {seed}: kubectl {shlex.join(words)}\n  kubectl[{code}] line {line}: "
                  f"{wanted[line:line + 2]!r}\n  labkube[{got.exit_code}] line {line}: {had[line:line + 2]!r}")
    return compared, differing


KINDS = {"yaml": diff_yaml, "args": diff_args, "create": diff_create}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", choices=sorted(KINDS))
    parser.add_argument("start", type=int, help="first seed")
    parser.add_argument("count", type=int, help="how many seeds")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as home:
        cluster = labkube.Cluster(nodes=1, seed=0)
        compared, differing = KINDS[args.kind](RealKubectl(Path(home)), cluster,
                                               range(args.start, args.start + args.count))
    print(f"compared {compared}, differing {differing}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
