"""``kubectl create poddisruptionbudget NAME --selector=SELECTOR --min-available=N`` (or
``--max-unavailable=N``; alias ``pdb``): the object it builds.

Mirrors staging/src/k8s.io/kubectl/pkg/cmd/create/create_pdb.go (kubectl 1.32). ``Validate``
refuses, in this order: no ``--selector`` (``a selector must be specified``), neither or both of
the two numbers, and a number that is not ``^[0-9]+%?$`` (``invalid format specified for
min-available``). ``createPodDisruptionBudgets`` then parses the selector with
``metav1.ParseToLabelSelector`` (``=``/``==`` become ``matchLabels``, set and existence
operators ``matchExpressions`` with sorted values; ``!=``, ``gt`` and ``lt`` are refused) and
the number with ``intstr.Parse`` (digits: an integer, else the string). The zero status is part
of the object, as Go prints it.
"""

from __future__ import annotations

import re

from labkube.core.api import labels

_NUMBER_OR_PERCENT = re.compile(r"^[0-9]+%?$")
_EXPRESSION_OPERATORS = {labels.IN: "In", labels.NOT_IN: "NotIn", labels.EXISTS: "Exists",
                         labels.DOES_NOT_EXIST: "DoesNotExist"}


class PDBArgumentError(ValueError):
    """What kubectl refuses before anything is sent (its message is kubectl's)."""


def validate(selector: str, min_available: str, max_unavailable: str) -> None:
    """``PodDisruptionBudgetOpts.Validate``."""
    if not selector:
        raise PDBArgumentError("a selector must be specified")
    if not min_available and not max_unavailable:
        raise PDBArgumentError("one of min-available or max-unavailable must be specified")
    if min_available and max_unavailable:
        raise PDBArgumentError("min-available and max-unavailable cannot be both specified")
    if min_available and not _NUMBER_OR_PERCENT.match(min_available):
        raise PDBArgumentError("invalid format specified for min-available")
    if max_unavailable and not _NUMBER_OR_PERCENT.match(max_unavailable):
        raise PDBArgumentError("invalid format specified for max-unavailable")


def parse_to_label_selector(text: str) -> dict:
    """``metav1.ParseToLabelSelector``: selector text -> a LabelSelector (empty lists omitted)."""
    try:
        requirements = labels._Parser(text).parse()
    except labels.SelectorError as err:
        raise PDBArgumentError(f'couldn\'t parse the selector string "{text}": {err}') from None
    match_labels: dict[str, str] = {}
    expressions: list[dict] = []
    for req in requirements:
        if req.operator in (labels.EQUALS, labels.DOUBLE_EQUALS):
            match_labels[req.key] = req.values[0]
            continue
        if req.operator in (labels.GREATER_THAN, labels.LESS_THAN):
            raise PDBArgumentError(f'"{req.operator}" isn\'t supported in label selectors')
        if req.operator not in _EXPRESSION_OPERATORS:
            raise PDBArgumentError(f'"{req.operator}" is not a valid label selector operator')
        expression: dict = {"key": req.key, "operator": _EXPRESSION_OPERATORS[req.operator]}
        if req.values:
            expression["values"] = sorted(req.values)
        expressions.append(expression)
    selector: dict = {}
    if match_labels:
        selector["matchLabels"] = dict(sorted(match_labels.items()))  # a Go map prints sorted
    if expressions:
        selector["matchExpressions"] = expressions
    return selector


def int_or_string(text: str):
    """``intstr.Parse``: an integer when the text is one, else the text."""
    return int(text) if text.isdigit() else text


def build_pdb(name: str, selector: str, min_available: str, max_unavailable: str,
              namespace: str | None = None) -> dict:
    """The PodDisruptionBudget kubectl sends, its fields in Go's struct order (``-o json``)."""
    validate(selector, min_available, max_unavailable)
    meta: dict = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    meta["creationTimestamp"] = None
    spec: dict = {}
    if min_available:
        spec["minAvailable"] = int_or_string(min_available)
    spec["selector"] = parse_to_label_selector(selector)
    if max_unavailable and not min_available:
        spec["maxUnavailable"] = int_or_string(max_unavailable)
    return {"kind": "PodDisruptionBudget", "apiVersion": "policy/v1", "metadata": meta, "spec": spec,
            "status": {"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0}}
