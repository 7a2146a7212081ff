"""What ``kubectl rollout restart|pause|resume|status`` and ``kubectl scale`` send and print.

Mirrors kubectl's pkg/polymorphichelpers (``objectrestarter``, ``objectpauser``,
``objectresumer``, ``DeploymentStatusViewer``) and pkg/cmd/scale. None of these is a special
API: each is an ordinary patch or read that any client could make, and the controllers do the
rest.

* :func:`restart` sets the pod template annotation ``kubectl.kubernetes.io/restartedAt`` — a
  template change, so the Deployment controller rolls every pod.
* :func:`pause` / :func:`resume` patch ``spec.paused``.
* :func:`status_message` is one line of ``kubectl rollout status`` for a Deployment.
* :func:`scale` writes the ``scale`` subresource.

Errors are raised as :class:`~.rollback.RolloutError` with the text kubectl prints after
``error: ``.
"""

from __future__ import annotations

from typing import Any, Optional

from labkube.core.clock import format_timestamp
from labkube.core.controllers.deployment import util
from labkube.core.controllers.deployment.rollback import RolloutError

RESOURCE_STRINGS = {"deployments": "deployments.apps", "replicasets": "replicasets.apps",
                    "statefulsets": "statefulsets.apps", "replicationcontrollers": "replicationcontrollers"}


def restart(client: Any, namespace: str, name: str, now_timestamp: Any) -> str:
    """``kubectl rollout restart deployment/<name>``; returns "restarted".

    ``now_timestamp`` is an RFC 3339 string (or cluster-clock seconds), as kubectl writes
    ``time.Now().Format(time.RFC3339)``.
    """
    stamp = now_timestamp if isinstance(now_timestamp, str) else format_timestamp(now_timestamp)
    d = client.get("deployments", name, namespace)
    if d["spec"].get("paused"):
        raise RolloutError(f'deployments.apps "{name}" can\'t restart paused deployment (run rollout resume first)')
    current = ((d["spec"]["template"].get("metadata") or {}).get("annotations") or {}).get(util.RESTARTED_AT_ANNOTATION)
    if current == stamp:
        raise RolloutError(f"failed to create patch for {name}: if restart has already been triggered within "
                           "the past second, please wait before attempting to trigger another")
    patch = {"spec": {"template": {"metadata": {"annotations": {util.RESTARTED_AT_ANNOTATION: stamp}}}}}
    client.patch("deployments", name, patch, namespace=namespace)
    return "restarted"


def pause(client: Any, namespace: str, name: str) -> str:
    """``kubectl rollout pause``; returns "paused"."""
    d = client.get("deployments", name, namespace)
    if d["spec"].get("paused"):
        raise RolloutError(f'deployments.apps "{name}" is already paused')
    client.patch("deployments", name, {"spec": {"paused": True}}, namespace=namespace)
    return "paused"


def resume(client: Any, namespace: str, name: str) -> str:
    """``kubectl rollout resume``; returns "resumed"."""
    d = client.get("deployments", name, namespace)
    if not d["spec"].get("paused"):
        raise RolloutError(f'deployments.apps "{name}" is not paused')
    client.patch("deployments", name, {"spec": {"paused": None}}, namespace=namespace)
    return "resumed"


def status_message(d: dict) -> tuple[str, bool]:
    """``DeploymentStatusViewer.Status``: (the line kubectl prints, whether the rollout is done)."""
    name = d["metadata"]["name"]
    status = d.get("status") or {}
    if d["metadata"].get("generation", 0) > status.get("observedGeneration", 0):
        return "Waiting for deployment spec update to be observed...\n", False
    cond = util.get_condition(status, "Progressing")
    if cond is not None and cond.get("reason") == util.TIMED_OUT_REASON:
        raise RolloutError(f'deployment "{name}" exceeded its progress deadline')
    replicas = d["spec"].get("replicas")
    updated = status.get("updatedReplicas", 0)
    if replicas is not None and updated < replicas:
        return (f'Waiting for deployment "{name}" rollout to finish: {updated} out of {replicas} '
                "new replicas have been updated...\n"), False
    if status.get("replicas", 0) > updated:
        return (f'Waiting for deployment "{name}" rollout to finish: {status.get("replicas", 0) - updated} '
                "old replicas are pending termination...\n"), False
    if status.get("availableReplicas", 0) < updated:
        return (f'Waiting for deployment "{name}" rollout to finish: {status.get("availableReplicas", 0)} '
                f"of {updated} updated replicas are available...\n"), False
    return f'deployment "{name}" successfully rolled out\n', True


def rollout_status(client: Any, namespace: str, name: str) -> tuple[str, bool]:
    return status_message(client.get("deployments", name, namespace))


def scale(client: Any, namespace: str, name: str, replicas: int, resource: str = "deployments",
          current_replicas: Optional[int] = None, resource_version: Optional[str] = None) -> str:
    """``kubectl scale <resource>/<name> --replicas=N [--current-replicas] [--resource-version]``."""
    current = client.get(resource, name, namespace, subresource="scale")
    have = current["spec"].get("replicas", 0)
    if current_replicas is not None and current_replicas != have:
        raise RolloutError(f"Expected replicas to be {current_replicas}, was {have}")
    if resource_version is not None and resource_version != current["metadata"].get("resourceVersion"):
        raise RolloutError(f"Expected resource version to be {resource_version}, was "
                           f"{current['metadata'].get('resourceVersion')}")
    current["spec"]["replicas"] = replicas
    client.update(current, subresource="scale", resource=resource)
    return "scaled"
