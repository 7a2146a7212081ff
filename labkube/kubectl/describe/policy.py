"""``kubectl describe poddisruptionbudget``.

Mirrors describePodDisruptionBudgetV1 in k8s.io/kubectl/pkg/describe/describe.go (kubectl
1.32): name, namespace, ``Min available`` or else ``Max unavailable``, the selector
(``<unset>`` when there is none, ``<none>`` when it is empty), the four status counts and the
events::

    Name:           web
    Namespace:      default
    Min available:  2
    Selector:       app=web
    Status:
        Allowed disruptions:  1
        Current:              3
        Desired:              2
        Total:                3
    Events:                   <none>
"""

from __future__ import annotations

from labkube.kubectl.describe.writer import PrefixWriter, describe_events
from labkube.kubectl.printers.format import format_label_selector


def describe_pod_disruption_budget(pdb: dict, events: list[dict] | None, now: float) -> str:
    meta, spec, status = pdb.get("metadata") or {}, pdb.get("spec") or {}, pdb.get("status") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    if spec.get("minAvailable") is not None:
        w.write(0, f"Min available:\t{spec['minAvailable']}\n")
    elif spec.get("maxUnavailable") is not None:
        w.write(0, f"Max unavailable:\t{spec['maxUnavailable']}\n")
    if spec.get("selector") is not None:
        w.write(0, f"Selector:\t{format_label_selector(spec['selector'])}\n")
    else:
        w.write(0, "Selector:\t<unset>\n")
    w.write(0, "Status:\n")
    w.write(2, f"Allowed disruptions:\t{status.get('disruptionsAllowed', 0)}\n")
    w.write(2, f"Current:\t{status.get('currentHealthy', 0)}\n")
    w.write(2, f"Desired:\t{status.get('desiredHealthy', 0)}\n")
    w.write(2, f"Total:\t{status.get('expectedPods', 0)}\n")
    describe_events(w, events, now)
    return w.text()
