"""DefaultBinder: the Binding a scheduler posts to ``pods/binding`` once it has chosen a node.

Mirrors pkg/scheduler/framework/plugins/defaultbinder. kube-scheduler creates::

    {"apiVersion": "v1", "kind": "Binding",
     "metadata": {"name": <pod>, "namespace": <ns>, "uid": <pod uid>},
     "target": {"kind": "Node", "name": <node>}}

labkube's framework does not call the API itself: it returns this dict in the
ScheduleResult and the live scheduler component posts it.
"""

from __future__ import annotations

NAME = "DefaultBinder"


def binding_for(pod: dict, node_name: str) -> dict:
    meta = pod.get("metadata") or {}
    metadata = {"name": meta.get("name", ""), "namespace": meta.get("namespace", "default")}
    if meta.get("uid"):
        metadata["uid"] = meta["uid"]
    return {"apiVersion": "v1", "kind": "Binding", "metadata": metadata,
            "target": {"kind": "Node", "name": node_name}}


class DefaultBinder:
    name = NAME

    def bind(self, state, pod, node_name: str) -> dict:
        return binding_for(pod.pod, node_name)

    def events_to_register(self):
        return []


def new(args=None, handle=None) -> DefaultBinder:
    return DefaultBinder()
