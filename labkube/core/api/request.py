"""One API request, as kube-apiserver sees it after routing.

Mirrors ``k8s.io/apiserver/pkg/endpoints/request.RequestInfo`` plus the options types of
``meta/v1`` (``CreateOptions``, ``UpdateOptions``, ``PatchOptions``, ``DeleteOptions``,
``ListOptions``): a verb, the resource (a :class:`~labkube.core.api.resources.ResourceType` or a
kubectl-style name such as ``"deploy"``), the namespace and name from the URL, an optional
subresource (``status``, ``scale``, ``binding``, ``finalize``), the body, the user who sent it,
and the options.

Both classes are immutable: a request never changes on its way through the pipeline.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Optional, Union

from labkube.core.api.resources import ResourceType

#: The verbs the server understands (``kubectl auth can-i`` uses the same words).
VERBS = (
    "create",
    "get",
    "list",
    "watch",
    "update",
    "patch",
    "delete",
    "deletecollection",
)

PROPAGATION_POLICIES = ("Orphan", "Background", "Foreground")
PATCH_TYPES = ("strategic", "merge", "json")


class Options(NamedTuple):
    """Every query option of every verb; each verb reads the ones it knows (immutable: a
    named tuple, three times cheaper to build than a frozen dataclass, as is :class:`Request`;
    every in-process API call builds one).

    ``dry_run`` (create/update/patch/delete): run everything but the store write.
    ``label_selector``/``field_selector``/``limit``/``continue_``/``resource_version``/
    ``resource_version_match`` (list, watch, deletecollection).
    ``propagation_policy``/``grace_period_seconds``/``preconditions`` (delete): preconditions
    is ``{"uid": ..., "resourceVersion": ...}`` as in ``metav1.Preconditions``.
    ``patch_type``: ``"strategic"``, ``"merge"`` or ``"json"``.
    ``read_only`` (watch): the caller promises never to modify the objects it receives, as
    client-go's informers promise for their caches; the server may then hand every such
    watch the one object it decoded for an event instead of a private copy each (in a real
    cluster every process decodes its own copy from the wire; in one Python process the
    copies would only cost time and memory).
    ``hand_over`` (create, patch): the caller hands the body over and never reads or modifies
    it again, so the server may decode it in place instead of copying it first -- the write
    side of ``read_only``, for the control plane's own components (over HTTP the server
    always decodes its own copy from the bytes).
    ``field_validation`` (create, update, patch): ``fieldValidation``, what the server does with
    unknown fields -- ``"Strict"`` refuses them, ``"Warn"`` drops them with a warning each,
    ``"Ignore"`` drops them silently; ``None`` is the server's default, ``Warn`` (kubectl
    always sends one: ``--validate``, default ``Strict``).
    """

    dry_run: bool = False
    label_selector: Optional[str] = None
    field_selector: Optional[str] = None
    limit: Optional[int] = None
    continue_: Optional[str] = None
    resource_version: Optional[str] = None
    resource_version_match: Optional[str] = None
    propagation_policy: Optional[str] = None
    grace_period_seconds: Optional[int] = None
    preconditions: Optional[dict] = None
    patch_type: str = "strategic"
    read_only: bool = False
    hand_over: bool = False
    field_validation: Optional[str] = None


DEFAULT_OPTIONS = Options()


class Request(NamedTuple):
    """A routed API request. ``user`` is a ``labkube.core.api.auth.UserInfo``.

    ``warnings``: where the server appends the warnings it has for the client (a list the
    caller owns, as k8s.io/apiserver/pkg/warning records them in the request's context and the
    HTTP front sends them as ``Warning: 299 - "..."`` headers); ``None``: nobody listens.
    """

    verb: str
    resource: Union[ResourceType, str]
    namespace: Optional[str] = None
    name: Optional[str] = None
    subresource: Optional[str] = None
    body: Any = None
    user: Any = None
    options: Options = DEFAULT_OPTIONS
    warnings: Optional[list] = None
