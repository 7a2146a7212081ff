"""``kubectl create quota NAME [--hard=key=quantity,...] [--scopes=Scope,...]``: the object it builds.

Mirrors staging/src/k8s.io/kubectl/pkg/cmd/create/create_quota.go (kubectl 1.32),
``createQuota``: ``spec.hard`` from ``populateResourceListV1`` (comma-separated
``resource=quantity`` pairs, each quantity parsed as the API server would) and ``spec.scopes``
from ``parseScopes`` (only an empty scope is refused; the API server judges the names). No flag
gives ``spec: {}``. ``-n`` puts the namespace in the object, as ``EnforceNamespace`` does.
"""

from __future__ import annotations

from labkube.core.api import quantity as qty


class QuotaArgumentError(ValueError):
    """A flag kubectl refuses before anything is sent (its message is kubectl's)."""


def hard_resources(spec: str) -> dict | None:
    """``populateResourceListV1``: ``cpu=1,memory=1G`` -> ``{"cpu": "1", "memory": "1G"}``."""
    if not spec:
        return None
    result = {}
    for statement in spec.split(","):
        parts = statement.split("=")
        if len(parts) != 2:
            raise QuotaArgumentError(f"Invalid argument syntax {statement}, expected <resource>=<value>")
        try:
            result[parts[0]] = str(qty.parse_quantity(parts[1]))
        except ValueError as err:
            raise QuotaArgumentError(str(err)) from None
    return dict(sorted(result.items()))  # a Go map prints sorted


def scopes(spec: str) -> list[str] | None:
    """``parseScopes``: the names as given; an empty one is an error."""
    if not spec:
        return None
    names = spec.split(",")
    if "" in names:
        raise QuotaArgumentError('invalid resource quota scope ""')
    return names


def build_quota(name: str, hard: str, scope_spec: str, namespace: str | None = None) -> dict:
    """The ResourceQuota ``kubectl create quota`` sends, its fields in Go's struct order (what
    ``-o json`` shows) with ``creationTimestamp: null`` as Go prints it."""
    meta: dict = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    meta["creationTimestamp"] = None
    spec: dict = {}
    resources = hard_resources(hard)
    if resources is not None:
        spec["hard"] = resources
    names = scopes(scope_spec)
    if names is not None:
        spec["scopes"] = names
    return {"kind": "ResourceQuota", "apiVersion": "v1", "metadata": meta, "spec": spec, "status": {}}
