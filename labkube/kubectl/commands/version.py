"""``kubectl version``: the client's version and the (simulated) server's.

Mirrors k8s.io/kubectl/pkg/cmd/version. labkube's commands behave as kubectl 1.32 (the
client version is the kubectl release the goldens were captured with) and its API server as
kube-apiserver v1.32.0, what ``GET /version`` answers and the kubelets report; ``--client``
omits the server line and ``-o json|yaml`` prints the same facts as a document.
"""

from __future__ import annotations

import json

import yaml

from labkube.core.api.http import VERSION_INFO
from labkube.kubectl.commands import Context
from labkube.kubectl.errors import KubectlError

CLIENT_VERSION = "v1.32.4"
KUSTOMIZE_VERSION = "v5.5.0"


def _info(git_version: str) -> dict:
    major, minor, _ = git_version.lstrip("v").split(".", 2)
    return {"major": major, "minor": minor, "gitVersion": git_version, "platform": "linux/amd64"}


def server_info(ctx: Context) -> dict:
    """The API server's version.Info, as ``GET /version`` returns it."""
    return dict(VERSION_INFO)


def server_version(ctx: Context) -> str:
    return server_info(ctx)["gitVersion"]


def run(ctx: Context) -> list[BaseException]:
    extra = list(ctx.parsed.all_args)
    if extra:  # VersionOptions.Complete, before --output is looked at
        raise KubectlError(f"error: extra arguments: [{' '.join(extra)}]")
    output = ctx.flags["output"]
    if output not in ("", "json", "yaml"):
        raise KubectlError("error: --output must be 'yaml' or 'json'")
    client_only = ctx.flags["client"]
    if output:
        doc = {"clientVersion": _info(CLIENT_VERSION), "kustomizeVersion": KUSTOMIZE_VERSION}
        if not client_only:
            doc["serverVersion"] = server_info(ctx)
        text = json.dumps(doc, indent=2) + "\n" if output == "json" else yaml.safe_dump(doc, sort_keys=True) + "\n"
        ctx.term.out(text)
        return []
    ctx.term.line(f"Client Version: {CLIENT_VERSION}")
    ctx.term.line(f"Kustomize Version: {KUSTOMIZE_VERSION}")
    if not client_only:
        ctx.term.line(f"Server Version: {server_version(ctx)}")
    return []
