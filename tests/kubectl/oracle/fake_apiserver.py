"""A tiny read-only API server on 127.0.0.1 so the REAL kubectl 1.32 can be used as an oracle.

Used only to *capture* golden files (``capture.py``); the test suite never starts it. It serves
legacy discovery for labkube's resource registry and GET/list of fixture objects (with the
field selectors ``kubectl describe`` sends for events and node pods), and 404 Status otherwise.
Real kubectl then prints ``describe``, ``-o yaml``/``json``/``jsonpath``/``custom-columns`` and
``create -f --dry-run=client -o yaml`` from our objects, and we store what it printed.

When kubectl asks for a ``meta.k8s.io/v1`` Table (``kubectl get`` without ``-o``), the cells come
from labkube's own column functions (the server side of server-side printing, written from
printers.go); everything kubectl does with the Table — headers, ``-o wide`` filtering,
NAMESPACE/LABELS columns, ``pod/`` prefixes, tabwriter alignment, blank lines between kinds,
"No resources found" — is then the real kubectl's, and is what the table goldens check.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from labkube.core.api.resources import default_registry


def _discovery(registry):
    groups: dict[str, list] = {}
    for rtype in registry.all():
        groups.setdefault(rtype.api_version, []).append(rtype)
    return groups


class _Server(ThreadingHTTPServer):
    # kubectl fetches every API group's discovery at once; with socketserver's default listen
    # backlog of 5, the connections beyond it wait for a SYN retransmit (1 s) and the captures
    # that must finish within one second of the snapshot never do.
    request_queue_size = 64


class FakeAPIServer:
    def __init__(self, objects: list[dict]) -> None:
        self.registry = default_registry()
        self.groups = _discovery(self.registry)
        self.objects = objects
        handler = self._handler()
        self.httpd = _Server(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- routing ----------------------------------------------------------------------------

    now: float | None = None

    def route(self, path: str, query: dict, accept: str = "") -> tuple[int, dict]:
        parts = [p for p in path.split("/") if p]
        if parts == ["api"]:
            return 200, {"kind": "APIVersions", "versions": ["v1"],
                         "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]}
        if parts == ["apis"]:
            return 200, self._group_list()
        if parts in (["api", "v1"],) or (len(parts) == 3 and parts[0] == "apis"):
            gv = "v1" if parts[0] == "api" else f"{parts[1]}/{parts[2]}"
            return self._resource_list(gv)
        if parts == ["version"]:
            return 200, {"major": "1", "minor": "32", "gitVersion": "v1.32.0"}
        code, body = self._objects(parts, query)
        if code == 200 and "as=Table" in accept:
            return code, self._table(body, parts)
        return code, body

    def _table(self, body: dict, parts: list[str]) -> dict:
        from labkube.kubectl.printers.columns import column_set

        gv = "v1" if parts[0] == "api" else f"{parts[1]}/{parts[2]}"
        items = body["items"] if "items" in body else [body]
        kind = body["kind"][:-4] if "items" in body else body["kind"]
        cset = column_set(kind)
        now = self.now if self.now is not None else __import__("time").time()
        rows = []
        for item in items:
            obj = {"apiVersion": gv, "kind": kind, **item}
            rows.append({"cells": cset.row(obj, now),
                         "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                                    "metadata": obj["metadata"]}})
        columns = [{"name": c.name, "type": "string", "format": "name" if c.is_name else "",
                    "description": "", "priority": c.priority} for c in cset.columns]
        return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": "100"},
                "columnDefinitions": columns, "rows": rows}

    def _group_list(self) -> dict:
        groups = {}
        for gv in self.groups:
            if "/" not in gv:
                continue
            group, version = gv.split("/")
            groups.setdefault(group, []).append(version)
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
            {"name": g, "versions": [{"groupVersion": f"{g}/{v}", "version": v} for v in vs],
             "preferredVersion": {"groupVersion": f"{g}/{vs[0]}", "version": vs[0]}}
            for g, vs in sorted(groups.items())]}

    def _resource_list(self, gv: str) -> tuple[int, dict]:
        if gv not in self.groups:
            return 404, _status(404, "NotFound", "the server could not find the requested resource")
        resources = []
        for r in self.groups[gv]:
            resources.append({"name": r.plural, "singularName": r.singular, "namespaced": r.namespaced,
                              "kind": r.kind, "verbs": list(r.verbs), "shortNames": list(r.short_names),
                              "categories": list(r.categories)})
            if "scale" in r.subresources:  # what `kubectl autoscale` looks for in discovery
                resources.append({"name": f"{r.plural}/scale", "singularName": "", "namespaced": r.namespaced,
                                  "group": "autoscaling", "version": "v1", "kind": "Scale",
                                  "verbs": ["get", "patch", "update"]})
        return 200, {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}

    def _objects(self, parts: list[str], query: dict) -> tuple[int, dict]:
        if parts[0] == "api":
            gv, rest = "v1", parts[2:]
        else:
            gv, rest = f"{parts[1]}/{parts[2]}", parts[3:]
        namespace = None
        if len(rest) >= 2 and rest[0] == "namespaces" and (len(rest) > 2):
            namespace, rest = rest[1], rest[2:]
        plural, name = rest[0], (rest[1] if len(rest) > 1 else None)
        rtype = next((r for r in self.groups.get(gv, []) if r.plural == plural), None)
        if rtype is None:
            return 404, _status(404, "NotFound", "the server could not find the requested resource")
        matches = [o for o in self.objects
                   if o.get("kind") == rtype.kind and o.get("apiVersion") == rtype.api_version
                   and (namespace is None or o["metadata"].get("namespace") == namespace)]
        if name is not None:
            for obj in matches:
                if obj["metadata"]["name"] == name:
                    return 200, obj
            return 404, _status(404, "NotFound", f'{rtype.qualified_resource} "{name}" not found',
                                {"name": name, "group": rtype.group, "kind": rtype.plural})
        matches = [o for o in matches if _field_match(o, query.get("fieldSelector", [""])[0])]
        matches = [o for o in matches if _label_match(o, query.get("labelSelector", [""])[0])]
        items = [{k: v for k, v in o.items() if k not in ("kind", "apiVersion")} for o in matches]
        return 200, {"kind": rtype.list_kind, "apiVersion": rtype.api_version,
                     "metadata": {"resourceVersion": "100"}, "items": items}

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server API
                url = urlparse(self.path)
                code, body = server.route(url.path, parse_qs(url.query), self.headers.get("Accept", ""))
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        return Handler


def _status(code, reason, message, details=None):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "details": details or {}, "code": code}


def _lookup(obj: dict, path: str):
    value = obj
    for part in path.split("."):
        if not isinstance(value, dict):
            return ""
        value = value.get(part, "")
    return value if value is not None else ""


def _field_match(obj: dict, selector: str) -> bool:
    for term in filter(None, selector.split(",")):
        if "!=" in term:
            key, want = term.split("!=", 1)
            if str(_lookup(obj, key)) == want:
                return False
        else:
            key, want = term.split("=", 1)
            key = key.rstrip("=")
            if str(_lookup(obj, key)) != want:
                return False
    return True


def _label_match(obj: dict, selector: str) -> bool:
    labels = obj["metadata"].get("labels") or {}
    for term in filter(None, selector.split(",")):
        if "=" in term:
            key, want = term.split("=", 1)
            if labels.get(key.rstrip("=!")) != want:
                return False
    return True
