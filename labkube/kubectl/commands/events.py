"""``kubectl events``: the events of a namespace (or ``-A``), oldest first, as one table.

Mirrors k8s.io/kubectl/pkg/cmd/events of kubectl 1.32 (``events.go`` and
``event_printer.go``). ``kubectl events`` is not ``kubectl get events``: the server prints
nothing here, kubectl does it all on the client side.

1. It LISTs **core/v1** Events (``/api/v1/namespaces/NS/events``, or ``/api/v1/events`` with
   ``-A``), in pages of 500 (``--chunk-size`` is accepted but not used, as in kubectl).
2. ``--for pod/web`` resolves the resource through the API's discovery (``po``, ``pods``,
   ``deploy.apps``, ``deployments.v1.apps`` all work) and asks the server for a field selector
   ``involvedObject.kind=Pod,involvedObject.apiVersion=v1,involvedObject.name=web``.
3. ``--types=Warning`` is checked (``Normal`` or ``Warning``, any case) and filters on the
   client side, after the LIST.
4. Nothing left prints ``No events found in NS namespace.`` (``No events found.`` with
   ``-A``) on stderr, exit 0.
5. The events are sorted by the time they last happened: ``series.lastObservedTime`` for an
   event series, else ``lastTimestamp``, else ``eventTime`` - with Go's ``sort.Sort``, which
   is not stable. Events that happened in the same second (there are many: a Deployment's
   ScalingReplicaSet, SuccessfulCreate and Scheduled events come together) print in the order
   Go's pattern-defeating quicksort leaves them, so :func:`go_sort` sorts with the faithful port
   of it in :mod:`labkube.kubectl.gosort` (``get --sort-by`` uses it too): any other sort would
   print them in another order than kubectl.
6. The table is ``[NAMESPACE] LAST SEEN TYPE REASON OBJECT MESSAGE``. OBJECT is the involved
   object's ``Kind/name`` as stored (``Pod/web``, ``Deployment/web``), MESSAGE is trimmed, and
   LAST SEEN is how long ago the event happened, with ``(x3 over 5m)`` once it happened more
   than once. kubectl 1.32 does not escape newlines in these cells (later kubectl does).
   ``-o json|yaml|jsonpath`` print a ``v1 EventList`` of typed Events (Go struct field
   order in JSON, ``null`` for unset times); ``-o name`` prints nothing, because kubectl's name
   printer refuses lists and ``kubectl events`` ignores the printer's error.

Time: LAST SEEN is measured against the cluster's clock (``cluster.clock.now()``), as kubectl
measures it against the machine's: run the simulated clock and the ages grow.

``-w/--watch``: a real ``kubectl events -w`` never ends (it prints events as they arrive until
Ctrl-C, or until ``--request-timeout``). labkube runs the cluster clock for ``--request-timeout``
and prints the events as they happen: see ``events_watch``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Optional

from labkube.kubectl import gosort
from labkube.core.api.labels import escape_field_value
from labkube.kubectl.commands import OPERATION_FORMATS, Context
from labkube.kubectl.errors import KubectlError
from labkube.kubectl.printers.age import UNKNOWN, human_duration, parse_time
from labkube.kubectl.printers.tabwriter import tabwrite

#: ``cmdutil.DefaultChunkSize``: the page size of every LIST ``kubectl events`` sends.
CHUNK_SIZE = 500
HEADERS = ("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE")


def run(ctx: Context) -> list[BaseException]:
    """``EventsFlags.ToOptions``, ``EventsOptions.Validate`` and ``EventsOptions.Run``, in order."""
    involved = for_object(ctx, ctx.flags["for"])
    output = output_format(ctx)
    wanted = validate_types(ctx.flags["types"])
    if ctx.flags["watch"]:
        from labkube.kubectl.commands import events_watch

        return events_watch.run(ctx, involved, output, wanted)
    events = [e for e in list_events(ctx, involved) if is_wanted_type(e, wanted)]
    if not events:
        ctx.term.err_line(nothing_found(ctx))
        return []
    events = go_sort(events, key=last_happened)
    if output:
        ctx.term.out(render_output(ctx, events, output))
    else:
        ctx.term.out(event_table(events, ctx.clock.now(), all_namespaces=ctx.flags["all-namespaces"],
                                 no_headers=ctx.flags["no-headers"]))
    return []


# ---------------------------------------------------------------------------------------
# --for TYPE/NAME
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InvolvedObject:
    """What ``--for`` names: the kind (with its API version) and the object's name."""

    kind: str
    api_version: str
    name: str

    def field_selector(self) -> str:
        """``fields.AndSelectors(OneTermEqualSelector(...) ...)`` as kubectl 1.32 sends it."""
        terms = (("involvedObject.kind", self.kind), ("involvedObject.apiVersion", self.api_version),
                 ("involvedObject.name", self.name))
        return ",".join(f"{field}={escape_field_value(value)}" for field, value in terms)


def for_object(ctx: Context, text: str) -> Optional[InvolvedObject]:
    """``decodeResourceTypeName``: ``pod/web`` -> the kind, API version and name to filter on.

    ``--for=pod/`` names no object: the resource must still exist, but nothing is filtered.
    """
    if not text:
        return None
    if "/" not in text:
        raise KubectlError("error: --for must be in resource/name form")
    parts = text.split("/")
    if len(parts) != 2:
        raise KubectlError("error: arguments in resource/name form may not have more than one slash")
    resource, name = parts
    rtype = resolve_for_resource(ctx, resource)
    return InvolvedObject(rtype.kind, rtype.api_version, name) if name else None


def resolve_for_resource(ctx: Context, text: str) -> Any:
    """The resource type ``--for`` names, as kubectl's discovery REST mapper finds it.

    ``schema.ParseResourceArg`` on the lower-cased text: ``deployments.v1.apps`` is first tried
    as resource.version.group, then everything after the first dot is the group
    (``deploy.apps``); no dot means any group, the core group first.
    """
    text = text.lower()
    if text.count(".") >= 2:
        resource, version, group = text.split(".", 2)
        found = _match_resource(ctx, resource, group, version)
        if found is not None:
            return found
    resource, _, group = text.partition(".")
    if not resource:
        raise KubectlError(f"error: a resource must be present, got: {group}/, Resource=")
    found = _match_resource(ctx, resource, group or None, None)
    if found is None:
        where = f' in group "{group}"' if group else ""
        raise KubectlError(f'the server doesn\'t have a resource type "{resource}"{where}')
    return found


def _match_resource(ctx: Context, resource: str, group: Optional[str], version: Optional[str]) -> Any:
    """A plural or singular name wins; else a short name (warning when it is ambiguous)."""
    candidates = [r for r in _by_priority(ctx.registry.all())
                  if (group is None or r.group == group) and (version is None or r.version == version)]
    for rtype in candidates:
        if resource in (rtype.plural, rtype.singular):
            return rtype
    short = [r for r in candidates if resource in r.short_names]
    for other in short[1:]:
        if (other.group, other.plural) != (short[0].group, short[0].plural):
            group_resource = f"{other.plural}.{other.group}" if other.group else other.plural
            ctx.term.err_line(f'Warning: short name "{resource}" could also match lower priority '
                              f"resource {group_resource}")
    return short[0] if short else None


def _by_priority(types: list[Any]) -> list[Any]:
    """kubectl's priority REST mapper: the core group before the others."""
    return sorted(types, key=lambda r: 0 if r.group == "" else 1)


# ---------------------------------------------------------------------------------------
# --types, listing, the empty case
# ---------------------------------------------------------------------------------------


def validate_types(types: list[str]) -> list[str]:
    """``EventsOptions.Validate``: every ``--types`` value is Normal or Warning, in any case."""
    for value in types:
        if value.lower() not in ("normal", "warning"):  # strings.EqualFold
            raise KubectlError("error: valid --types are Normal or Warning")
    return sorted(set(types))


def is_wanted_type(event: dict, wanted: list[str]) -> bool:
    """``filteredEventType``: no ``--types`` keeps everything; else compare ignoring case."""
    return not wanted or (event.get("type") or "").lower() in {t.lower() for t in wanted}


def list_events(ctx: Context, involved: Optional[InvolvedObject]) -> list[dict]:
    """The core/v1 Events of the namespace (every namespace with ``-A``), page after page."""
    events_type = _core_events(ctx)
    namespace = None if ctx.flags["all-namespaces"] else ctx.namespace
    selector = involved.field_selector() if involved else None
    items: list[dict] = []
    token: Optional[str] = None
    while True:
        page = ctx.client.list(events_type, namespace, field_selector=selector, limit=CHUNK_SIZE,
                               continue_=token)
        items.extend(page.get("items") or [])
        token = (page.get("metadata") or {}).get("continue")
        if not token:
            return items


def _core_events(ctx: Context) -> Any:
    """``CoreV1().Events(ns)``: the v1 Event resource, never events.k8s.io."""
    return next(r for r in ctx.registry.all() if r.group == "" and r.plural == "events")


def nothing_found(ctx: Context) -> str:
    if ctx.flags["all-namespaces"]:
        return "No events found."
    return f"No events found in {ctx.namespace} namespace."


# ---------------------------------------------------------------------------------------
# Time: what "last happened" means, and LAST SEEN
# ---------------------------------------------------------------------------------------

#: Go's zero ``time.Time`` (January 1, year 1, UTC), which ``metav1.Time`` has when unset.
GO_ZERO_TIME = -62135596800.0


def go_time(text: Optional[str]) -> Optional[float]:
    """Seconds since the epoch of a ``metav1.Time``/``MicroTime``; None when unset (zero)."""
    when = parse_time(text)
    if when is None or when == GO_ZERO_TIME:
        return None
    return when


def last_happened(event: dict) -> float:
    """``eventTime(event)``, the sort key: the series' last time, else lastTimestamp, else eventTime."""
    series = event.get("series")
    if series is not None:
        when = go_time(series.get("lastObservedTime"))
    elif go_time(event.get("lastTimestamp")) is not None:
        when = go_time(event.get("lastTimestamp"))
    else:
        when = go_time(event.get("eventTime"))
    return GO_ZERO_TIME if when is None else when


def since(text: Optional[str], now: float) -> str:
    """``translateTimestampSince``: ``<unknown>`` for an unset time, else ``duration.HumanDuration``."""
    when = go_time(text)
    return UNKNOWN if when is None else human_duration(now - when)


def last_seen(event: dict, now: float) -> str:
    """``getInterval``: ``5m``, or ``30s (x7 over 15m)`` for an event seen more than once."""
    first = since(event.get("eventTime"), now)
    if go_time(event.get("eventTime")) is None:
        first = since(event.get("firstTimestamp"), now)
    series = event.get("series")
    if series is not None:
        return f"{since(series.get('lastObservedTime'), now)} (x{series.get('count') or 0} over {first})"
    count = event.get("count") or 0
    if count > 1:
        return f"{since(event.get('lastTimestamp'), now)} (x{count} over {first})"
    return first


# ---------------------------------------------------------------------------------------
# The table (EventPrinter)
# ---------------------------------------------------------------------------------------

#: Go's ``unicode.IsSpace`` (what ``strings.TrimSpace`` trims).
_GO_SPACES = ("\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
              "\u200a\u2028\u2029\u202f\u205f\u3000")


def event_row(event: dict, now: float, all_namespaces: bool) -> str:
    """``printOneEvent``: one tab-separated line."""
    involved = event.get("involvedObject") or {}
    cells = [
        last_seen(event, now), event.get("type") or "", event.get("reason") or "",
        f"{involved.get('kind') or ''}/{involved.get('name') or ''}",
        (event.get("message") or "").strip(_GO_SPACES),
    ]
    if all_namespaces:
        cells.insert(0, (event.get("metadata") or {}).get("namespace") or "")
    return "\t".join(cells) + "\n"


def event_table(events: list[dict], now: float, *, all_namespaces: bool, no_headers: bool) -> str:
    """``EventPrinter.PrintObj`` of the sorted list, through kubectl's tabwriter."""
    lines = []
    if not no_headers:
        lines.append(("NAMESPACE\t" if all_namespaces else "") + "\t".join(HEADERS) + "\n")
    lines.extend(event_row(event, now, all_namespaces) for event in events)
    return remembering_tabwrite("".join(lines))


# ---------------------------------------------------------------------------------------
# kubectl's tabwriter: github.com/liggitt/tabwriter with RememberWidths
# ---------------------------------------------------------------------------------------
#
# ``printers.GetNewTabWriter`` is Go's text/tabwriter (minwidth 6, padding 3; see
# labkube.kubectl.printers.tabwriter) in a fork whose RememberWidths flag keeps, per column,
# the widest width it has used so far. It shows here because kubectl 1.32 does not escape
# newlines in event messages: a message's second line has no tabs, ends every column block,
# and the rows after it start new blocks - whose columns are then at least as wide as
# before. ``\v`` ends a cell like ``\t``; ``\f`` ends a line and flushes.

def remembering_tabwrite(text: str) -> str:
    """The text of tab-separated lines, aligned as kubectl's tabwriter aligns it."""
    remembered: list[int] = []
    return "\n".join(tabwrite(segment.replace("\v", "\t"), minwidth=6, padding=3, remembered=remembered)
                     for segment in text.split("\f"))


# ---------------------------------------------------------------------------------------
# -o json|yaml|jsonpath|name: a typed v1 EventList
# ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OutputFormat:
    """What ``-o`` asked for: ``json``, ``yaml``, ``name``, or a jsonpath format and its template."""

    name: str
    template: str = ""


_BY_NAME = ("json", "yaml", "name")  # matched in any case, as kubectl's print flags lowercase them
_JSONPATH = ("jsonpath", "jsonpath-as-json", "jsonpath-file")
_GO_TEMPLATE = ("template", "go-template", "go-template-file", "templatefile")


def output_format(ctx: Context) -> Optional[OutputFormat]:
    """``PrintFlags.ToPrinter``: the ``-o`` format, checked before anything is listed.

    ``-o jsonpath=TEMPLATE`` (or ``-o jsonpath --template=TEMPLATE``) and go templates (a
    ``go-template-file``'s text read here) are parsed here.
    """
    output = ctx.flags["output"]
    if not output:
        return None
    if output.lower() in _BY_NAME:
        return OutputFormat(output.lower())
    name, template = output, ctx.flags.get("template") or ""
    if not template:
        for known in _JSONPATH + _GO_TEMPLATE:
            if output.startswith(known + "="):
                name, template = known, output[len(known) + 1:]
                break
    if name not in _JSONPATH + _GO_TEMPLATE:
        raise KubectlError(f'error: unable to match a printer suitable for the output format "{output}", '
                           f"allowed formats are: {','.join(OPERATION_FORMATS)}")
    if not template:
        raise KubectlError("error: template format specified but no template given")
    if name in _GO_TEMPLATE:
        from labkube.kubectl.commands._output import go_template_of

        return OutputFormat("go-template", go_template_of(ctx, f"{name}={template}").text)
    if name not in ("jsonpath", "jsonpath-as-json"):
        raise KubectlError(f"error: -o {name} is not available in labkube's kubectl: use "
                           "-o jsonpath=TEMPLATE, -o json or -o yaml")
    _parse_jsonpath(template)
    return OutputFormat(name, template)


def _parse_jsonpath(template: str) -> None:
    from labkube.kubectl import jsonpath

    try:
        jsonpath.parse(template)
    except jsonpath.JSONPathError as err:
        raise KubectlError(f"error: error parsing jsonpath {template}, {err}") from None


def render_output(ctx: Context, events: list[dict], output: OutputFormat) -> str:
    """The EventList in the ``-o`` format (errors while printing are ignored, as kubectl does)."""
    from labkube.kubectl import jsonpath
    from labkube.kubectl.output import to_json, to_yaml

    show_managed = ctx.flags.get("show-managed-fields", False)
    if output.name == "name":
        return ""  # NamePrinter: "list types are not supported by name printing" (ignored)
    if output.name == "json":
        return to_json(event_list(events, managed_fields=show_managed), sort_keys=False)
    if output.name == "yaml":
        return to_yaml(event_list(events, managed_fields=show_managed))
    document = event_list(events, managed_fields=True)
    allow_missing = ctx.flags.get("allow-missing-template-keys", True)
    if output.name == "go-template":
        return go_template_text(output, document, allow_missing)
    try:
        results = jsonpath.find_results(output.template, document, allow_missing)
    except (jsonpath.JSONPathError, RecursionError):
        return ""  # JSONPath.Execute fails before it writes anything; kubectl ignores the error
    if output.name == "jsonpath-as-json":
        return "".join(to_json(list(group)) for group in results)
    return jsonpath.execute(output.template, document, allow_missing)


def go_template_text(output: OutputFormat, document: dict, allow_missing: bool) -> str:
    """What ``-o go-template`` writes for a typed Event or EventList: on an execution error, what
    the template wrote and the debugging block (the error itself kubectl ignores)."""
    from labkube.kubectl import gotemplate
    from labkube.kubectl.output import to_json

    raw = to_json(document, indent=None, sort_keys=False)
    return gotemplate.print_object(gotemplate.Template(output.template), document, allow_missing, raw)[0]


def event_list(events: list[dict], *, managed_fields: bool) -> dict:
    """The ``corev1.EventList`` kubectl builds: fresh list metadata, typed items."""
    return {"kind": "EventList", "apiVersion": "v1", "metadata": {},
            "items": [typed_event(e, managed_fields=managed_fields) for e in events]}


def typed_event(raw: dict, *, managed_fields: bool = True) -> dict:
    """``corev1.Event`` as ``encoding/json`` writes it: struct field order and omitempty rules.

    Unset times print ``null`` (a struct is never "empty" to omitempty), unset counts and
    strings are left out, ``reportingComponent``/``reportingInstance`` always print.
    """
    event: dict[str, Any] = {"kind": "Event", "apiVersion": "v1",
                             "metadata": _object_meta(raw.get("metadata") or {}, managed_fields),
                             "involvedObject": _object_reference(raw.get("involvedObject") or {})}
    _put_string(event, "reason", raw.get("reason"))
    _put_string(event, "message", raw.get("message"))
    source = raw.get("source") or {}
    event["source"] = {}
    _put_string(event["source"], "component", source.get("component"))
    _put_string(event["source"], "host", source.get("host"))
    event["firstTimestamp"] = _go_time_text(raw.get("firstTimestamp"), micro=False)
    event["lastTimestamp"] = _go_time_text(raw.get("lastTimestamp"), micro=False)
    if raw.get("count"):
        event["count"] = raw["count"]
    _put_string(event, "type", raw.get("type"))
    event["eventTime"] = _go_time_text(raw.get("eventTime"), micro=True)
    if raw.get("series") is not None:
        event["series"] = _series(raw["series"])
    _put_string(event, "action", raw.get("action"))
    if raw.get("related") is not None:
        event["related"] = _object_reference(raw["related"])
    event["reportingComponent"] = raw.get("reportingComponent") or ""
    event["reportingInstance"] = raw.get("reportingInstance") or ""
    return event


def _put_string(target: dict, key: str, value: Any) -> None:
    """A string field with ``omitempty``."""
    if value:
        target[key] = value


def _go_time_text(text: Optional[str], *, micro: bool) -> Optional[str]:
    """``metav1.Time`` (RFC 3339, whole seconds) or ``MicroTime`` (six digits), UTC; None if unset.

    Go's ``Format`` truncates the fraction; the text is parsed, not rounded through a float.
    """
    from datetime import datetime, timezone

    if text is None or go_time(text) is None:
        return None
    match = _RFC3339.match(text.strip())
    if match is None:
        return None
    base, fraction, zone = match.groups()
    zone = "+00:00" if zone in ("Z", "z") else zone
    moment = datetime.fromisoformat(f"{base}.{(fraction or '0')[:6].ljust(6, '0')}{zone}")
    moment = moment.astimezone(timezone.utc)
    if micro:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


_RFC3339 = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|z|[+-]\d{2}:\d{2})$")


def _series(raw: dict) -> dict:
    series: dict[str, Any] = {}
    if raw.get("count"):
        series["count"] = raw["count"]
    series["lastObservedTime"] = _go_time_text(raw.get("lastObservedTime"), micro=True)
    return series


_REFERENCE_FIELDS = ("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath")


def _object_reference(raw: dict) -> dict:
    """``corev1.ObjectReference``: every field a string with ``omitempty``."""
    reference: dict[str, Any] = {}
    for key in _REFERENCE_FIELDS:
        _put_string(reference, key, raw.get(key))
    return reference


_META_STRINGS = ("name", "generateName", "namespace", "selfLink", "uid", "resourceVersion")


def _object_meta(raw: dict, managed_fields: bool) -> dict:
    """``metav1.ObjectMeta`` in struct order; maps with sorted keys, as Go marshals maps."""
    meta: dict[str, Any] = {}
    for key in _META_STRINGS:
        _put_string(meta, key, raw.get(key))
    if raw.get("generation"):
        meta["generation"] = raw["generation"]
    meta["creationTimestamp"] = _go_time_text(raw.get("creationTimestamp"), micro=False)
    if raw.get("deletionTimestamp"):
        meta["deletionTimestamp"] = _go_time_text(raw["deletionTimestamp"], micro=False)
    if raw.get("deletionGracePeriodSeconds") is not None:
        meta["deletionGracePeriodSeconds"] = raw["deletionGracePeriodSeconds"]
    for key in ("labels", "annotations"):
        if raw.get(key):
            meta[key] = dict(sorted(raw[key].items()))
    if raw.get("ownerReferences"):
        meta["ownerReferences"] = [_owner_reference(ref) for ref in raw["ownerReferences"]]
    if raw.get("finalizers"):
        meta["finalizers"] = list(raw["finalizers"])
    if managed_fields and raw.get("managedFields"):
        meta["managedFields"] = [_managed_fields_entry(entry) for entry in raw["managedFields"]]
    return meta


def _owner_reference(raw: dict) -> dict:
    reference = {key: raw.get(key) or "" for key in ("apiVersion", "kind", "name", "uid")}
    for key in ("controller", "blockOwnerDeletion"):
        if raw.get(key) is not None:
            reference[key] = raw[key]
    return reference


def _managed_fields_entry(raw: dict) -> dict:
    entry: dict[str, Any] = {}
    for key in ("manager", "operation", "apiVersion"):
        _put_string(entry, key, raw.get(key))
    if raw.get("time"):
        entry["time"] = _go_time_text(raw["time"], micro=False)
    _put_string(entry, "fieldsType", raw.get("fieldsType"))
    if raw.get("fieldsV1") is not None:
        entry["fieldsV1"] = raw["fieldsV1"]  # raw JSON: its keys keep the server's order
    _put_string(entry, "subresource", raw.get("subresource"))
    return entry


# ---------------------------------------------------------------------------------------
# Go's sort.Sort: kubectl events sorts with it (see labkube.kubectl.gosort for the port)
# ---------------------------------------------------------------------------------------


def go_sort(items: list, key: Callable[[Any], Any]) -> list:
    """``sort.Sort(items)`` with ``Less(i, j) = key(items[i]) < key(items[j])``; a new list.
    Not stable: ties come out as Go's pattern-defeating quicksort leaves them."""
    keyed = gosort.go_sort([(key(item), item) for item in items], lambda a, b: a[0] < b[0])
    return [item for _, item in keyed]
