"""``TimeTravel``: the cluster as it was at any store revision, and what changed between two.

Mirrors what etcd keeps and kube-apiserver relies on: every write gets the next global
revision, old revisions stay readable until compaction (``etcdctl get --prefix /registry/
--rev=N``), and a watch can replay history from a past revision. A slider runs from the
compaction point to now; moving it reads every ``/registry/`` key *at that revision*, decodes
the objects and draws them with the same :class:`ClusterGraph` and picture as the live view.

``diff(r1, r2)`` lists the objects added, changed (with the fields that changed, e.g.
``status.phase: Pending → Running``) and deleted between two revisions, and who made each change.

**Who made a change is an approximation.** The audit stream records who did what, and when,
but not the revision a write produced. Both streams are in the same order, though: in this
in-process API server one write is stored, then audited, before the next begins. So the writes
between ``r1`` and ``r2`` (replayed from the store's history with a watch) are matched, in
revision order, to the successful mutating audit records (create/update/patch/delete) of the same
resource, namespace and name, each record used once and never before an earlier match (creates
with ``generateName`` are audited with an empty name and match any new object of their
resource in that namespace). Records from well before the window are skipped by counting:
revision N is about the N-th successful mutating request. It fails when a record fell out of the audit ring buffer, or when
an audited request wrote nothing (a no-op update) just before a real one of the same object;
then the attribution may name the wrong writer or none ("unknown").

Reading history goes to the store, not the API server: the API has no "list at an old revision
beyond the watch cache" (``resourceVersionMatch=Exact`` reads are refused once compacted), and
this is a view of etcd itself.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import ipywidgets as widgets

from labkube.core.api.audit import describe_user
from labkube.core.serialization import loads
from labkube.widgets.model import ClusterGraph
from labkube.widgets.render import ClusterPicture, RenderOptions

ROOT = "/registry/"
#: Fields that change on every write and say nothing about the object.
IGNORED_FIELDS = ("metadata.resourceVersion", "metadata.managedFields", "metadata.generation")
#: Kinds whose churn hides the story (node heartbeats, recorded events); left out unless asked.
NOISY_RESOURCES = ("leases", "events")
_MUTATING = ("create", "update", "patch", "delete", "deletecollection")


@dataclass
class Change:
    """One object's difference between two revisions."""

    action: str                      # "added" | "changed" | "deleted"
    resource: str                    # "pods"
    namespace: str
    name: str
    fields: list[str] = field(default_factory=list)   # "status.phase: Pending → Running"
    revisions: list[int] = field(default_factory=list)
    writers: list[str] = field(default_factory=list)  # "the scheduler (create pods/binding)"

    @property
    def object(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{self.resource}/{where}{self.name}"

    def line(self) -> str:
        who = ", ".join(dict.fromkeys(self.writers)) or "unknown"
        text = f"{self.action:<8} {self.object}  by {who}"
        return "\n".join([text] + [f"           {f}" for f in self.fields])


# -- reading the store ---------------------------------------------------------------------------------
def decode(kv) -> dict:
    obj = loads(kv.value)
    obj.setdefault("metadata", {})["resourceVersion"] = str(kv.mod_revision)
    return obj


def field_changes(old, new, path: str = "") -> list[str]:
    """Field-level differences, as ``path: old → new`` lines (dicts recursed, lists whole)."""
    if path in IGNORED_FIELDS:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        lines = []
        for key in list(old) + [k for k in new if k not in old]:
            sub = f"{path}.{key}" if path else str(key)
            if key not in new:
                lines += [] if sub in IGNORED_FIELDS else [f"{sub}: removed"]
            elif key not in old:
                lines += [] if sub in IGNORED_FIELDS else [f"{sub}: added {_short(new[key])}"]
            else:
                lines += field_changes(old[key], new[key], sub)
        return lines
    if old != new:
        return [f"{path}: {_short(old)} → {_short(new)}"]
    return []


def _short(value, limit: int = 60) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class History:
    """The store's past, read through revisions; maps keys back to resources."""

    def __init__(self, cluster) -> None:
        self.cluster = cluster
        self.store = cluster.store
        self._prefixes = sorted(((r.prefix(None), r.plural) for r in cluster.registry.all()),
                                key=lambda p: -len(p[0]))

    @property
    def oldest(self) -> int:
        """The oldest revision still readable (etcd refuses reads below the compaction point)."""
        return max(self.store.compact_revision, 1)

    def object_of(self, key: str) -> tuple[str, str, str]:
        """``/registry/pods/default/web`` → ("pods", "default", "web")."""
        for prefix, plural in self._prefixes:
            if key.startswith(prefix):
                rest = key[len(prefix):]
                namespace, _, name = rest.rpartition("/")
                return plural, namespace, name
        parts = key[len(ROOT):].split("/")
        return parts[0], "/".join(parts[1:-1]), parts[-1]

    def snapshot(self, revision: int) -> dict[str, object]:
        """Every key under /registry/ at ``revision`` → its KeyValue (at the oldest revision
        still kept, when ``revision`` has been compacted away meanwhile)."""
        result = self.store.range_prefix(ROOT, revision=max(revision, self.oldest))
        return {_text(kv.key): kv for kv in result.kvs}

    def writes(self, start: int, end: int) -> list:
        """The store's events with ``start < revision <= end``, oldest first (a watch replay)."""
        start = max(start, self.store.compact_revision)  # older writes were compacted away
        if end <= start:
            return []
        watcher = self.store.watch(ROOT, prefix=True, start_revision=start + 1)
        try:
            return [e for e in watcher.poll() if e.kv.mod_revision <= end]
        finally:
            watcher.cancel()

    def objects_at(self, revision: int) -> list[dict]:
        return [decode(kv) for kv in self.snapshot(revision).values()]


def _text(key) -> str:
    return key.decode() if isinstance(key, bytes) else key


# -- who wrote what ------------------------------------------------------------------------------
def attribute(writes: list, history: History, records: list) -> dict[int, str]:
    """Revision → "who (verb resource)" by matching writes to audit records in order (see above)."""
    candidates = [r for r in records if r.verb in _MUTATING and r.code < 300 and r.decision == "allow"]
    by_object: dict[tuple, list] = {}
    for record in candidates:
        by_object.setdefault((record.resource, record.namespace, record.name), []).append(record)
    floor, used, result = _window_floor(candidates, writes, records), set(), {}
    for event in writes:
        resource, namespace, name = history.object_of(_text(event.kv.key))
        created = event.type == "PUT" and event.kv.version == 1
        pool = by_object.get((resource, namespace, name), [])
        if created:
            pool = pool + by_object.get((resource, namespace, ""), [])
        match = min((r for r in pool if r.seq > floor and r.seq not in used
                     and (created or r.verb != "create" or r.subresource)), key=lambda r: r.seq, default=None)
        if match is None:
            continue
        used.add(match.seq)
        floor = match.seq
        what = match.resource + (f"/{match.subresource}" if match.subresource else "")
        result[event.kv.mod_revision] = f"{describe_user(match.user)} ({match.verb} {what})"
    return result


def _window_floor(candidates: list, writes: list, records: list) -> int:
    """An audit seq safely before the window's first write.

    Each write is one revision and (nearly) one successful mutating record, so the record
    count tells where revision N sits in the audit stream; step back a margin for the few
    requests that wrote nothing or writes nobody audited (lease expiry). Only when the audit
    buffer still holds the stream from its first record.
    """
    if not writes or not records or records[0].seq != 1:
        return 0
    before = writes[0].kv.mod_revision - 2  # writes before the window (revision 1 is empty)
    index = before - max(10, before // 20)
    return candidates[index - 1].seq if 0 < index <= len(candidates) else 0


def diff(cluster, start: int, end: int, *, include_noise: bool = False) -> list[Change]:
    """Objects added, changed and deleted between revisions ``start`` and ``end``."""
    history = History(cluster)
    before, after = history.snapshot(start), history.snapshot(end)
    writes = history.writes(start, end)
    writers = attribute(writes, history, cluster.audit())
    revisions: dict[str, list[int]] = {}
    for event in writes:
        revisions.setdefault(_text(event.kv.key), []).append(event.kv.mod_revision)
    changes = []
    for key in sorted(set(before) | set(after)):
        resource, namespace, name = history.object_of(key)
        if resource in NOISY_RESOURCES and not include_noise:
            continue
        old, new = before.get(key), after.get(key)
        if old is not None and new is not None and old.mod_revision == new.mod_revision:
            continue
        if old is None:
            change = Change("added", resource, namespace, name)
        elif new is None:
            change = Change("deleted", resource, namespace, name)
        else:
            change = Change("changed", resource, namespace, name,
                            fields=field_changes(decode(old), decode(new)))
        change.revisions = revisions.get(key, [])
        change.writers = [writers[r] for r in change.revisions if r in writers]
        changes.append(change)
    return changes


# -- the widget ----------------------------------------------------------------------------------------
class TimeTravel(widgets.VBox):
    """A revision slider over the picture, and the diff between two revisions.

    ``show(revision)`` draws the cluster as it was; ``compare(r1, r2)`` fills the diff panel.
    """

    def __init__(self, cluster, namespace: str | None = None, options: RenderOptions | None = None,
                 **kwargs) -> None:
        self.cluster = cluster
        self.namespace = namespace
        self.history = History(cluster)
        self.picture = ClusterPicture(ClusterGraph(namespace=namespace), options=options or RenderOptions())
        self.slider = widgets.IntSlider(description="revision", continuous_update=False,
                                        layout=widgets.Layout(width="100%"))
        self.since = widgets.BoundedIntText(description="diff from", layout=widgets.Layout(width="14em"))
        self.include_noise = widgets.Checkbox(value=False, description="leases and events")
        self.image = widgets.HTML()
        self.image.add_class("lk-timetravel-view")
        self.diff_panel = widgets.HTML(layout=widgets.Layout(max_height="20em", overflow="auto"))
        self.changes: list[Change] = []
        super().__init__([self.slider, self.image,
                          widgets.HBox([self.since, self.include_noise]), self.diff_panel], **kwargs)
        self.update_range()
        self.since.value = self.slider.value  # nothing to compare until a start is chosen
        self.slider.observe(lambda change: self.show(change["new"]), names="value")
        for control in (self.since, self.include_noise):
            control.observe(lambda _change: self.compare(), names="value")
        self.show(self.slider.value)

    def __repr__(self) -> str:
        return f"<TimeTravel revisions {self.slider.min}..{self.slider.max}>"

    def update_range(self) -> None:
        """Let the slider reach from the compaction point to the current revision."""
        low, high = self.history.oldest, self.cluster.store.revision
        with self.hold_sync():
            _set_range(self.slider, low, high)
            _set_range(self.since, low, high)
        self.since.value = max(low, self.since.value or low)
        self.slider.value = high

    def graph_at(self, revision: int) -> ClusterGraph:
        """The cluster graph as it was at ``revision``."""
        graph = ClusterGraph(namespace=self.namespace)
        graph.load(self.history.objects_at(revision))
        return graph

    def svg_at(self, revision: int) -> str:
        self.picture.graph = self.graph_at(revision)
        return self.picture.svg()

    def show(self, revision: int) -> None:
        self.image.value = self.svg_at(revision)
        self.compare()

    def compare(self, start: int | None = None, end: int | None = None) -> list[Change]:
        """Diff ``start`` (default: the "diff from" box) → ``end`` (default: the slider)."""
        start = self.since.value if start is None else start
        end = self.slider.value if end is None else end
        low, high = sorted((start, end))
        self.changes = diff(self.cluster, low, high, include_noise=self.include_noise.value)
        text = "\n".join(c.line() for c in self.changes) or "(no changes)"
        self.diff_panel.value = (f"<b>revision {low} → {high}: {len(self.changes)} object(s)</b>"
                                 f'<pre class="lk-diff">{html.escape(text)}</pre>')
        return self.changes


def _set_range(slider, low: int, high: int) -> None:
    """Move a slider's bounds to [low, high] without ever having min > max on the way
    (after a compaction the new low can be above the old high)."""
    slider.max = max(high, slider.min)
    slider.min = low
    slider.max = high
