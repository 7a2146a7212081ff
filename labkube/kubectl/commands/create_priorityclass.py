"""``kubectl create priorityclass NAME [--value=VALUE] [--global-default] [--description=TEXT]
[--preemption-policy=POLICY]`` (alias ``pc``): the object it builds.

Mirrors staging/src/k8s.io/kubectl/pkg/cmd/create/create_priorityclass.go (kubectl 1.32):
``value`` is always sent (0 when ``--value`` is not given), ``globalDefault`` only when true and
``description`` only when not empty (both omitempty), ``preemptionPolicy`` always (the flag
defaults to ``PreemptLowerPriority``). kubectl checks none of them: the API server refuses a
value above 1,000,000,000, an unknown policy, or a second default class.
"""

from __future__ import annotations


def build_priority_class(name: str, value: int, global_default: bool, description: str,
                         preemption_policy: str) -> dict:
    """The PriorityClass ``kubectl create priorityclass`` sends (``creationTimestamp: null``)."""
    obj: dict = {  # Go's field order, which -o json keeps
        "kind": "PriorityClass",
        "apiVersion": "scheduling.k8s.io/v1",
        "metadata": {"name": name, "creationTimestamp": None},
        "value": value,
    }
    if global_default:
        obj["globalDefault"] = True
    if description:
        obj["description"] = description
    obj["preemptionPolicy"] = preemption_policy
    return obj
