"""``kubectl proxy``: the API server on a loopback port, with your credentials attached.

Mirrors k8s.io/kubectl/pkg/cmd/proxy and k8s.io/kubectl/pkg/proxy. kubectl listens on
127.0.0.1:8001 (``--port``/``-p``; ``--port=0`` lets the kernel choose, and the line says which:
``Starting to serve on 127.0.0.1:40123``) and sends each request on to the API server as the
kubeconfig's user -- the point of the command: ``curl localhost:8001/api/v1/namespaces/default/pods``
needs no token, because kubectl adds them. ``--as`` and ``--token`` apply to every request.

Before a request goes on, kubectl's filter looks at it (``FilterServer``):

* the Host header must match ``--accept-hosts`` (``^localhost$,^127\\.0\\.0\\.1$,^\\[::1\\]$``);
* the path must match ``--accept-paths`` (``^.*``) and none of ``--reject-paths``
  (``^/api/.*/pods/.*/exec,^/api/.*/pods/.*/attach``: a web page you visit must not be able to
  run commands in your pods through your credentials);
* the method must match none of ``--reject-methods`` (``^$``: none).

A refused request is ``403`` with Go's ``http.Error`` body ``Forbidden``. ``--api-prefix``
(``/``) moves the API under a prefix (``--api-prefix=/k8s-api/`` serves
``/k8s-api/api/v1/pods``); paths outside it are ``404 page not found``.

Here the API server is labkube's HTTP front (:class:`~labkube.core.api.http.APIServerHTTP`),
called in process, so RBAC, admission and audit see the request as they see any other. The
listener serves from a background thread (see :mod:`.loopback`) so the cell returns at once;
``cluster.forwards()`` lists it and ``stop()`` ends it. labkube listens on loopback only:
``--address`` must be 127.0.0.0/8 (kubectl's ``--address=::1`` fails its own way: Go cannot
listen on ``::1:8001``). ``--www`` (static files) and ``--unix-socket`` are not provided.
"""

from __future__ import annotations

import re
from typing import Any, Optional
from urllib.parse import unquote, urlsplit

from labkube.core.api import auth
from labkube.kubectl.commands import Context, _kubeconfig_choice
from labkube.kubectl.commands.loopback import (
    LoopbackServer,
    QuietHandler,
    go_errno_text,
    is_loopback,
    klog_header,
    listen,
    register,
    simulation,
)
from labkube.kubectl.errors import KubectlError

DEFAULT_PORT = 8001
#: http.Error's headers (net/http): plain text, not to be sniffed as anything else.
_PLAIN_TEXT = (("Content-Type", "text/plain; charset=utf-8"), ("X-Content-Type-Options", "nosniff"))
#: Hop-by-hop headers a reverse proxy does not pass on (net/http/httputil).
_HOP_BY_HOP = ("connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization",
               "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length")


def run(ctx: Context) -> list[BaseException]:
    flags = ctx.flags
    if flags["port"] != DEFAULT_PORT and flags["unix-socket"]:
        raise KubectlError("error: cannot set --unix-socket and --port at the same time")
    if flags["unix-socket"] or flags["www"]:
        which = "--unix-socket" if flags["unix-socket"] else "--www"
        raise KubectlError(f'error: "kubectl proxy {which}" is a kubectl option that labkube does not provide; '
                           "labkube's proxy serves the API on a loopback TCP port only")
    rules = None if flags["disable-filter"] else Filter.from_flags(flags, ctx.clock.now())
    if rules is None:
        warning = klog_header("W", ctx.clock.now(), "proxy.go:177")
        ctx.term.err(f"{warning} Request filter disabled, your proxy is vulnerable to XSRF attacks, please be "
                     "cautious\n")
    prefix = flags["api-prefix"] if flags["api-prefix"].endswith("/") else flags["api-prefix"] + "/"
    user, headers = _credentials(ctx)
    proxy = APIProxy(ctx.cluster, prefix, rules, user, headers, "proxy")
    proxy.open(flags["address"], flags["port"])
    line = f"Starting to serve on {proxy.address}\n"
    ctx.term.out(line)
    proxy.write(line)
    register(ctx.cluster, proxy)
    proxy.serve()
    return []


def _credentials(ctx: Context) -> tuple[Optional[auth.UserInfo], dict]:
    """Who the requests are sent as: kubeadm's admin certificate (a user the front takes as
    authenticated), or a bearer token; ``--as``/``--as-group`` become impersonation headers."""
    from labkube.kubectl.commands.kubeconfig import identity

    headers: dict = {}
    user: Optional[auth.UserInfo] = auth.ADMIN
    token = ctx.parsed.get("token")
    if not token:
        chosen = _kubeconfig_choice(ctx.cluster, ctx.parsed)
        _, token = identity(chosen.user) if chosen is not None else ("admin", None)
    if token:
        user, headers["Authorization"] = None, f"Bearer {token}"
    if ctx.parsed.get("as"):
        headers["Impersonate-User"] = ctx.parsed.get("as")
        if ctx.parsed.get("as-group"):
            headers["Impersonate-Group"] = list(ctx.parsed.get("as-group"))
    return user, headers


class Filter:
    """``FilterServer``: which requests kubectl proxy lets through."""

    def __init__(self, accept_paths: str, reject_paths: str, accept_hosts: str, reject_methods: str,
                 now: float = 0.0) -> None:
        self.accept_paths = _regexps(accept_paths, now)
        self.reject_paths = _regexps(reject_paths, now)
        self.accept_hosts = _regexps(accept_hosts, now)
        self.reject_methods = _regexps(reject_methods, now)

    @classmethod
    def from_flags(cls, flags: dict, now: float) -> "Filter":
        return cls(flags["accept-paths"], flags["reject-paths"], flags["accept-hosts"], flags["reject-methods"],
                   now)

    def accept(self, method: str, path: str, host: str) -> bool:
        if _matches(path, self.reject_paths) or _matches(method, self.reject_methods):
            return False
        return _matches(path, self.accept_paths) and _matches(host, self.accept_hosts)


def _regexps(text: str, now: float) -> list[re.Pattern]:
    """``MakeRegexpArray``: comma-separated regular expressions ("" is none)."""
    if text == "":
        return []
    try:
        return [re.compile(part) for part in text.split(",")]
    except re.error as err:  # klog.Fatalf: the process exits with 255 (Python's words for why)
        raise KubectlError(f"{klog_header('F', now, 'proxy_server.go:83')} Error compiling re: error parsing "
                           f"regexp: {err}", 255) from None


def _matches(text: str, regexps: list[re.Pattern]) -> bool:
    return any(regexp.search(text) for regexp in regexps)


def extract_host(header: str) -> str:
    """``extractHost``: the Host header without its port, as ``net.SplitHostPort`` splits it
    (``[::1]:8001`` is ``::1``); a header it cannot split is kept whole."""
    if header.startswith("["):
        end = header.find("]")
        return header[1:end] if end != -1 and header[end + 1:end + 2] == ":" else header
    host, colon, _ = header.rpartition(":")
    return host if colon and ":" not in host else header


class APIProxy(LoopbackServer):
    """One ``kubectl proxy``: a listener and the API server behind it."""

    kind = "proxy"

    def __init__(self, cluster: Any, prefix: str, rules: Optional[Filter], user: Optional[auth.UserInfo],
                 headers: dict, command: str) -> None:
        super().__init__(command)
        self.cluster = cluster
        self.prefix = prefix
        self.rules = rules
        self.user = user
        self.headers = headers

    def open(self, address: str, port: int) -> None:
        """``net.Listen("tcp", "<address>:<port>")``."""
        where = f"{address}:{port}"
        if not 0 <= port <= 0xFFFF:
            raise KubectlError(f"error: listen tcp: address {port}: invalid port")
        if ":" in address:
            raise KubectlError(f"error: listen tcp: address {where}: too many colons in address")
        if not is_loopback(address):
            raise KubectlError(f"error: labkube serves on loopback only: --address={address} is not a loopback "
                               "address (use 127.0.0.1)")
        try:
            self.listeners.append(listen(address, port, _Request, self))
        except OSError as err:
            raise KubectlError(f"error: listen tcp {where}: bind: {go_errno_text(err)}") from None

    @property
    def address(self) -> str:
        listener = self.listeners[0]
        return f"{listener.server_name}:{listener.port}"

    @property
    def url(self) -> str:
        """Where to point curl or a browser: ``http://127.0.0.1:8001``."""
        return f"http://{self.address}"

    # -- one request -------------------------------------------------------------------------
    def answer(self, method: str, target: str, headers: dict, body: bytes) -> tuple[int, Any, bytes]:
        """(status, headers, body) for one request, as kubectl proxy answers it."""
        parts = urlsplit(target)
        path = self._api_path(unquote(parts.path))
        if path is None:
            return 404, _PLAIN_TEXT, b"404 page not found\n"
        host = extract_host(_header(headers, "host"))
        if self.rules is not None and not self.rules.accept(method, path, host):
            return 403, _PLAIN_TEXT, b"Forbidden\n"
        sent = {key: value for key, value in headers.items() if key.lower() not in _HOP_BY_HOP}
        for key, value in self.headers.items():
            if key == "Authorization" and _header(sent, key):
                continue  # client-go's bearer round tripper keeps a request's own
            sent = {k: v for k, v in sent.items() if k.lower() != key.lower()}
            sent[key] = value
        forwarded = path + (f"?{parts.query}" if parts.query else "")
        with simulation(self.cluster):
            reply = self.cluster.apiserver_http.serve(method, forwarded, sent, body, user=self.user)
        # the API server's own Content-Length comes back among its headers
        return reply.status, (*reply.headers, ("Content-Length", str(len(reply.body)))), reply.body

    def _api_path(self, path: str) -> Optional[str]:
        """The path the API server sees, or None outside ``--api-prefix`` (ServeMux's 404).
        A prefix that does not start with ``/api`` is cut off, leaving the slash."""
        if not path.startswith(self.prefix):
            return None
        if self.prefix.startswith("/api"):
            return path
        rest = path[len(self.prefix):]
        return "/" + rest if not rest.startswith("/") else rest


def _header(headers: dict, name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value if isinstance(value, str) else value[0]
    return ""


class _Request(QuietHandler):
    def _serve(self) -> None:
        status, headers, body = self.server.owner.answer(self.command, self.path, self.request_headers(),
                                                         self.read_body())
        self.reply(status, headers, body, head_only=self.command == "HEAD", go_order=True)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _serve
