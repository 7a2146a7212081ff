"""Custom resources: the kinds a CustomResourceDefinition adds to one cluster's API.

Mirrors k8s.io/apiextensions-apiserver/pkg/apiserver/customresource_handler.go (the
``crdHandler`` and the per-CRD ``crdInfo`` it builds) and pkg/registry/customresource
(validator.go): for each served version of an established CRD the API server serves a resource
named by the CRD's *accepted* names, whose objects are

* decoded by the request's field validation: a field the version's schema does not declare is
  refused as kube-apiserver refuses it with ``fieldValidation=Strict`` (kubectl's default) --
  ``CronTab in version "v1" cannot be handled as a CronTab: strict decoding error: unknown
  field "spec.someRandomField"`` -- and pruned with a warning each under ``Warn`` (the
  server's default), silently under ``Ignore``;
* defaulted from the schema's ``default`` keywords;
* validated: ObjectMeta as for every kind (names are DNS subdomains), then the object against
  the schema (``spec.replicas: Invalid value: 15: spec.replicas in body should be less than or
  equal to 10``).

The schema work itself is :mod:`labkube.core.api.crd_schema` (the apiextensions schema
engine); this module decides when it runs. A :class:`CustomResourceType` is a
:class:`~labkube.core.api.resources.ResourceType` that also carries what its CRD version
declares (schema, subresources, printer columns), so that the server, kubectl's printers and
the controllers find everything about a custom resource in the one object the registry hands
them. These types live in the cluster's own registry (``Cluster.registry``), never in module
globals: two clusters in one kernel may define different CRDs.

Strategic merge patch is refused for custom resources (415), as kube-apiserver refuses it: a
custom resource has no Go struct to read patch merge keys from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from labkube.core import errors, serialization
from labkube.core.api import crd_schema, decode
from labkube.core.api.resources import ResourceType, STANDARD_VERBS
from labkube.core.api.validation import meta, names
from labkube.core.errors import FieldError

#: kube-apiserver's answer to a strategic merge patch of a custom resource.
STRATEGIC_MERGE_REFUSED = (
    "the body of the request was in an unknown format - accepted media types include: "
    "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
)

_OBJECT_META = "meta.v1.ObjectMeta"


@dataclass(frozen=True)
class CustomResourceType(ResourceType):
    """One served version of one CRD, named by its accepted names."""

    #: ``metadata.name`` and ``metadata.uid`` of the CRD that defines it.
    crd_name: str = ""
    crd_uid: str = ""
    #: The version's ``openAPIV3Schema`` (a structural schema).
    schema: Any = field(default=None, compare=False, hash=False)
    #: The version's ``subresources.scale`` (specReplicasPath, statusReplicasPath, labelSelectorPath).
    scale: Any = field(default=None, compare=False, hash=False)
    #: The version's ``additionalPrinterColumns``.
    printer_columns: Any = field(default=(), compare=False, hash=False)
    #: The CRD is being deleted: new objects are refused (see CustomResourceStrategy).
    terminating: bool = False
    #: The CRD's storage version: objects of every served version are stored in it.
    storage_version: str = ""

    # -- what the server asks ---------------------------------------------------------
    def decode(self, obj: dict, directive: str = decode.STRICT, warnings: Optional[list] = None) -> None:
        """Decoding, defaulting and pruning of a request body, in place; unknown fields are
        refused, warned about or dropped silently as ``directive`` (the request's
        ``fieldValidation``) says (see :func:`decode.handle_unknown_fields`)."""
        metadata = obj.get("metadata")
        unknown = _decode_metadata(self, metadata) if isinstance(metadata, dict) else []
        defaulted = crd_schema.apply_defaults(obj, self.schema)
        unknown.extend(path for path in crd_schema.unknown_fields(defaulted, self.schema)
                       if not path.startswith("metadata."))
        decode.handle_unknown_fields(unknown, directive, warnings, self._cannot_handle())
        pruned = crd_schema.prune(defaulted, self.schema)
        obj.clear()
        obj.update(pruned)

    def validate(self, obj: dict, old: Optional[dict] = None) -> list[FieldError]:
        """``customResourceValidator.Validate`` / ``ValidateUpdate``."""
        if old is None:
            errs = meta.validate_object_meta(obj.get("metadata"), self.namespaced, names.name_is_dns_subdomain)
        else:
            errs = meta.validate_object_meta_update(obj.get("metadata"), old.get("metadata"))
        errs.extend(crd_schema.validate(obj, self.schema))
        errs.extend(self._validate_scale(obj))
        return errs

    # -- conversion (strategy None: only apiVersion changes) ----------------------------
    def to_storage(self, obj: dict) -> dict:
        """``nopConverter``: an object of a served version is stored in the storage version."""
        if self.storage_version and self.version != self.storage_version:
            obj["apiVersion"] = f"{self.group}/{self.storage_version}"
        return obj

    def from_storage(self, obj: dict) -> dict:
        """A stored object as this version serves it (a new dict when it differs: stored
        objects are shared by readers)."""
        if obj.get("apiVersion", self.api_version) == self.api_version:
            return obj
        return {key: (self.api_version if key == "apiVersion" else value) for key, value in obj.items()}

    def refuse_patch_type(self, patch_type: str) -> None:
        if patch_type == "strategic":
            raise errors.unsupported_media_type(STRATEGIC_MERGE_REFUSED)

    # -- the scale subresource (pkg/registry/customresource/etcd.go) --------------------
    def scale_from(self, obj: dict) -> dict:
        """``scaleFromCustomResource``: an autoscaling/v1 Scale read at the CRD's paths
        (missing replicas read as 0, a missing selector as "")."""
        scale = self.scale or {}
        obj_meta = obj["metadata"]
        spec_replicas, _ = json_path_value(obj, scale.get("specReplicasPath", ""))
        status_replicas, _ = json_path_value(obj, scale.get("statusReplicasPath", ""))
        selector, _ = json_path_value(obj, scale.get("labelSelectorPath", "")) if scale.get(
            "labelSelectorPath") else ("", False)
        status = {"replicas": _int(status_replicas)}
        if isinstance(selector, str) and selector:
            status["selector"] = selector
        return {
            "kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": {key: obj_meta[key] for key in ("name", "namespace", "uid", "resourceVersion",
                                                        "creationTimestamp") if key in obj_meta},
            "spec": {"replicas": _int(spec_replicas)} if _int(spec_replicas) else {},
            "status": status,
        }

    def set_replicas(self, obj: dict, replicas: int) -> dict:
        """``scaleUpdatedObjectInfo``: the replicas written at ``specReplicasPath``."""
        parts = [p for p in (self.scale or {}).get("specReplicasPath", "").split(".") if p]
        target = obj
        for part in parts[:-1]:
            if not isinstance(target.get(part), dict):
                target[part] = {}
            target = target[part]
        if parts:
            target[parts[-1]] = replicas
        return obj

    # -- helpers ----------------------------------------------------------------------
    def _cannot_handle(self) -> str:
        return f'{self.kind} in version "{self.version}" cannot be handled as a {self.kind}: '

    def _validate_scale(self, obj: dict) -> list[FieldError]:
        """``ValidateScaleSpec`` and ``ValidateScaleStatus``: the replicas at the scale paths
        must be int32s, the label selector a string."""
        if not self.scale:
            return []
        errs: list[FieldError] = []
        for key, kind in (("specReplicasPath", "int64"), ("statusReplicasPath", "int64"),
                          ("labelSelectorPath", "string")):
            path = self.scale.get(key) or ""
            value, found = json_path_value(obj, path)
            if not path or not found:
                continue
            where = path.lstrip(".")
            if kind == "string":
                if not isinstance(value, str):
                    errs.append(FieldError.invalid(where, "", _accessor_error(path, value, "string")))
            elif not isinstance(value, int) or isinstance(value, bool):
                errs.append(FieldError.invalid(where, 0, _accessor_error(path, value, "int64")))
            elif value < 0:
                errs.append(FieldError.invalid(where, value, "should be a non-negative integer"))
            elif value > 2**31 - 1:
                errs.append(FieldError.invalid(where, value, "should be less than or equal to 2147483647"))
        return errs


def _accessor_error(path: str, value: Any, wanted: str) -> str:
    """unstructured.NestedInt64/NestedString's error text."""
    go_types = {str: "string", bool: "bool", int: "int64", float: "float64", dict: "map[string]interface {}",
                list: "[]interface {}"}
    shown = value if isinstance(value, str) else errors.go_value(value)  # Go's %v
    return (f"{path} accessor error: {shown} is of the type {go_types.get(type(value), 'interface {}')}, "
            f"expected {wanted}")


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _decode_metadata(rtype: CustomResourceType, metadata: dict) -> list[str]:
    """ObjectMeta of an unstructured object: wrong types refused as the decoder words them,
    unknown fields returned (``metadata.foo``)."""
    unknown: list[str] = []
    try:
        decode._decode_model(metadata, _OBJECT_META, "metadata", "metadata", unknown)
    except decode._TypeError as err:
        raise errors.bad_request(rtype._cannot_handle() + str(err)) from None
    return unknown


def json_path_value(obj: Any, path: str) -> tuple[Any, bool]:
    """The value at a simple JSON path such as ``.spec.replicas`` (and whether it exists)."""
    current = obj
    for part in [p for p in path.split(".") if p]:
        if not isinstance(current, dict) or part not in current:
            return None, False
        current = current[part]
    return current, True


# -- the published OpenAPI schema (pkg/controller/openapi/builder) --------------------

OBJECT_META_REF = "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"


def published_schema(rtype: "CustomResourceType") -> dict:
    """The OpenAPI v3 schema the API server publishes for one version (what ``kubectl explain``
    reads): the CRD's schema with ``apiVersion``, ``kind`` and ``metadata`` (a reference to
    ObjectMeta) described as for every kind, and the group/version/kind extension."""
    from labkube.core.api import schema as builtin  # the built-in kinds' descriptions

    type_meta = builtin.fields(builtin.kind_type("v1", "Pod"))
    published = serialization.copy(rtype.schema or {"type": "object"})
    properties = published.setdefault("properties", {})
    properties["apiVersion"] = {"type": "string", "description": type_meta["apiVersion"].description}
    properties["kind"] = {"type": "string", "description": type_meta["kind"].description}
    properties["metadata"] = {"description": type_meta["metadata"].description,
                              "allOf": [{"$ref": OBJECT_META_REF}]}
    published["x-kubernetes-group-version-kind"] = [
        {"group": rtype.group, "kind": rtype.kind, "version": rtype.version}]
    return published


# -- building the types from a CRD ---------------------------------------------------


def resource_types(crd: dict) -> list[CustomResourceType]:
    """One :class:`CustomResourceType` per served version, named by ``status.acceptedNames``."""
    spec = crd.get("spec") or {}
    accepted = (crd.get("status") or {}).get("acceptedNames") or {}
    group = spec.get("group", "")
    plural = accepted.get("plural", "")
    terminating = _condition_true(crd, "Terminating") or bool(crd["metadata"].get("deletionTimestamp"))
    types = []
    for version in spec.get("versions") or ():
        if not version.get("served"):
            continue
        subresources = version.get("subresources") or {}
        types.append(CustomResourceType(
            group, version.get("name", ""), accepted.get("kind", ""), plural, accepted.get("singular", ""),
            spec.get("scope") == "Namespaced", tuple(accepted.get("shortNames") or ()),
            tuple(accepted.get("categories") or ()), STANDARD_VERBS,
            tuple(name for name in ("status", "scale") if subresources.get(name) is not None),
            storage_resource=f"{group}/{plural}",
            crd_name=crd["metadata"]["name"], crd_uid=crd["metadata"].get("uid", ""),
            schema=serialization.copy((version.get("schema") or {}).get("openAPIV3Schema") or {}),
            scale=serialization.copy(subresources.get("scale")) if subresources.get("scale") else None,
            printer_columns=tuple(serialization.copy(version.get("additionalPrinterColumns") or [])),
            terminating=terminating, storage_version=_storage_version(spec),
        ))
    return types


def _storage_version(spec: dict) -> str:
    return next((v.get("name", "") for v in spec.get("versions") or () if v.get("storage")), "")


def _condition_true(crd: dict, kind: str) -> bool:
    return any(c.get("type") == kind and c.get("status") == "True"
               for c in (crd.get("status") or {}).get("conditions") or ())


def is_custom(rtype: Any) -> bool:
    return isinstance(rtype, CustomResourceType)
