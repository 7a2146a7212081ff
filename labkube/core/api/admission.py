"""Admission control: the plugins every write passes after authorization.

Mirrors k8s.io/apiserver/pkg/admission (``admission.Attributes``, ``MutationInterface``,
``ValidationInterface``, the chain in ``chain.go``) and the built-in plugins kube-apiserver
enables by default, in its order:

* ``NamespaceLifecycle`` (plugin/pkg/admission/namespace/lifecycle): the namespace of a
  namespaced write must exist (``namespaces "x" not found``); a ``Terminating`` namespace
  refuses creates (``unable to create new content in namespace x because it is being
  terminated``); ``default``, ``kube-system`` and ``kube-public`` may not be deleted.
* ``ServiceAccount`` (plugin/pkg/admission/serviceaccount): a pod without
  ``serviceAccountName`` runs as ``default``; the account must exist (``error looking up
  service account ns/name: ...``); unless automounting is off, the pod gets the projected
  ``kube-api-access-xxxxx`` volume and every container mounts it at
  ``/var/run/secrets/kubernetes.io/serviceaccount``.
* ``Priority`` (plugin/pkg/admission/priority): ``spec.priority`` and
  ``spec.preemptionPolicy`` from the pod's PriorityClass, or from the ``globalDefault`` class
  (0 and ``PreemptLowerPriority`` without one); at most one default PriorityClass.
* ``DefaultTolerationSeconds`` (plugin/pkg/admission/defaulttolerationseconds): pods tolerate
  ``node.kubernetes.io/not-ready`` and ``unreachable`` (NoExecute) for 300 s.

Where the rest of kube-apiserver's request pipeline sits: defaulting happens while the body is
decoded (before admission), validation in the registry strategy after the mutating plugins,
and validating plugins run last, on the final object (ResourceQuota, last of all:
:mod:`labkube.core.api.admission_quota`). The
server calls :meth:`AdmissionChain.admit` then, after its own validation,
:meth:`AdmissionChain.validate`.

Pluggable: ``chain.register(plugin, before="ServiceAccount")`` inserts a plugin (a later issue
adds ``LimitRanger`` before ``ServiceAccount`` and ``ResourceQuota`` at the end). A plugin has a
``name``, optional ``admit(attrs)`` (may mutate ``attrs.obj``) and ``validate(attrs)`` (may
not), and raises :class:`~labkube.core.errors.StatusError` to refuse.

A plugin may also say which requests it can act on: ``handles(operation, group, resource,
subresource)`` (kube's ``admission.Handles`` narrows by operation; each plugin then checks the
resource itself). The chain asks once per kind of request and afterwards calls only the
plugins that said yes -- a Lease renewal passes NamespaceLifecycle and ResourceQuota, not the
pod, claim and RBAC plugins. A plugin without ``handles`` is called for every request.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Protocol

from labkube.core import errors
from labkube.core.api import defaults

CREATE, UPDATE, DELETE, CONNECT = "CREATE", "UPDATE", "DELETE", "CONNECT"

#: ``reader(plural, namespace, name)`` returns the stored object (read-only!) or None.
Reader = Callable[[str, Optional[str], str], Optional[dict]]
#: ``lister(plural)`` returns every stored object of a resource (read-only!).
Lister = Callable[[str], list]


@dataclass
class AdmissionAttributes:
    """``admission.Attributes``: the operation and the objects a plugin judges.

    ``obj`` is the incoming object (a plugin's ``admit`` may change it), ``old`` the stored one
    (updates and deletes). ``reader`` looks up other stored objects, as kube's plugins use
    informer listers; never mutate what it returns. ``clock`` is the cluster clock.
    """

    operation: str
    rtype: Any
    namespace: str
    name: str
    subresource: str
    obj: Optional[dict]
    old: Optional[dict]
    user: Any
    dry_run: bool
    reader: Reader
    clock: Any
    extra: dict = field(default_factory=dict)
    lister: Optional[Lister] = None

    @property
    def resource(self) -> str:
        return self.rtype.plural

    @property
    def group(self) -> str:
        return self.rtype.group

    def is_pod(self) -> bool:
        return self.rtype.group == "" and self.rtype.plural == "pods" and not self.subresource


class AdmissionPlugin(Protocol):
    name: str


def forbidden(attrs: AdmissionAttributes, why: str) -> errors.StatusError:
    """``admission.NewForbidden``: the object's name, or its generateName, or "Unknown"."""
    name = attrs.name
    if not name and attrs.obj is not None:
        meta = attrs.obj.get("metadata") or {}
        name = meta.get("name") or meta.get("generateName") or "Unknown"
    return errors.forbidden(attrs.rtype.qualified_resource, name or "Unknown", why)


class AdmissionChain:
    """The ordered plugins; mutating ones run in :meth:`admit`, validating ones in
    :meth:`validate`."""

    def __init__(self, plugins: tuple = ()) -> None:
        self._plugins: list = list(plugins)
        self._lock = threading.Lock()
        self._admitters: tuple = ()
        self._validators: tuple = ()
        self._rebuild()

    def register(self, plugin: Any, before: Optional[str] = None) -> Any:
        """Add a plugin at the end, or just before the plugin named ``before``."""
        with self._lock:
            if any(p.name == plugin.name for p in self._plugins):
                raise ValueError(f"admission plugin {plugin.name!r} is already registered")
            index = len(self._plugins)
            if before is not None:
                names = [p.name for p in self._plugins]
                if before not in names:
                    raise ValueError(f"no admission plugin named {before!r}")
                index = names.index(before)
            self._plugins.insert(index, plugin)
            self._rebuild()
        return plugin

    def unregister(self, name: str) -> None:
        with self._lock:
            self._plugins = [p for p in self._plugins if p.name != name]
            self._rebuild()

    def names(self) -> list[str]:
        return [p.name for p in self._plugins]

    def get(self, name: str) -> Any:
        """The registered plugin named ``name``, or None."""
        return next((p for p in self._plugins if p.name == name), None)

    def _rebuild(self) -> None:
        self._admitters = tuple(p for p in self._plugins if hasattr(p, "admit"))
        self._validators = tuple(p for p in self._plugins if hasattr(p, "validate"))
        #: (operation, group, resource, subresource) -> (admitters, validators) that handle it
        self._plans: dict[tuple, tuple[tuple, tuple]] = {}

    def _plan(self, attrs: AdmissionAttributes) -> tuple[tuple, tuple]:
        """The admitters and validators that can act on this kind of request, in chain order
        (worked out once per operation, resource and subresource)."""
        rtype = getattr(attrs, "rtype", None)
        if rtype is None:  # attributes without a resource (a test's stand-in): every plugin
            return self._admitters, self._validators
        key = (attrs.operation, rtype.group, rtype.plural, attrs.subresource)
        plan = self._plans.get(key)
        if plan is None:
            plan = (tuple(p for p in self._admitters if _handles(p, key)),
                    tuple(p for p in self._validators if _handles(p, key)))
            if len(self._plans) > 4096:
                self._plans.clear()
            self._plans[key] = plan
        return plan

    def admit(self, attrs: AdmissionAttributes) -> None:
        for plugin in self._plan(attrs)[0]:
            plugin.admit(attrs)

    def validate(self, attrs: AdmissionAttributes) -> None:
        for plugin in self._plan(attrs)[1]:
            plugin.validate(attrs)


def _handles(plugin: Any, key: tuple) -> bool:
    """A plugin's own answer to ``handles(operation, group, resource, subresource)`` (yes
    when it has none)."""
    handles = getattr(plugin, "handles", None)
    return True if handles is None else bool(handles(*key))


# ---------------------------------------------------------------------------
# NamespaceLifecycle
# ---------------------------------------------------------------------------

IMMORTAL_NAMESPACES = ("default", "kube-system", "kube-public")


class NamespaceLifecycle:
    name = "NamespaceLifecycle"

    def __init__(self, immortal: tuple[str, ...] = IMMORTAL_NAMESPACES) -> None:
        self.immortal = frozenset(immortal)

    def admit(self, attrs: AdmissionAttributes) -> None:
        is_namespace = attrs.rtype.group == "" and attrs.rtype.plural == "namespaces"
        if attrs.operation == DELETE:
            if is_namespace and attrs.name in self.immortal:
                raise forbidden(attrs, "this namespace may not be deleted")
            return
        if not attrs.namespace or is_namespace or not attrs.rtype.namespaced:
            return
        namespace = attrs.reader("namespaces", None, attrs.namespace)
        if namespace is None:
            raise errors.not_found("namespaces", attrs.namespace)
        if attrs.operation != CREATE:
            return
        if (namespace.get("status") or {}).get("phase") != "Terminating":
            return
        err = forbidden(
            attrs,
            f"unable to create new content in namespace {attrs.namespace} "
            "because it is being terminated",
        )
        err.details.setdefault("causes", []).append(
            {
                "reason": "NamespaceTerminating",
                "message": f"namespace {attrs.namespace} is being terminated",
                "field": "metadata.namespace",
            }
        )
        raise err


# ---------------------------------------------------------------------------
# ServiceAccount
# ---------------------------------------------------------------------------

DEFAULT_SERVICE_ACCOUNT = "default"
MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror"


class ServiceAccountAdmission:
    """``require_existing=False`` skips the existence check (for a cluster that has no
    serviceaccount controller yet); a real kube-apiserver always checks. The mutation itself
    is :func:`labkube.core.api.defaults.service_account_defaults`."""

    name = "ServiceAccount"

    def __init__(self, require_existing: bool = True) -> None:
        self.require_existing = require_existing

    @staticmethod
    def handles(operation: str, group: str, resource: str, subresource: str) -> bool:
        return operation == CREATE and (group, resource, subresource) == ("", "pods", "")

    def admit(self, attrs: AdmissionAttributes) -> None:
        if attrs.operation != CREATE or not attrs.is_pod():
            return
        pod = attrs.obj
        meta = pod.get("metadata") or {}
        if MIRROR_POD_ANNOTATION in (meta.get("annotations") or {}):
            return
        spec = pod.get("spec") or {}
        account_name = spec.get("serviceAccountName") or spec.get("serviceAccount") or DEFAULT_SERVICE_ACCOUNT
        account = attrs.reader("serviceaccounts", attrs.namespace, account_name)
        if account is None and self.require_existing:
            raise forbidden(
                attrs,
                f"error looking up service account {attrs.namespace}/{account_name}: "
                f'serviceaccount "{account_name}" not found',
            )
        automount = None if account is None else account.get("automountServiceAccountToken")
        defaults.service_account_defaults(pod, attrs.clock.random_suffix(5), automount=automount)


# ---------------------------------------------------------------------------
# Priority
# ---------------------------------------------------------------------------

PRIORITY_CLASSES = "priorityclasses"
#: ``scheduling.DefaultPriorityWhenNoDefaultClassExists``.
DEFAULT_PRIORITY = 0
PREEMPT_LOWER_PRIORITY = "PreemptLowerPriority"


class PriorityAdmission:
    """plugin/pkg/admission/priority (1.32), reading PriorityClasses from the API.

    * A new pod naming a class gets its ``value`` as ``spec.priority`` and its
      ``preemptionPolicy`` (``no PriorityClass with name x was found`` when there is none).
    * A new pod naming none gets the ``globalDefault`` class's name, value and policy (the
      lowest-valued one if several), or priority 0 and ``PreemptLowerPriority``.
    * A pod that brings its own ``priority`` or ``preemptionPolicy`` must match what the
      class gives; an update that drops them keeps the stored ones.
    * Creating or updating a PriorityClass with ``globalDefault: true`` while another class
      is the default: ``PriorityClass x is already marked as default. Only one default can
      exist``.

    Which class is the default is kept between pods, as kube-apiserver reads it from an
    informer's cache rather than the store: every PriorityClass write passes this plugin and
    forgets it, so a pod without ``priorityClassName`` costs no list.
    """

    name = "Priority"

    def __init__(self) -> None:
        self._default_class: Optional[tuple] = None  # (the default class or None,) once known

    @staticmethod
    def handles(operation: str, group: str, resource: str, subresource: str) -> bool:
        if subresource:
            return False
        if (group, resource) == ("scheduling.k8s.io", PRIORITY_CLASSES):
            return True
        return (group, resource) == ("", "pods") and operation in (CREATE, UPDATE)

    def admit(self, attrs: AdmissionAttributes) -> None:
        if attrs.subresource:
            return
        if attrs.resource == PRIORITY_CLASSES and attrs.group == "scheduling.k8s.io":
            self._default_class = None
        elif attrs.is_pod() and attrs.operation == CREATE:
            self._admit_new_pod(attrs)
        elif attrs.is_pod() and attrs.operation == UPDATE:
            _keep_priority(attrs.obj, attrs.old)

    def validate(self, attrs: AdmissionAttributes) -> None:
        if attrs.subresource or attrs.operation not in (CREATE, UPDATE):
            return
        if attrs.resource != PRIORITY_CLASSES or attrs.group != "scheduling.k8s.io":
            return
        self._default_class = None  # this write may change which class is the default
        if not attrs.obj.get("globalDefault"):
            return
        current = _lowest_default(attrs)  # not cached: the store does not hold this write yet
        if current is None:
            return
        current_name = current["metadata"]["name"]
        if attrs.operation == CREATE or current_name != attrs.obj["metadata"]["name"]:
            raise forbidden(attrs, f"PriorityClass {current_name} is already marked as default. "
                                   "Only one default can exist")

    def default_class(self, attrs: AdmissionAttributes) -> Optional[dict]:
        """``getDefaultPriorityClass``: the globalDefault class of lowest value, or None."""
        if self._default_class is None:
            self._default_class = (_lowest_default(attrs),)
        return self._default_class[0]

    def _admit_new_pod(self, attrs: AdmissionAttributes) -> None:
        spec = attrs.obj.setdefault("spec", {})
        class_name = spec.get("priorityClassName") or ""
        if class_name:
            priority_class = attrs.reader(PRIORITY_CLASSES, None, class_name)
            if priority_class is None:
                raise forbidden(attrs, f"no PriorityClass with name {class_name} was found")
        else:
            priority_class = self.default_class(attrs)
            if priority_class is not None:
                spec["priorityClassName"] = priority_class["metadata"]["name"]
        if priority_class is None:
            priority, policy = DEFAULT_PRIORITY, PREEMPT_LOWER_PRIORITY
        else:
            priority, policy = priority_class.get("value", 0), priority_class.get("preemptionPolicy")
        if spec.get("priority") is not None and spec["priority"] != priority:
            raise forbidden(
                attrs,
                f"the integer value of priority ({spec['priority']}) must not be provided in pod spec; "
                f"priority admission controller computed {priority} from the given PriorityClass name",
            )
        spec["priority"] = priority
        if policy is None:
            return
        if spec.get("preemptionPolicy") is not None and spec["preemptionPolicy"] != policy:
            raise forbidden(
                attrs,
                f"the string value of PreemptionPolicy ({spec['preemptionPolicy']}) must not be provided "
                f"in pod spec; priority admission controller computed {policy} from the given "
                "PriorityClass name",
            )
        spec["preemptionPolicy"] = policy


def _lowest_default(attrs: AdmissionAttributes) -> Optional[dict]:
    listed = attrs.lister(PRIORITY_CLASSES) if attrs.lister is not None else []
    return min((c for c in listed if c.get("globalDefault")), key=lambda c: c.get("value", 0), default=None)


def _keep_priority(pod: dict, old: Optional[dict]) -> None:
    """On update, a pod that omits ``priority``/``preemptionPolicy`` keeps the stored ones."""
    if old is None:
        return
    spec, old_spec = pod.setdefault("spec", {}), old.get("spec") or {}
    for key in ("priority", "preemptionPolicy"):
        if spec.get(key) is None and old_spec.get(key) is not None:
            spec[key] = old_spec[key]


# ---------------------------------------------------------------------------
# DefaultTolerationSeconds
# ---------------------------------------------------------------------------

DEFAULT_TOLERATION_SECONDS = 300


class DefaultTolerationSeconds:
    """The mutation itself is :func:`labkube.core.api.defaults.default_toleration_seconds`."""

    name = "DefaultTolerationSeconds"

    def __init__(self, seconds: int = DEFAULT_TOLERATION_SECONDS) -> None:
        self.seconds = seconds

    handles = staticmethod(ServiceAccountAdmission.handles)  # new pods only

    def admit(self, attrs: AdmissionAttributes) -> None:
        if attrs.operation != CREATE or not attrs.is_pod():
            return
        defaults.default_toleration_seconds(attrs.obj, self.seconds)


def default_chain(require_service_account: bool = True) -> AdmissionChain:
    """kube-apiserver's default plugins that matter for the foundation's kinds, in its order."""
    from labkube.core.api import admission_storage as storage  # it builds on this module

    return AdmissionChain(
        (
            NamespaceLifecycle(),
            ServiceAccountAdmission(require_existing=require_service_account),
            PriorityAdmission(),
            DefaultTolerationSeconds(),
            storage.DefaultStorageClass(),
            storage.StorageObjectInUseProtection(),
            storage.PersistentVolumeClaimResize(),
        )
    )
