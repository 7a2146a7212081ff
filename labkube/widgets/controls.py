"""``Controls``: the instructor's panel — the clock, failures, scaling, YAML and a kubectl box.

Nothing here reaches inside the cluster: every button makes the call a student could type
(DESIGN.md rule 9). Machines failing is not something the API can do, so those buttons use the
facade's failure-injection verbs, as a lesson would::

    button                  call
    ----------------------  ------------------------------------------------------------
    +1 s / +10 s / +1 min   cluster.run(seconds)                   (simulated clock)
    play / pause, speed     cluster.clock.resume()/pause()/set_speed(x)  (real-time clock)
    fail / recover node     cluster.fail_node(name) / cluster.recover_node(name)
    partition / heal        cluster.partition_node(name) / cluster.heal_partition(name)
    cordon / uncordon       kubectl cordon NODE / kubectl uncordon NODE
    drain                   kubectl drain NODE --ignore-daemonsets --delete-emptydir-data
    stop / start            cluster.stop_component(name) / cluster.start_component(name)
    delete pod              kubectl delete pod NAME -n NAMESPACE --wait=false
    crash container         cluster.crash_container(pod, None, namespace)
    scale                   kubectl scale deployment NAME --replicas=N -n NAMESPACE
    apply                   kubectl apply -f -   (the text box is stdin)
    kubectl box             kubectl <what you typed>

What each call printed (or the error, worded as kubectl words it) is shown under the panel and
kept in ``last_output``. After each action the panel refreshes its drop-downs, the clock, and
whoever subscribed with :meth:`on_action` (a :class:`ClusterView` redraws at once).
"""

from __future__ import annotations

import html
from typing import Callable

import ipywidgets as widgets

from labkube.core.errors import StatusError

#: Step buttons of a simulated clock: (label, seconds).
STEPS = (("+1 s", 1), ("+10 s", 10), ("+1 min", 60))
#: Speeds a real-time clock offers.
SPEEDS = (1, 2, 5, 10, 20, 50, 100)
NODE_ACTIONS = ("fail", "recover", "partition", "heal", "cordon", "uncordon", "drain")
_NOTHING = "(none)"


def pre(text: str, css_class: str = "lk-output") -> str:
    """Text shown as kubectl printed it (monospace, escaped)."""
    return f'<pre class="{css_class}" style="margin:0;white-space:pre-wrap">{html.escape(text)}</pre>'


def error_text(error: Exception) -> str:
    """How kubectl reports a failed call: the API's message, or ``error: …`` for the rest."""
    if isinstance(error, StatusError):
        return f"Error from server ({error.reason}): {error.message}"
    return f"error: {error}"


class Controls(widgets.VBox):
    """A panel of buttons driving ``cluster`` through its public API.

    Args:
        cluster: the :class:`labkube.Cluster` to drive.
        namespace: where pods and Deployments are picked from (default "default").
        view: a :class:`~labkube.widgets.view.ClusterView` to redraw after each action.
    """

    def __init__(self, cluster, namespace: str = "default", view=None, **kwargs) -> None:
        self.cluster = cluster
        self.namespace = namespace
        self.last_output = ""
        self.actions: list[str] = []
        self._listeners: list[Callable[[], None]] = []
        self.output = widgets.HTML(layout=widgets.Layout(max_height="16em", overflow="auto"))
        self.time = widgets.HTML()
        super().__init__(children=[
            self._clock_row(), self._node_row(), self._component_row(), self._pod_row(),
            self._scale_row(), self._apply_box(), self._kubectl_box(), self.output,
        ], **kwargs)
        self.add_class("lk-controls")
        if view is not None:
            self.on_action(view.refresh)
        self.refresh()

    def __repr__(self) -> str:
        return f"<Controls for {len(self.node.options)} nodes, namespace {self.namespace!r}>"

    # -- building the panel --------------------------------------------------------------------
    def _button(self, label: str, action: Callable[[], None], *, style: str = "", tooltip: str = "",
                css: str = "") -> widgets.Button:
        button = widgets.Button(description=label, button_style=style, tooltip=tooltip or label,
                                layout=widgets.Layout(width="auto"))
        button.add_class("lk-action")
        button.add_class("lk-action-" + (css or label.lower().replace(" ", "-")))
        button.on_click(lambda _button: action())
        return button

    def _clock_row(self) -> widgets.HBox:
        clock = self.cluster.clock
        if hasattr(clock, "set_speed"):
            self.play = widgets.ToggleButton(value=not clock.paused, description="play",
                                             icon="play", layout=widgets.Layout(width="auto"))
            self.play.observe(lambda change: self.set_playing(change["new"]), names="value")
            self.speed = widgets.Dropdown(options=[(f"×{s}", s) for s in SPEEDS], value=_speed(clock),
                                          description="speed", layout=widgets.Layout(width="12em"))
            self.speed.observe(lambda change: self.set_speed(change["new"]), names="value")
            items = [self.play, self.speed]
        else:
            items = [self._button(label, lambda s=seconds: self.step(s), css=f"step-{seconds}")
                     for label, seconds in STEPS]
        return widgets.HBox([widgets.HTML("<b>clock</b>&nbsp;"), *items, self.time])

    def _node_row(self) -> widgets.HBox:
        self.node = widgets.Dropdown(description="node", layout=widgets.Layout(width="14em"))
        buttons = [self._button(f"{verb} node" if verb in ("fail", "recover") else verb,
                                lambda v=verb: self.node_action(v),
                                style="danger" if verb in ("fail", "partition", "drain") else "",
                                css=f"{verb}-node")
                   for verb in NODE_ACTIONS]
        return widgets.HBox([self.node, *buttons])

    def _component_row(self) -> widgets.HBox:
        self.component = widgets.Dropdown(description="component", layout=widgets.Layout(width="20em"))
        return widgets.HBox([self.component,
                             self._button("stop", lambda: self.component_action("stop"), style="danger",
                                          css="stop-component"),
                             self._button("start", lambda: self.component_action("start"),
                                          css="start-component")])

    def _pod_row(self) -> widgets.HBox:
        self.pod = widgets.Dropdown(description="pod", layout=widgets.Layout(width="20em"))
        return widgets.HBox([self.pod, self._button("delete pod", self.delete_pod, style="danger"),
                             self._button("crash container", self.crash_container, style="warning")])

    def _scale_row(self) -> widgets.HBox:
        self.deployment = widgets.Dropdown(description="deployment", layout=widgets.Layout(width="20em"))
        self.deployment.observe(lambda _change: self._show_replicas(), names="value")
        self.replicas = widgets.BoundedIntText(value=1, min=0, max=1000, description="replicas",
                                               layout=widgets.Layout(width="10em"))
        return widgets.HBox([self.deployment, self.replicas, self._button("scale", self.scale)])

    def _apply_box(self) -> widgets.VBox:
        self.yaml = widgets.Textarea(placeholder="apiVersion: apps/v1\nkind: Deployment\n…",
                                     layout=widgets.Layout(width="100%", height="8em"))
        return widgets.VBox([self.yaml, self._button("apply", self.apply_yaml, style="primary")])

    def _kubectl_box(self) -> widgets.HBox:
        self.command = widgets.Text(placeholder="get pods -o wide", description="kubectl",
                                    layout=widgets.Layout(width="30em"))
        return widgets.HBox([self.command, self._button("run", self.run_kubectl, css="kubectl")])

    # -- what the buttons do ---------------------------------------------------------------------
    def step(self, seconds: float) -> None:
        """Let simulated time pass."""
        self._act(f"run {seconds}s", lambda: self.cluster.run(seconds) or "")

    def set_playing(self, playing: bool) -> None:
        clock = self.cluster.clock
        self._act("play" if playing else "pause", lambda: (clock.resume() if playing else clock.pause()) or "")

    def set_speed(self, speed: float) -> None:
        self._act(f"speed ×{speed}", lambda: self.cluster.clock.set_speed(speed) or "")

    def node_action(self, verb: str, node: str | None = None) -> None:
        """``fail``/``recover``/``partition``/``heal`` a machine, or ``cordon``/``uncordon``/``drain``."""
        if verb not in NODE_ACTIONS:
            raise ValueError(f"unknown node action {verb!r} (known: {', '.join(NODE_ACTIONS)})")
        name = node or self.node.value
        if not name:
            return self._show("error: no node selected")
        facade = {"fail": self.cluster.fail_node, "recover": self.cluster.recover_node,
                  "partition": self.cluster.partition_node, "heal": self.cluster.heal_partition}
        if verb in facade:
            return self._act(f"{verb} {name}", lambda: facade[verb](name) or f"node/{name}: {verb}")
        flags = " --ignore-daemonsets --delete-emptydir-data" if verb == "drain" else ""
        return self._kubectl(f"{verb} {name}{flags}")

    def component_action(self, verb: str, component: str | None = None) -> None:
        """``stop`` or ``start`` a control-plane process (e.g. "scheduler")."""
        name = component or self.component.value
        if verb not in ("stop", "start"):
            raise ValueError(f'component action must be "stop" or "start", not {verb!r}')
        call = self.cluster.stop_component if verb == "stop" else self.cluster.start_component

        def act() -> str:
            call(name)
            return f"{name}: {'stopped' if verb == 'stop' else 'started'}"

        self._act(f"{verb} {name}", act)

    def delete_pod(self, pod: str | None = None) -> None:
        name = pod or self.pod.value
        if not name:
            return self._show("error: no pod selected")
        # --wait=false: the class watches the pod terminate, and the button never blocks a
        # real-time clock for the grace period (kubectl delete waits by default).
        return self._kubectl(f"delete pod {name} -n {self.namespace} --wait=false")

    def crash_container(self, pod: str | None = None) -> None:
        name = pod or self.pod.value
        if not name:
            return self._show("error: no pod selected")
        return self._act(f"crash {name}", lambda: self.cluster.crash_container(name, None, self.namespace)
                         or f"pod/{name}: container killed (exit code 137)")

    def scale(self, deployment: str | None = None, replicas: int | None = None) -> None:
        name = deployment or self.deployment.value
        count = self.replicas.value if replicas is None else replicas
        if not name:
            return self._show("error: no deployment selected")
        return self._kubectl(f"scale deployment {name} --replicas={count} -n {self.namespace}")

    def apply_yaml(self, text: str | None = None) -> None:
        manifest = self.yaml.value if text is None else text
        self._act("apply", lambda: self.cluster.kubectl("apply -f -", stdin=manifest))

    def run_kubectl(self, command: str | None = None) -> None:
        text = (self.command.value if command is None else command).strip()
        if text.startswith("kubectl "):
            text = text[len("kubectl "):]
        if text:
            self._kubectl(text)

    # -- plumbing ----------------------------------------------------------------------------------
    def _kubectl(self, command: str) -> None:
        self._act(f"kubectl {command}", lambda: self.cluster.kubectl(command))

    def _act(self, label: str, call: Callable[[], str]) -> None:
        """Run one action, show what it printed (or its error), then refresh everyone. The
        action and the panel's refresh run between two timers of a real-time clock (holding
        its lock), so the drop-downs show the cluster as the action left it."""
        self.actions.append(label)
        with self.cluster.clock.lock:
            try:
                text = call()
            except (StatusError, ValueError, KeyError) as error:
                text = error_text(error)
            self._show(text)
            self.refresh()
        for listener in list(self._listeners):  # views and panels read what they need themselves
            listener()

    def _show(self, text: str) -> None:
        self.last_output = text
        self.output.value = pre(text) if text else ""

    def on_action(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` after every action (views redraw, logs reload)."""
        self._listeners.append(callback)

    def refresh(self) -> None:
        """Reload the drop-downs and the clock from the cluster (through its public API)."""
        with self.hold_sync():
            self._choices(self.node, [n["metadata"]["name"] for n in self.cluster.list("nodes")])
            self._choices(self.component, sorted(self.cluster.components))
            self._choices(self.pod, [p["metadata"]["name"] for p in self.cluster.list("pods", self.namespace)])
            self._choices(self.deployment, [d["metadata"]["name"]
                                            for d in self.cluster.list("deployments", self.namespace)])
            self._show_time()

    def _show_time(self) -> None:
        clock = self.cluster.clock
        state = " (paused)" if getattr(clock, "paused", False) else ""
        self.time.value = f'&nbsp;<span class="lk-time">{clock.timestamp()}</span>{state}'

    @staticmethod
    def _choices(dropdown: widgets.Dropdown, names: list[str]) -> None:
        current = dropdown.value
        if tuple(names) != tuple(dropdown.options):
            dropdown.options = names
        wanted = current if current in names else (names[0] if names else None)
        if dropdown.value != wanted:
            dropdown.value = wanted

    def _show_replicas(self) -> None:
        name = self.deployment.value
        if not name:
            return
        try:
            spec = self.cluster.get("deployments", name, self.namespace).get("spec") or {}
        except StatusError:
            return
        self.replicas.value = spec.get("replicas", 1)


def _speed(clock) -> int:
    speed = getattr(clock, "speed", 1)
    return min(SPEEDS, key=lambda s: abs(s - speed))
