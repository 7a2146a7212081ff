"""Explainers: why the scheduler chose a node, and what an object is and why it is in its state.

``SchedulerExplainer`` mirrors what kube-scheduler logs at ``-v=10`` and summarises in a
``FailedScheduling`` event: for one pod, every node it looked at, each Filter plugin's verdict
(the first plugin that rejected a node, with the reasons kube-scheduler prints, e.g.
``node(s) had untolerated taint {node.kubernetes.io/unreachable: }``), each Score plugin's
normalized score times its weight, the total and the winner. The facts come from
``cluster.scheduling_decision(pod)`` (the scheduler's decision record).

``ObjectInspector`` is ``kubectl get -o yaml`` + ``kubectl describe``'s Events + the owner chain,
with a plain-language "why" read from the same fields a person would read:

- Pending: the ``PodScheduled`` condition (reason ``Unschedulable`` and the scheduler's message),
  or the container ``waiting`` reason once it has a node (``ContainerCreating``,
  ``ImagePullBackOff`` …);
- restarted: each container's ``restartCount`` and ``lastState.terminated`` (reason and exit
  code: 137 is SIGKILL, e.g. ``OOMKilled`` or a crash) and the kubelet's probe Events
  (``Unhealthy``: "Liveness probe failed: …");
- not Ready: the ``Ready`` condition's reason and message (``ContainersNotReady``) and readiness
  probe Events;
- who created it: ``metadata.ownerReferences`` (the controller) and the audit record of the
  ``create`` request (user and time).

A Secret's values are masked (``data``, ``stringData`` and the last-applied annotation, which
would otherwise repeat them), as ``kubectl describe secret`` only shows sizes.
Everything is read through the public API; nothing is changed.
"""

from __future__ import annotations

import html
import re
import shlex

import ipywidgets as widgets

from labkube.core.errors import StatusError

MASK = "'******'"
_LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


# -- the scheduler explainer -------------------------------------------------------------------------
def decision_rows(decision) -> list[dict]:
    """One row per evaluated node: filter verdict, per-plugin weighted scores, total, winner."""
    rows = []
    plugins = [c.plugin for c in decision.scores]
    for node in decision.nodes():
        rejection = node.rejection
        row = {
            "node": node.node,
            "feasible": node.feasible,
            "filter": "passed" if rejection is None else f"{rejection.plugin}: {', '.join(rejection.reasons)}",
            "filter_plugin": None if rejection is None else rejection.plugin,
            "code": None if rejection is None else rejection.code,
            "scores": {s.plugin: s.weighted for s in node.scores},
            "raw": {s.plugin: s.raw for s in node.scores},
            "total": node.total,
            "selected": node.selected,
        }
        for plugin in plugins:
            row["scores"].setdefault(plugin, None)
        rows.append(row)
    return rows


def decision_html(decision) -> str:
    """The node × plugin table (rejected rows red, the winner bold green)."""
    plugins = [(c.plugin, c.weight) for c in decision.scores]
    head = "".join(f"<th>{html.escape(p)} ×{w}</th>" for p, w in plugins)
    lines = [f'<div class="lk-headline"><b>{html.escape(_headline(decision))}</b></div>',
             '<table class="lk-scheduler-table" style="border-collapse:collapse;font-size:12px">',
             f"<thead><tr><th>node</th><th>filter</th>{head}<th>total</th></tr></thead><tbody>"]
    for row in decision_rows(decision):
        css, style = "lk-feasible", ""
        if not row["feasible"]:
            css, style = "lk-rejected", "background:#fde8e8"
        if row["selected"]:
            css, style = "lk-selected", "background:#e3f6e3;font-weight:bold"
        cells = [row["node"] + (" ✔ chosen" if row["selected"] else ""), row["filter"]]
        cells += ["" if row["scores"][p] is None else str(row["scores"][p]) for p, _ in plugins]
        cells.append("" if row["total"] is None else str(row["total"]))
        lines.append(f'<tr class="{css}" style="{style}">'
                     + "".join(f'<td style="padding:2px 6px">{html.escape(c)}</td>' for c in cells) + "</tr>")
    lines.append("</tbody></table>")
    return "".join(lines)


def _headline(decision) -> str:
    if decision.selected:
        return f"{decision.pod}: scheduled to {decision.selected}"
    return f"{decision.pod}: not scheduled — {decision.message or decision.error}"


class SchedulerExplainer(widgets.VBox):
    """Pick a pod; see each node × each plugin: filter verdicts, scores, the winner."""

    def __init__(self, cluster, pod: str | None = None, namespace: str = "default", **kwargs) -> None:
        self.cluster = cluster
        self.namespace = namespace
        self.pod = widgets.Dropdown(description="pod", layout=widgets.Layout(width="24em"))
        self.table = widgets.HTML()
        self.table.add_class("lk-scheduler-explainer")
        self.decision = None
        super().__init__([self.pod, self.table], **kwargs)
        self.refresh(pod)
        self.pod.observe(lambda _change: self.explain(), names="value")
        self.explain()

    def __repr__(self) -> str:
        return f"<SchedulerExplainer for pod {self.pod.value!r}>"

    def refresh(self, pod: str | None = None) -> None:
        """Reload the pod list (keeps the choice)."""
        names = [p["metadata"]["name"] for p in self.cluster.list("pods", self.namespace)]
        wanted = pod or self.pod.value
        self.pod.options = names
        if names:
            self.pod.value = wanted if wanted in names else names[0]

    def explain(self, pod: str | None = None) -> str:
        """Show (and return as text) the decision for ``pod`` (default: the selected one)."""
        name = pod or self.pod.value
        self.decision = self.cluster.scheduling_decision(name, self.namespace) if name else None
        if self.decision is None:
            self.table.value = "<i>no scheduling decision recorded for this pod</i>"
            return ""
        self.table.value = decision_html(self.decision)
        return self.decision.explain()

    def rows(self) -> list[dict]:
        return decision_rows(self.decision) if self.decision is not None else []


# -- the object inspector --------------------------------------------------------------------------
def mask_secret_yaml(text: str) -> str:
    """Hide a Secret's values in ``kubectl get secret -o yaml`` text (keys stay visible)."""
    out, block, block_indent = [], None, 0
    for line in text.splitlines():
        indent = len(line) - len(line.lstrip(" "))
        stripped = line.strip()
        if block and stripped and indent <= block_indent:
            block = None
        if block == "data" and ":" in stripped:
            key = stripped.split(":", 1)[0]
            out.append(" " * indent + f"{key}: {MASK}")
            continue
        if block == "annotation":
            continue
        if re.fullmatch(r"(data|stringData):", stripped) and indent == 0:
            block, block_indent = "data", indent
        elif stripped.startswith(_LAST_APPLIED + ":"):
            out.append(" " * indent + f"{_LAST_APPLIED}: {MASK}")
            if stripped.endswith("|") or stripped.endswith("|-"):
                block, block_indent = "annotation", indent
            continue
        out.append(line)
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")


def _condition(obj: dict, ctype: str) -> dict | None:
    for cond in (obj.get("status") or {}).get("conditions") or []:
        if cond.get("type") == ctype:
            return cond
    return None


def why_pending(pod: dict) -> list[str]:
    status = pod.get("status") or {}
    if status.get("phase") != "Pending":
        return []
    scheduled = _condition(pod, "PodScheduled")
    if not (pod.get("spec") or {}).get("nodeName"):
        if scheduled and scheduled.get("status") == "False":
            return [f"Pending: the scheduler could not place it ({scheduled.get('reason', '')}): "
                    f"{scheduled.get('message', '')}"]
        return ["Pending: no node chosen yet (the scheduler has not got to it, or is not running)."]
    reasons = []
    for cs in status.get("containerStatuses") or []:
        waiting = (cs.get("state") or {}).get("waiting")
        if waiting:
            text = f"Pending on {pod['spec']['nodeName']}: container {cs['name']} is waiting ({waiting.get('reason', '')})"
            reasons.append(text + (f": {waiting['message']}" if waiting.get("message") else ""))
    return reasons or [f"Pending: bound to {pod['spec']['nodeName']}; the kubelet has not started it yet."]


def why_restarted(pod: dict, events: list[dict]) -> list[str]:
    reasons = []
    for cs in (pod.get("status") or {}).get("containerStatuses") or []:
        count = cs.get("restartCount") or 0
        if not count:
            continue
        last = (cs.get("lastState") or {}).get("terminated") or {}
        detail = ""
        if last:
            detail = f"; last time it ended with {last.get('reason', 'Unknown')} (exit code {last.get('exitCode')})"
            if last.get("exitCode") == 137:
                detail += ", i.e. killed by SIGKILL"
        reasons.append(f"Restarted {count} time(s): container {cs['name']}{detail}.")
    reasons += [f"{e.get('reason')}: {e.get('message', '')}" for e in events if _restart_event(e)]
    return reasons


def _restart_event(event: dict) -> bool:
    """The kubelet's events that explain a restart: liveness failures, kills, back-off."""
    message = event.get("message", "")
    if event.get("reason") == "Unhealthy":
        return message.startswith(("Liveness", "Startup"))
    if event.get("reason") == "Killing":
        return "probe" in message
    return event.get("reason") == "BackOff"


def why_not_ready(pod: dict, events: list[dict]) -> list[str]:
    if (pod.get("status") or {}).get("phase") != "Running":
        return []
    ready = _condition(pod, "Ready")
    if ready is None or ready.get("status") == "True":
        return []
    reasons = [f"Not Ready ({ready.get('reason', '')}): {ready.get('message', '')}".rstrip(": ")]
    reasons += [f"Unhealthy: {e['message']}" for e in events
                if e.get("reason") == "Unhealthy" and "Readiness" in e.get("message", "")]
    return reasons


class ObjectInspector(widgets.VBox):
    """YAML, events, owner chain and a plain-language "why" for one object.

    Args:
        cluster: the cluster to read.
        kind: a kubectl resource name ("pod", "deployment", "secret", …).
        name, namespace: which object.
    """

    def __init__(self, cluster, kind: str = "pod", name: str | None = None, namespace: str = "default",
                 **kwargs) -> None:
        self.cluster = cluster
        self.kind_box = widgets.Text(value=kind, description="kind", layout=widgets.Layout(width="14em"))
        self.name_box = widgets.Text(value=name or "", description="name", layout=widgets.Layout(width="22em"))
        self.namespace_box = widgets.Text(value=namespace, description="namespace",
                                          layout=widgets.Layout(width="14em"))
        button = widgets.Button(description="inspect", layout=widgets.Layout(width="auto"))
        button.on_click(lambda _b: self.inspect())
        self.body = widgets.HTML()
        self.body.add_class("lk-inspector")
        super().__init__([widgets.HBox([self.kind_box, self.name_box, self.namespace_box, button]),
                          self.body], **kwargs)
        if name:
            self.inspect()

    def __repr__(self) -> str:
        kind, name, namespace = self._target
        return f"<ObjectInspector {kind}/{name} in {namespace}>"

    # -- the pieces -----------------------------------------------------------------------------
    @property
    def _target(self) -> tuple[str, str, str]:
        return self.kind_box.value.strip(), self.name_box.value.strip(), self.namespace_box.value.strip()

    def _object(self) -> dict:
        kind, name, namespace = self._target
        self._resource_type(kind)
        if not name:  # client-go refuses to build the request, as kubectl does
            raise ValueError("resource name may not be empty")
        return self.cluster.get(kind, name, namespace or None)

    def _resource_type(self, kind: str):
        """The kind box's resource type, or kubectl's error for a name the server lacks."""
        try:
            return self.cluster.registry.resolve(kind)
        except StatusError:
            raise ValueError(f'the server doesn\'t have a resource type "{kind}"') from None

    def yaml(self) -> str:
        """``kubectl get KIND NAME [-n NAMESPACE] -o yaml``, Secret values masked."""
        kind, name, namespace = self._target
        words = ["get", kind, name, *(["-n", namespace] if namespace else []), "-o", "yaml"]
        text = self.cluster.kubectl(" ".join(shlex.quote(word) for word in words))
        if self._resource_type(kind).kind == "Secret":
            text = mask_secret_yaml(text)
        return text

    def events(self) -> list[dict]:
        """Events whose involvedObject is this object (by uid), oldest first."""
        obj = self._object()
        uid = obj["metadata"].get("uid")
        namespace = obj["metadata"].get("namespace") or "default"
        return [e for e in self.cluster.events(namespace)
                if (e.get("involvedObject") or {}).get("uid") == uid
                or ((e.get("involvedObject") or {}).get("kind") == obj.get("kind")
                    and (e.get("involvedObject") or {}).get("name") == obj["metadata"]["name"])]

    def owner_chain(self) -> list[str]:
        """``Pod/web-…`` ← ``ReplicaSet/web-…`` ← ``Deployment/web``: controller owners upwards."""
        obj = self._object()
        chain = [f"{obj['kind']}/{obj['metadata']['name']}"]
        namespace = obj["metadata"].get("namespace")
        seen = set()
        while True:
            ref = next((r for r in obj["metadata"].get("ownerReferences") or [] if r.get("controller")), None)
            if ref is None or ref.get("uid") in seen:
                return chain
            seen.add(ref.get("uid"))
            try:
                obj = self.cluster.get(ref["kind"].lower(), ref["name"], namespace)
            except StatusError:
                chain.append(f"{ref['kind']}/{ref['name']} (gone)")
                return chain
            chain.append(f"{obj['kind']}/{obj['metadata']['name']}")

    def created_by(self) -> list[str]:
        """Who made it: the controller owner, and the audit record of the create request."""
        obj = self._object()
        meta = obj["metadata"]
        lines = []
        ref = next((r for r in meta.get("ownerReferences") or [] if r.get("controller")), None)
        if ref:
            lines.append(f"Created for {ref['kind']} {ref['name']} (its controller owner).")
        record = self._create_record(obj)
        if record is not None:
            lines.append(f"Created at {record.timestamp[:19]}Z: {record.describe()}.")
        return lines

    def _create_record(self, obj: dict):
        meta = obj["metadata"]
        rtype = self.cluster.registry.for_kind(obj["apiVersion"], obj["kind"])
        created = (meta.get("creationTimestamp") or "")[:19]
        for record in self.cluster.audit(verb="create", resource=rtype.plural):
            if record.subresource or record.code >= 300 or record.namespace != (meta.get("namespace") or ""):
                continue
            named = record.name == meta["name"] or (not record.name and meta.get("generateName"))
            if named and record.timestamp[:19] == created:
                return record
        return None

    def why(self) -> list[str]:
        """Plain-language reasons for the object's state (pods: pending/restarted/not ready)."""
        obj = self._object()
        if obj.get("kind") != "Pod":
            return self.created_by()
        events = self.events()
        reasons = why_pending(obj) + why_restarted(obj, events) + why_not_ready(obj, events)
        if not reasons and (obj.get("status") or {}).get("phase") == "Running":
            reasons.append(f"Running and Ready on {obj['spec'].get('nodeName')}.")
        return reasons + self.created_by()

    def report(self) -> str:
        """Everything as plain text (what the widget shows)."""
        events = self.events()
        lines = ["Why:"] + [f"  {r}" for r in self.why()]
        lines += ["Owner chain:", "  " + " <- ".join(self.owner_chain())]
        lines += ["Events:"] + ([f"  {e.get('type')} {e.get('reason')}: {e.get('message')}" for e in events]
                                or ["  <none>"])
        return "\n".join(lines)

    def inspect(self) -> None:
        """Read the object and show it (an error shows as kubectl would print it)."""
        try:
            report, yaml_text = self.report(), self.yaml()
        except (StatusError, ValueError, KeyError) as error:
            message = f"Error from server ({error.reason}): {error.message}" if isinstance(error, StatusError) \
                else f"error: {error}"
            self.body.value = f"<pre>{html.escape(message)}</pre>"
            return
        self.body.value = (f'<pre class="lk-why" style="white-space:pre-wrap">{html.escape(report)}</pre>'
                           f'<details><summary>YAML</summary><pre class="lk-yaml">{html.escape(yaml_text)}'
                           "</pre></details>")
