"""OpenAPI v3 structural schemas for CustomResourceDefinitions: the schema engine's front door.

Mirrors k8s.io/apiextensions-apiserver (Kubernetes 1.32) and the kube-openapi validator it uses.
Five functions, each a step kube-apiserver takes with a CRD's ``openAPIV3Schema``:

* :func:`validate_schema` — the CRD's own schema (``ValidateStructural``, ``ValidateDefaults``,
  ``ValidateCustomResourceDefinitionOpenAPISchema``), see :mod:`~labkube.core.api.crd_schema_checks`;
* :func:`validate` — a custom resource against it (``ValidateCustomResource``), see
  :mod:`~labkube.core.api.crd_openapi` and :mod:`~labkube.core.api.crd_formats`;
* :func:`unknown_fields`, :func:`prune` — what pruning drops (``PruneWithOptions``), and
  :func:`apply_defaults` — what defaulting fills (``Default``), see
  :mod:`~labkube.core.api.crd_structural`.

How the API server uses them on a create or update of a custom resource: the body is decoded and
pruned (with ``fieldValidation=Strict`` the request is refused when :func:`unknown_fields` is not
empty: ``strict decoding error: unknown field "spec.foo"``), defaulted (:func:`apply_defaults`),
pruned again after conversion (so defaults never leave unknown fields behind), then validated
(:func:`validate`). A worked example::

    schema          {type: object, properties: {spec: {type: object, properties: {
                        replicas: {type: integer, default: 1, maximum: 10},
                        image: {type: string}}}}}
    body            {spec: {image: nginx, colour: blue}}
    unknown_fields  ["spec.colour"]
    prune           {spec: {image: nginx}}
    apply_defaults  {spec: {image: nginx, replicas: 1}}
    validate        []
    ... with {spec: {replicas: 11}}:
        spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10

Not modelled: ``x-kubernetes-validations`` (CEL rules) are accepted in a schema and kept, and
the shape of each rule is checked, but the rules are never compiled or run: a resource that
breaks one is admitted here while a real 1.32 API server refuses it. Validation ratcheting on
update is not modelled either (every update is validated as a create), nor is the coercion of an
embedded resource's ``metadata`` to ObjectMeta.

All five are pure: no cluster, no server; none mutates its arguments; none raises for any JSON
value. A ``None`` schema (a version without one) validates, prunes and defaults nothing.
"""

from __future__ import annotations

import copy

from labkube.core.api import crd_openapi as openapi
from labkube.core.api import crd_schema_checks as checks
from labkube.core.api import crd_structural as structural
from labkube.core.errors import FieldError


def validate_schema(schema: dict, path: str) -> list[FieldError]:
    """The structural-schema and keyword checks of one ``openAPIV3Schema`` of a v1 CRD.

    ``path`` is the field path of the schema itself, e.g.
    ``"spec.versions[0].schema.openAPIV3Schema"``; every returned error's ``field`` starts
    with it, e.g. ``spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required
    value: must not be empty for specified object fields``. Returns ``[]`` for a valid schema.

    Errors come in kube-apiserver's order: the structural errors (sorted, as
    ``ValidateStructural`` sorts them) or, when the schema is structural, the errors of its
    defaults; then ``ValidateCustomResourceDefinitionOpenAPISchema``'s keyword errors. The two
    checks of the root the caller makes itself (``validateCustomResourceDefinitionValidation``:
    ``nullable cannot be true at the root`` and the status-subresource root type) are not
    repeated here.
    """
    if not isinstance(schema, dict):
        return []
    errs: list[FieldError] = []
    if checks.can_be_structural(schema):
        structural_errs = checks.structural_errors(schema, path)
        errs.extend(structural_errs or checks.default_errors(schema, path))
    errs.extend(checks.keyword_errors(schema, path, checks.KeywordContext(), is_root=True))
    return errs


def validate(obj: dict, schema: dict) -> list[FieldError]:
    """A custom resource (the whole object) against its version's ``openAPIV3Schema``.

    Paths have no leading dot and start at the object's root, e.g. ``spec.replicas: Invalid
    value: "string": spec.replicas in body must be of type integer: "string"``. The root's
    ``metadata`` is validated only as far as the schema says (the server validates it as
    ObjectMeta separately); ``apiVersion`` and ``kind`` are implicit. A ``None`` schema
    validates nothing. Never raises, for any JSON value.
    """
    if not isinstance(schema, dict):
        return []
    return openapi.to_field_errors(None, openapi.validate_value(obj, schema, "").errors)


def unknown_fields(obj: dict, schema: dict) -> list[str]:
    """The field paths pruning would drop, as the server names them in ``unknown field "<path>"``
    (e.g. ``"spec.foo"``, ``"spec.items[0].bar"``), sorted as ``PruneWithOptions`` sorts them.

    ``apiVersion``, ``kind`` and ``metadata`` at the root (and in every
    ``x-kubernetes-embedded-resource``) are never unknown; nothing under
    ``x-kubernetes-preserve-unknown-fields: true`` is. A ``None`` schema prunes nothing.
    """
    if not isinstance(schema, dict):
        return []
    found: list[str] = []
    structural.prune_in_place(copy.deepcopy(obj), structural.as_resource_root(schema), "", found)
    return sorted(found)


def prune(obj: dict, schema: dict) -> dict:
    """A copy of ``obj`` without the fields :func:`unknown_fields` lists; ``obj`` is untouched."""
    pruned = copy.deepcopy(obj)
    if isinstance(schema, dict):
        structural.prune_in_place(pruned, structural.as_resource_root(schema), "", [])
    return pruned


def apply_defaults(obj: dict, schema: dict) -> dict:
    """A copy of ``obj`` defaulted as the server's defaulting step does it; ``obj`` is untouched.

    First ``PruneNonNullableNullsWithoutDefaults``: a ``null`` where the schema is not
    ``nullable`` and has no default is dropped. Then ``Default``: every ``default`` of the schema
    is filled in where its field is missing (or ``null`` and not ``nullable``), at every depth,
    including array items and ``additionalProperties``, inside objects that exist (a default
    never creates its parent). Fields that are not null are never removed.
    """
    defaulted = copy.deepcopy(obj)
    if isinstance(schema, dict):
        structural.drop_non_nullable_nulls(defaulted, schema)
        structural.default_in_place(defaulted, schema)
    return defaulted
