"""Node selector terms: does a node's labels (and name) satisfy a ``NodeSelectorTerm``?

Mirrors k8s.io/component-helpers/scheduling/corev1/nodeaffinity, which the scheduler's
NodeAffinity plugin, the kubelet's admission and the volume binder all share:

* a term holds when every ``matchExpressions`` requirement holds against the node's labels and
  every ``matchFields`` requirement against the node's fields, of which only ``metadata.name``
  exists; a term with neither matches nothing;
* operators: ``In``/``NotIn`` (a missing label is "not in"), ``Exists``/``DoesNotExist``, and
  ``Gt``/``Lt`` comparing the value as an integer with the one value given.

Where the node's name is unknown (a PersistentVolume's node affinity checked against labels
only), ``matchFields`` requirements see no field.
"""

from __future__ import annotations

from typing import Optional


def requirement_matches(req: dict, value: Optional[str]) -> bool:
    """One requirement against a label or field value (None: the node has no such key)."""
    operator = req.get("operator")
    values = req.get("values") or ()
    if operator == "In":
        return value is not None and value in values
    if operator == "NotIn":
        return value is None or value not in values
    if operator == "Exists":
        return value is not None
    if operator == "DoesNotExist":
        return value is None
    if operator in ("Gt", "Lt") and value is not None and len(values) == 1:
        try:
            have, want = int(value), int(values[0])
        except ValueError:
            return False
        return have > want if operator == "Gt" else have < want
    return False


def term_matches(term: dict, labels: dict, node_name: Optional[str] = None) -> bool:
    """One NodeSelectorTerm: all matchExpressions and matchFields hold; an empty term matches nothing."""
    expressions = term.get("matchExpressions") or ()
    fields = term.get("matchFields") or ()
    if not expressions and not fields:
        return False
    for req in expressions:
        if not requirement_matches(req, labels.get(req.get("key", ""))):
            return False
    for req in fields:
        value = node_name if req.get("key") == "metadata.name" else None
        if not requirement_matches(req, value):
            return False
    return True


def required_terms_match(required: Optional[dict], labels: dict, node_name: Optional[str] = None) -> bool:
    """A ``requiredDuringScheduling...`` node selector: any of its terms (none given: any node)."""
    if required is None:
        return True
    return any(term_matches(term, labels, node_name) for term in required.get("nodeSelectorTerms") or ())
