"""``Architecture``: the control plane's diagram with the API traffic of the last minute on it.

Mirrors the picture in the Kubernetes docs' "Cluster Architecture" page — etcd behind
kube-apiserver; kube-scheduler, kube-controller-manager, kubelets (each driving a container
runtime through the CRI), kube-proxy, CoreDNS and you (kubectl) all talking *only* to the API
server — and fills it with what really happened: the audit stream (``cluster.audit()``,
kube-apiserver's audit log) over a recent window of cluster time, grouped by component, verb
and resource. An arrow's width grows with its request count; its label names the busiest
verbs (``patch pods/status ×12``). The API server → etcd arrow counts the writes that
reached storage (successful create/update/patch/delete) and the reads (get/list/watch).

Who is who comes from the request's user, as kube-apiserver's audit log names them:
``system:kube-scheduler``; the controller-manager's ``system:kube-controller-manager`` and its
per-controller service accounts in kube-system (``replicaset-controller`` …);
``system:node:<name>`` for kubelets; kube-proxy, CoreDNS, ingress-nginx, kube-network-policies
(kind's NetworkPolicy enforcer) and the local-path-provisioner (kind's volume provisioner, in
its own namespace ``local-path-storage``) by their service accounts; anyone else is a person
with kubectl.
"""

from __future__ import annotations

import html
from collections import Counter, defaultdict

import ipywidgets as widgets

from labkube.core.clock import parse_timestamp

WINDOW = 60.0
_MUTATING = ("create", "update", "patch", "delete", "deletecollection")
_READS = ("get", "list", "watch")
_ADDONS = {"kube-proxy": "kube-proxy", "coredns": "coredns", "ingress-nginx": "ingress-nginx",
           "kube-network-policies": "kube-network-policies"}
_SA_PREFIX = "system:serviceaccount:kube-system:"
#: kind's local-path-provisioner runs in its own namespace.
_LOCAL_PATH_USER = "system:serviceaccount:local-path-storage:local-path-provisioner-service-account"


def component_of(record) -> str:
    """The diagram box a request came from (see the module docstring)."""
    user = record.user
    if user == "system:apiserver":
        return "kube-apiserver"
    if user == "system:kube-scheduler":
        return "kube-scheduler"
    if user.startswith("system:node:"):
        return "kubelet/" + user[len("system:node:"):]
    if user == "system:kube-proxy":
        return "kube-proxy"
    if user == "system:kube-controller-manager":
        return "kube-controller-manager"
    if user == _LOCAL_PATH_USER:
        return "local-path-provisioner"
    if user.startswith(_SA_PREFIX):
        name = user[len(_SA_PREFIX):]
        return _ADDONS.get(name, "kube-controller-manager")
    return "kubectl"


def traffic(records, now: float, window: float = WINDOW) -> dict[str, Counter]:
    """Component → Counter of ``"verb resource[/sub]"`` over the last ``window`` seconds."""
    result: dict[str, Counter] = defaultdict(Counter)
    since = now - window
    for record in records:
        if parse_timestamp(record.timestamp[:19] + "Z") < since - 1e-9:
            continue
        what = record.resource + (f"/{record.subresource}" if record.subresource else "")
        result[component_of(record)][f"{record.verb} {what}"] += 1
    return dict(result)


def storage_traffic(records, now: float, window: float = WINDOW) -> Counter:
    """What the API server did to etcd: writes (successful mutations) and reads."""
    counts: Counter = Counter()
    since = now - window
    for record in records:
        if parse_timestamp(record.timestamp[:19] + "Z") < since - 1e-9 or record.code >= 300:
            continue
        if record.verb in _MUTATING:
            counts["writes"] += 1
        elif record.verb in _READS:
            counts["reads"] += 1
    return counts


# -- drawing ------------------------------------------------------------------------------------
_W, _H = 820, 430
_API = (330, 180, 160, 50)     # x, y, w, h
_ETCD = (330, 330, 160, 44)
_TOP = ("kube-scheduler", "kube-controller-manager", "kubectl")
_RIGHT = ("kube-proxy", "coredns", "ingress-nginx", "kube-network-policies", "local-path-provisioner")


def _box(x, y, w, h, label, css, fill="#eef3fb", sub="") -> str:
    text = f'<text x="{x + w / 2}" y="{y + h / 2 + (0 if sub else 4)}" text-anchor="middle" font-size="13">' \
           f"{html.escape(label)}</text>"
    if sub:
        text += f'<text x="{x + w / 2}" y="{y + h / 2 + 15}" text-anchor="middle" font-size="10" ' \
                f'fill="#555">{html.escape(sub)}</text>'
    return (f'<g class="lk-arch-box {css}"><rect x="{x}" y="{y}" width="{w}" height="{h}" rx="6" '
            f'fill="{fill}" stroke="#345"/>{text}</g>')


def _arrow(x1, y1, x2, y2, count, label, css) -> str:
    width = 1 if count == 0 else min(8, 1.5 + count ** 0.5 / 2)
    color = "#bbb" if count == 0 else "#2a6fdb"
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    return (f'<g class="lk-arch-arrow {css}" data-count="{count}">'
            f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{color}" stroke-width="{width:.1f}" '
            f'marker-end="url(#lk-arrowhead)"/>'
            f'<text x="{mx + 4}" y="{my - 4}" font-size="10" fill="#123">{html.escape(label)}</text></g>')


def _label(counts: Counter | None) -> str:
    if not counts:
        return "idle"
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:2]
    return f"{sum(counts.values())} req: " + ", ".join(f"{k} ×{n}" for k, n in top)


def diagram_svg(flows: dict[str, Counter], storage: Counter, kubelets: list[str]) -> str:
    """The diagram as an SVG string (deterministic for the same counts)."""
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="lk-architecture" viewBox="0 0 {_W} {_H}" '
             'style="max-width:100%;height:auto;font-family:sans-serif">',
             '<defs><marker id="lk-arrowhead" markerWidth="8" markerHeight="8" refX="7" refY="4" '
             'orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#2a6fdb"/></marker></defs>']
    ax, ay, aw, ah = _API
    parts.append(_box(ax, ay, aw, ah, "kube-apiserver", "lk-arch-apiserver", "#dbe8fb", "authn · RBAC · admission"))
    ex, ey, ew, eh = _ETCD
    parts.append(_box(ex, ey, ew, eh, "etcd (store)", "lk-arch-etcd", "#fdf3d8"))
    parts.append(_arrow(ax + aw / 2, ay + ah, ex + ew / 2, ey, sum(storage.values()),
                        f"{storage.get('writes', 0)} writes, {storage.get('reads', 0)} reads", "lk-arch-etcd-flow"))
    for i, name in enumerate(_TOP):
        x, y = 40 + i * 270, 30
        parts.append(_box(x, y, 200, 44, name, f"lk-arch-{name}"))
        parts.append(_arrow(x + 100, y + 44, ax + aw / 2, ay, sum((flows.get(name) or {}).values()),
                            _label(flows.get(name)), f"lk-arch-flow-{name}"))
    for i, name in enumerate(_RIGHT):
        x, y = 630, 110 + i * 62
        parts.append(_box(x, y, 170, 40, name, f"lk-arch-{name}"))
        parts.append(_arrow(x, y + 20, ax + aw, ay + ah / 2, sum((flows.get(name) or {}).values()),
                            _label(flows.get(name)), f"lk-arch-flow-{name}"))
    width = max(90, min(150, 520 // max(1, len(kubelets))))
    for i, node in enumerate(kubelets[:6]):
        x, y = 20 + (i % 2) * 150, 140 + (i // 2) * 95
        key = f"kubelet/{node}"
        parts.append(_box(x, y, width - 10, 36, f"kubelet {node}", "lk-arch-kubelet"))
        parts.append(_box(x, y + 44, width - 10, 26, "container runtime", "lk-arch-runtime", "#f0f0f0"))
        parts.append(_arrow(x + width - 10, y + 18, ax, ay + ah / 2, sum((flows.get(key) or {}).values()),
                            _label(flows.get(key)) if i == 0 else f"{sum((flows.get(key) or {}).values())} req",
                            "lk-arch-flow-kubelet"))
    if len(kubelets) > 6:
        parts.append(f'<text x="20" y="{_H - 8}" font-size="11">… and {len(kubelets) - 6} more kubelets</text>')
    parts.append("</svg>")
    return "".join(parts)


class Architecture(widgets.VBox):
    """The diagram plus a table of who did which verb on which resource (last ``window`` s)."""

    def __init__(self, cluster, window: float = WINDOW, **kwargs) -> None:
        self.cluster = cluster
        self.window = window
        self.image = widgets.HTML()
        self.image.add_class("lk-architecture-view")
        self.table = widgets.HTML(layout=widgets.Layout(max_height="16em", overflow="auto"))
        self.flows: dict[str, Counter] = {}
        self.storage: Counter = Counter()
        super().__init__([self.image, self.table], **kwargs)
        self.refresh()

    def __repr__(self) -> str:
        return f"<Architecture: {sum(sum(c.values()) for c in self.flows.values())} requests in {self.window:g} s>"

    def refresh(self) -> None:
        """Re-read the audit stream and redraw."""
        now = self.cluster.clock.now()
        records = self.cluster.audit()
        self.flows = traffic(records, now, self.window)
        self.storage = storage_traffic(records, now, self.window)
        kubelets = sorted(name.split("/", 1)[1] for name in self.cluster.components if name.startswith("kubelet/"))
        self.image.value = diagram_svg(self.flows, self.storage, kubelets)
        self.table.value = f'<pre class="lk-traffic">{html.escape(self.text())}</pre>'

    def text(self) -> str:
        """``component  verb resource  count`` lines, busiest first within each component."""
        lines = [f"API requests in the last {self.window:g} s of cluster time:"]
        for component in sorted(self.flows):
            for what, count in sorted(self.flows[component].items(), key=lambda kv: (-kv[1], kv[0])):
                lines.append(f"  {component:<28} {what:<36} {count}")
        return "\n".join(lines)
