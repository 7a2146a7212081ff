"""CustomResourceDefinitions (apiextensions.k8s.io/v1).

Mirrors staging/src/k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation/
validation.go of Kubernetes 1.32 (``ValidateCustomResourceDefinition``,
``validateCustomResourceDefinitionSpec``, ``ValidateCustomResourceDefinitionNames``,
``ValidateCustomResourceDefinitionStoredVersions``, ``ValidateCustomResourceColumnDefinition``,
``ValidateCustomResourceDefinitionSubresources``, ``validateAPIApproval``,
``validatePreserveUnknownFields`` and the update rules).

kube-apiserver validates the *internal* CRD, converted from v1. That conversion moves a schema,
subresources or printer columns that every version shares to the top level
(``spec.validation``, ``spec.subresources``, ``spec.additionalPrinterColumns``), which is why a
one-version CRD's schema errors are reported at ``spec.validation.openAPIV3Schema...`` although
the student wrote ``spec.versions[0].schema``. :func:`internal_view` does that move.

The schema itself (structural rules, forbidden keywords, defaults) is checked by
:func:`labkube.core.api.crd_schema.validate_schema`, the apiextensions schema engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from labkube.core.api import crd_schema
from labkube.core.api.validation import meta, names
from labkube.core.errors import FieldError, GoText, go_quote

SCOPES = ("Cluster", "Namespaced")
CONVERSION_STRATEGIES = ("None", "Webhook")
PRINTER_COLUMN_TYPES = ("boolean", "date", "integer", "number", "string")  # sets.List: sorted
PRINTER_COLUMN_FORMATS = ("byte", "date", "date-time", "double", "float", "int32", "int64", "password")
APPROVAL_ANNOTATION = "api-approved.kubernetes.io"
NAME_MISMATCH = 'must be spec.names.plural+"."+spec.group'


@dataclass
class InternalSpec:
    """The parts of the internal CRD spec whose paths differ from v1's."""

    validation: Optional[dict] = None  # the shared {"openAPIV3Schema": ...}, or None
    subresources: Optional[dict] = None
    columns: list = field(default_factory=list)
    per_version_schema: bool = True
    per_version_subresources: bool = True
    per_version_columns: bool = True


def internal_view(spec: dict) -> InternalSpec:
    """``Convert_v1_CustomResourceDefinitionSpec_To_apiextensions_...``: what every version
    shares moves to the top level."""
    versions = [v for v in spec.get("versions") or [] if isinstance(v, dict)]
    view = InternalSpec()
    if not versions:
        return view
    first = versions[0]
    if all(v.get("schema") == first.get("schema") for v in versions):
        view.validation, view.per_version_schema = first.get("schema"), False
    if all(v.get("subresources") == first.get("subresources") for v in versions):
        view.subresources, view.per_version_subresources = first.get("subresources"), False
    if all((v.get("additionalPrinterColumns") or []) == (first.get("additionalPrinterColumns") or [])
           for v in versions):
        view.columns, view.per_version_columns = first.get("additionalPrinterColumns") or [], False
    return view


def validate_custom_resource_definition(obj: dict, old: dict | None = None) -> list[FieldError]:
    """``ValidateCustomResourceDefinition`` (``...Update`` when ``old`` is given)."""
    spec = obj.get("spec") or {}
    crd_meta = obj.get("metadata") or {}
    if old is None:
        errs = meta.validate_object_meta(crd_meta, False, _name_rule(spec))
    else:
        errs = meta.validate_object_meta_update(crd_meta, old.get("metadata"))
    errs.extend(validate_spec(spec, "spec"))
    if old is not None:
        errs.extend(_spec_update(spec, old.get("spec") or {}, is_established(old)))
    status = obj.get("status") or {}
    errs.extend(validate_names(status.get("acceptedNames") or {}, "status.acceptedNames"))
    errs.extend(validate_stored_versions(status.get("storedVersions"), spec.get("versions") or []))
    errs.extend(_api_approval(crd_meta, spec, old))
    errs.extend(_preserve_unknown_fields(spec, old))
    return errs


def validate_custom_resource_definition_status(obj: dict, old: dict) -> list[FieldError]:
    """``ValidateUpdateCustomResourceDefinitionStatus``."""
    errs = meta.validate_object_meta_update(obj.get("metadata"), old.get("metadata"))
    status = obj.get("status") or {}
    errs.extend(validate_names(status.get("acceptedNames") or {}, "status.acceptedNames"))
    return errs


def is_established(crd: dict) -> bool:
    return condition_true(crd, "Established")


def condition_true(crd: dict, kind: str) -> bool:
    for cond in (crd.get("status") or {}).get("conditions") or ():
        if cond.get("type") == kind:
            return cond.get("status") == "True"
    return False


def _name_rule(spec: dict):
    names_ = spec.get("names") or {}
    required = f"{names_.get('plural', '')}.{spec.get('group', '')}"

    def rule(name: str, prefix: bool) -> list[str]:
        msgs = list(names.name_is_dns_subdomain(name, prefix))
        if name != required:
            msgs.append(NAME_MISMATCH)
        return msgs

    return rule


# -- spec ----------------------------------------------------------------------------


def validate_spec(spec: dict, path: str) -> list[FieldError]:
    """``validateCustomResourceDefinitionSpec`` with the options of a v1 create."""
    internal = internal_view(spec)
    errs = _group(spec.get("group", ""), f"{path}.group")
    errs.extend(_enum(spec.get("scope", ""), SCOPES, f"{path}.scope"))
    errs.extend(_schemas_required(spec, internal, path))
    versions = [v if isinstance(v, dict) else {} for v in spec.get("versions") or []]
    errs.extend(_versions(versions, internal, path))
    errs.extend(_required_names(spec.get("names") or {}, f"{path}.names"))
    errs.extend(validate_names(spec.get("names") or {}, f"{path}.names"))
    errs.extend(_validation(internal.validation, internal.subresources, f"{path}.validation"))
    errs.extend(_subresources(internal.subresources, f"{path}.subresources"))
    for i, column in enumerate(internal.columns):
        errs.extend(_column(column, f"{path}.additionalPrinterColumns[{i}]"))
    errs.extend(_conversion(spec.get("conversion"), f"{path}.conversion"))
    return errs


def _group(group: str, path: str) -> list[FieldError]:
    if not group:
        return [FieldError.required(path)]
    msgs = names.is_dns1123_subdomain(group)
    if msgs:
        return [FieldError.invalid(path, group, ",".join(msgs))]
    if len(group.split(".")) < 2:
        return [FieldError.invalid(path, group, "should be a domain with at least one dot")]
    return []


def _enum(value: str, accepted: tuple, path: str) -> list[FieldError]:
    """``validateEnumStrings`` (required)."""
    if not value:
        return [FieldError.required(path)]
    if value not in accepted:
        return [FieldError.not_supported(path, value, accepted)]
    return []


def _schemas_required(spec: dict, internal: InternalSpec, path: str) -> list[FieldError]:
    """``requireOpenAPISchema``: every version has a schema (or the shared top-level one)."""
    if internal.validation and internal.validation.get("openAPIV3Schema") is not None:
        return []
    errs = []
    for i, version in enumerate(spec.get("versions") or []):
        schema = (version.get("schema") or {}) if isinstance(version, dict) else {}
        if schema.get("openAPIV3Schema") is None:
            errs.append(FieldError.required(f"{path}.versions[{i}].schema.openAPIV3Schema"))
    return errs


def _versions(versions: list[dict], internal: InternalSpec, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    storage_count, seen, unique = 0, set(), True
    for i, version in enumerate(versions):
        storage_count += 1 if version.get("storage") else 0
        name = version.get("name", "")
        unique = unique and name not in seen
        seen.add(name)
        msgs = names.is_dns1035_label(name)
        if msgs:
            errs.append(FieldError.invalid(f"{path}.versions[{i}].name", name, ",".join(msgs)))
        errs.extend(_version(version, internal, f"{path}.versions[{i}]"))
    if not unique:
        errs.append(meta.invalid_go(f"{path}.versions", versions, go_versions(versions, internal),
                                    "must contain unique version names"))
    if storage_count != 1:
        errs.append(meta.invalid_go(f"{path}.versions", versions, go_versions(versions, internal),
                                    "must have exactly one version marked as storage version"))
    if versions and versions[0].get("name"):  # the internal spec.version is versions[0].name
        msgs = names.is_dns1035_label(versions[0]["name"])
        if msgs:
            errs.append(FieldError.invalid(f"{path}.version", versions[0]["name"], ",".join(msgs)))
    return errs


def _version(version: dict, internal: InternalSpec, path: str) -> list[FieldError]:
    """``validateCustomResourceDefinitionVersion``: what stays per version."""
    errs: list[FieldError] = []
    warning = version.get("deprecationWarning")
    if warning is not None:
        if not version.get("deprecated"):
            errs.append(FieldError.invalid(f"{path}.deprecationWarning", warning,
                                           "can only be set for deprecated versions"))
        elif len(warning) > 256:
            errs.append(FieldError.invalid(f"{path}.deprecationWarning", warning, "must be <= 256 characters long"))
        elif not warning:
            errs.append(FieldError.invalid(f"{path}.deprecationWarning", warning, "must not be an empty string"))
    if internal.per_version_schema:
        errs.extend(_validation(version.get("schema"), version.get("subresources") if
                                internal.per_version_subresources else internal.subresources,
                                f"{path}.schema"))
    if internal.per_version_subresources:
        errs.extend(_subresources(version.get("subresources"), f"{path}.subresources"))
    if internal.per_version_columns:
        for i, column in enumerate(version.get("additionalPrinterColumns") or []):
            errs.extend(_column(column, f"{path}.additionalPrinterColumns[{i}]"))
    return errs


def _required_names(names_: dict, path: str) -> list[FieldError]:
    return [FieldError.required(f"{path}.{key}") for key in ("plural", "singular", "kind", "listKind")
            if not names_.get(key)]


def validate_names(names_: dict, path: str) -> list[FieldError]:
    """``ValidateCustomResourceDefinitionNames`` (spec.names and status.acceptedNames)."""
    errs: list[FieldError] = []
    for key in ("plural", "singular"):
        value = names_.get(key) or ""
        msgs = names.is_dns1035_label(value) if value else []
        if msgs:
            errs.append(FieldError.invalid(f"{path}.{key}", value, ",".join(msgs)))
    for key in ("kind", "listKind"):
        value = names_.get(key) or ""
        msgs = names.is_dns1035_label(value.lower()) if value else []
        if msgs:
            errs.append(FieldError.invalid(f"{path}.{key}", value,
                                           "may have mixed case, but should otherwise match: " + ",".join(msgs)))
    for i, short in enumerate(names_.get("shortNames") or []):
        msgs = names.is_dns1035_label(short)
        if msgs:
            errs.append(FieldError.invalid(f"{path}.shortNames[{i}]", short, ",".join(msgs)))
    if names_.get("kind") and names_.get("kind") == names_.get("listKind"):
        errs.append(FieldError.invalid(f"{path}.listKind", names_["listKind"], "kind and listKind may not be the same"))
    for i, category in enumerate(names_.get("categories") or []):
        msgs = names.is_dns1035_label(category)
        if msgs:
            errs.append(FieldError.invalid(f"{path}.categories[{i}]", category, ",".join(msgs)))
    return errs


def _validation(validation: Optional[dict], subresources: Optional[dict], path: str) -> list[FieldError]:
    """``validateCustomResourceDefinitionValidation``: the schema of one version (or all)."""
    schema = (validation or {}).get("openAPIV3Schema")
    if schema is None:
        return []
    errs: list[FieldError] = []
    if (subresources or {}).get("status") is not None and "type" in schema and schema.get("type") != "object":
        errs.append(FieldError.invalid(f"{path}.openAPIV3Schema.type", schema.get("type"),
                                       'only "object" is allowed as the type at the root of the schema '
                                       "if the status subresource is enabled"))
    if schema.get("nullable"):
        errs.append(FieldError.forbidden(f"{path}.openAPIV3Schema.nullable", "nullable cannot be true at the root"))
    errs.extend(crd_schema.validate_schema(schema, f"{path}.openAPIV3Schema"))
    return errs


# -- subresources and printer columns ------------------------------------------------


def _subresources(subresources: Optional[dict], path: str) -> list[FieldError]:
    """``ValidateCustomResourceDefinitionSubresources``: the scale paths."""
    scale = (subresources or {}).get("scale")
    if scale is None:
        return []
    errs: list[FieldError] = []
    spec_path = scale.get("specReplicasPath", "")
    where = f"{path}.scale.specReplicasPath"
    if not spec_path:
        errs.append(FieldError.required(where))
    else:
        simple = simple_json_path(spec_path, where)
        if simple:
            errs.extend(simple)
        elif not spec_path.startswith(".spec."):
            errs.append(FieldError.invalid(where, spec_path, "should be a json path under .spec"))
    for key, required in (("statusReplicasPath", True), ("labelSelectorPath", False)):
        value = scale.get(key, "")
        where = f"{path}.scale.{key}"
        if not value:
            if required:
                errs.append(FieldError.required(where))
            continue
        simple = simple_json_path(value, where)
        if simple:
            errs.extend(simple)
        elif not (value.startswith(".spec.") or value.startswith(".status.")):
            errs.append(FieldError.invalid(where, value, "should be a json path under either .spec or .status"))
    return errs


def simple_json_path(text: str, path: str) -> list[FieldError]:
    """``validateSimpleJSONPath``."""
    if not text:
        return [FieldError.invalid(path, text, "must not be empty")]
    if text[0] != ".":
        return [FieldError.invalid(path, text, "must be a simple json path starting with .")]
    return []


def _column(column: dict, path: str) -> list[FieldError]:
    """``ValidateCustomResourceColumnDefinition``."""
    errs: list[FieldError] = []
    if not column.get("name"):
        errs.append(FieldError.required(f"{path}.name"))
    kinds = ",".join(PRINTER_COLUMN_TYPES)
    kind = column.get("type", "")
    if not kind:
        errs.append(FieldError.required(f"{path}.type", f"must be one of {kinds}"))
    elif kind not in PRINTER_COLUMN_TYPES:
        errs.append(FieldError.invalid(f"{path}.type", kind, f"must be one of {kinds}"))
    fmt = column.get("format", "")
    if fmt and fmt not in PRINTER_COLUMN_FORMATS:
        errs.append(FieldError.invalid(f"{path}.format", fmt, "must be one of " + ",".join(PRINTER_COLUMN_FORMATS)))
    json_path = column.get("jsonPath", "")
    if not json_path:
        errs.append(FieldError.required(f"{path}.JSONPath"))
    else:
        errs.extend(simple_json_path(json_path, f"{path}.JSONPath"))
    return errs


def _conversion(conversion: Optional[dict], path: str) -> list[FieldError]:
    """``validateCustomResourceConversion`` (labkube serves one version at a time: a webhook is
    accepted as written but never called)."""
    if conversion is None:
        return []
    errs = _enum(conversion.get("strategy", ""), CONVERSION_STRATEGIES, f"{path}.strategy")
    if conversion.get("strategy") == "Webhook":
        if conversion.get("webhook") is None:
            errs.append(FieldError.required(f"{path}.webhookClientConfig", "required when strategy is set to Webhook"))
    elif conversion.get("webhook") is not None:
        errs.append(FieldError.forbidden(f"{path}.webhookClientConfig",
                                         "should not be set when strategy is not set to Webhook"))
    return errs


# -- status, approval, update --------------------------------------------------------


def validate_stored_versions(stored: Optional[list], versions: list) -> list[FieldError]:
    """``ValidateCustomResourceDefinitionStoredVersions``."""
    path = "status.storedVersions"
    if not stored:
        return [meta.invalid_go(path, stored, meta.go_string_slice(stored), "must have at least one stored version")]
    errs: list[FieldError] = []
    remaining = {name: i for i, name in enumerate(stored)}
    for version in versions:
        name = version.get("name", "") if isinstance(version, dict) else ""
        if version.get("storage") and name not in remaining:
            errs.append(meta.invalid_go(path, stored, meta.go_string_slice(stored),
                                        "must have the storage version " + name))
        remaining.pop(name, None)
    for name, i in sorted(remaining.items(), key=lambda item: item[1]):
        errs.append(FieldError.invalid(
            f"{path}[{i}]", name,
            f"missing from spec.versions; {name} was previously a storage version, and must remain in "
            f"spec.versions until a storage migration ensures no data remains persisted in {name} and "
            f"removes {name} from status.storedVersions"))
    return errs


def _protected_group(group: str) -> bool:
    return group in ("k8s.io", "kubernetes.io") or group.endswith(".k8s.io") or group.endswith(".kubernetes.io")


def _api_approval(crd_meta: dict, spec: dict, old: Optional[dict]) -> list[FieldError]:
    """``validateAPIApproval``: protected groups need the approval annotation."""
    if not _protected_group(spec.get("group", "")):
        return []
    if old is not None and APPROVAL_ANNOTATION not in ((old.get("metadata") or {}).get("annotations") or {}):
        return []  # ``apiApprovalBypassed``-style: an existing unapproved CRD keeps its state
    if (crd_meta.get("annotations") or {}).get(APPROVAL_ANNOTATION):
        return []
    return [FieldError.required(
        f"metadata.annotations[{APPROVAL_ANNOTATION}]",
        f'protected groups must have approval annotation "{APPROVAL_ANNOTATION}", '
        "see https://github.com/kubernetes/enhancements/pull/1111")]


def _preserve_unknown_fields(spec: dict, old: Optional[dict]) -> list[FieldError]:
    """``validatePreserveUnknownFields``: v1 refuses ``spec.preserveUnknownFields: true``."""
    if not spec.get("preserveUnknownFields"):
        return []
    if old is not None and (old.get("spec") or {}).get("preserveUnknownFields"):
        return []
    return [FieldError.invalid("spec.preserveUnknownFields", True,
                               "cannot set to true, set x-kubernetes-preserve-unknown-fields to true in "
                               "spec.versions[*].schema instead")]


def _spec_update(spec: dict, old_spec: dict, established: bool) -> list[FieldError]:
    """``validateCustomResourceDefinitionSpecUpdate``: what an update may not change."""
    errs: list[FieldError] = []
    if established:
        errs.extend(meta.immutable(spec.get("scope"), old_spec.get("scope"), "spec.scope"))
        errs.extend(meta.immutable((spec.get("names") or {}).get("kind"), (old_spec.get("names") or {}).get("kind"),
                                   "spec.names.kind"))
    errs.extend(meta.immutable(spec.get("group"), old_spec.get("group"), "spec.group"))
    errs.extend(meta.immutable((spec.get("names") or {}).get("plural"), (old_spec.get("names") or {}).get("plural"),
                               "spec.names.plural"))
    return errs


# -- Go renderings -------------------------------------------------------------------

_ADDRESS = "0xc000a1e000"  # a pointer as %#v prints one; its value is the process's business


def go_versions(versions: list[dict], internal: InternalSpec) -> GoText:
    """``%#v`` of the internal ``[]apiextensions.CustomResourceDefinitionVersion``."""
    if not versions and not isinstance(versions, list):
        return GoText("[]apiextensions.CustomResourceDefinitionVersion(nil)")
    items = ", ".join(_go_version(v, internal) for v in versions)
    return GoText("[]apiextensions.CustomResourceDefinitionVersion{" + items + "}")


def _go_pointer(type_name: str, present: bool) -> str:
    return f"(*{type_name})({_ADDRESS if present else 'nil'})"


def _go_version(version: dict, internal: InternalSpec) -> str:
    schema = internal.per_version_schema and version.get("schema") is not None
    subresources = internal.per_version_subresources and version.get("subresources") is not None
    columns = internal.per_version_columns and bool(version.get("additionalPrinterColumns"))
    warning = version.get("deprecationWarning")
    parts = [
        f"Name:{go_quote(version.get('name', ''))}",
        f"Served:{_go_bool(version.get('served'))}",
        f"Storage:{_go_bool(version.get('storage'))}",
        f"Deprecated:{_go_bool(version.get('deprecated'))}",
        "DeprecationWarning:" + _go_pointer("string", warning is not None),
        "Schema:" + _go_pointer("apiextensions.CustomResourceValidation", schema),
        "Subresources:" + _go_pointer("apiextensions.CustomResourceSubresources", subresources),
        "AdditionalPrinterColumns:[]apiextensions.CustomResourceColumnDefinition"
        + ("{...}" if columns else "(nil)"),
        "SelectableFields:[]apiextensions.SelectableField(nil)",
    ]
    return "apiextensions.CustomResourceDefinitionVersion{" + ", ".join(parts) + "}"


def _go_bool(value: Any) -> str:
    return "true" if value else "false"

