"""``curl``: the HTTP client of Debian-based images (nginx, httpd), as curl 7.88.1 behaves.

Mirrors the options a Kubernetes tutorial uses and curl's messages for them (src/tool_getparam.c,
lib/strerror.c, lib/connect.c, lib/vtls/openssl.c):

* ``-X/--request METHOD``, ``-H/--header 'Name: value'``, ``-d/--data``, ``--data-raw``,
  ``--data-binary`` (``@file`` reads a file; ``-d`` drops its newlines; data makes the request a
  POST with ``Content-Type: application/x-www-form-urlencoded`` unless a header says otherwise),
  ``-A/--user-agent`` (default ``curl/7.88.1``), ``-o/--output FILE``, ``-i/--include``,
  ``-f/--fail``, ``-s/--silent``, ``-S/--show-error``, ``-L`` (accepted), ``-w '%{http_code}\\n'``,
  ``--connect-timeout SEC``, ``-m/--max-time SEC``;
* TLS for ``https`` URLs (see :mod:`.tls`): ``--cacert FILE`` or the system bundle, ``-k/--insecure``;
  a certificate curl does not trust is exit 60 with ``curl: (60) SSL certificate problem: unable
  to get local issuer certificate`` and curl's advice; a ``--cacert`` that cannot be read is
  exit 77 (``curl: (77) error setting certificate file: PATH``);
* failures: ``(6) Could not resolve host``, ``(7) Failed to connect … Couldn't connect to
  server`` (refused at once; an unanswered SYN after the kernel's 127 s), ``(28) … Timeout was
  reached`` when ``--connect-timeout``/``-m`` ends the wait first, ``(22)`` with ``-f``;
* over TLS kube-apiserver offers HTTP/2 (ALPN), so ``-i`` prints ``HTTP/2 200`` and the header
  names in lower case, as curl does.

Short flags combine (``-sSk``, ``-XPOST``); an unknown option is exit 2 with curl's hint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional
from urllib.parse import urlsplit

from labkube.runtime.cri import ConnectionFailed
from labkube.runtime.sim.fs import FsError, normpath
from labkube.runtime.sim.process import Proc, ProgramGen, Sleep, program
from labkube.runtime.sim.tls import (CURL_CA_CERT_HELP, SYSTEM_CA_BUNDLE, CertificateProblem, ClientTLS)
from labkube.runtime.sim.utils import (TCP_CONNECT_GIVES_UP, default_port, http_exchange, reason_phrase,
                                       resolve, wait_for_resolver)

VERSION = "7.88.1"
HINT = "curl: try 'curl --help' or 'curl --manual' for more information\n"

_VALUE_OPTIONS = {
    "-X": "method", "--request": "method", "-H": "header", "--header": "header",
    "-d": "data", "--data": "data", "--data-ascii": "data", "--data-raw": "data-raw",
    "--data-binary": "data-binary", "-o": "output", "--output": "output", "-A": "agent",
    "--user-agent": "agent", "--cacert": "cacert", "--connect-timeout": "connect-timeout",
    "-m": "max-time", "--max-time": "max-time", "-w": "write-out", "--write-out": "write-out",
}
_FLAG_OPTIONS = {
    "-s": "silent", "--silent": "silent", "-S": "show-error", "--show-error": "show-error",
    "-i": "include", "--include": "include", "-f": "fail", "--fail": "fail", "-k": "insecure",
    "--insecure": "insecure", "-L": "location", "--location": "location", "-v": "verbose",
    "--verbose": "verbose",
}


@dataclass
class CurlOptions:
    method: Optional[str] = None
    headers: list = field(default_factory=list)
    data: list = field(default_factory=list)  # (kind, text)
    output: Optional[str] = None
    agent: str = f"curl/{VERSION}"
    cacert: Optional[str] = None
    connect_timeout: Optional[float] = None
    max_time: Optional[float] = None
    write_out: Optional[str] = None
    flags: set = field(default_factory=set)
    urls: list = field(default_factory=list)

    @property
    def quiet_errors(self) -> bool:
        """``-s`` hides the error line unless ``-S`` brings it back."""
        return "silent" in self.flags and "show-error" not in self.flags


class UnknownOption(Exception):
    pass


def parse_options(argv: list[str]) -> CurlOptions:
    opts, i = CurlOptions(), 1
    while i < len(argv):
        arg = argv[i]
        if arg.startswith("--") and "=" not in arg and arg in _VALUE_OPTIONS:
            if i + 1 >= len(argv):
                raise UnknownOption(f"curl: option {arg}: requires parameter\n")
            _set(opts, _VALUE_OPTIONS[arg], argv[i + 1])
            i += 1
        elif arg.startswith("--"):
            if arg not in _FLAG_OPTIONS:
                raise UnknownOption(f"curl: option {arg}: is unknown\n")
            opts.flags.add(_FLAG_OPTIONS[arg])
        elif arg.startswith("-") and len(arg) > 1:
            i = _short_cluster(argv, i, opts)
        else:
            opts.urls.append(arg)
        i += 1
    return opts


def _short_cluster(argv: list[str], i: int, opts: CurlOptions) -> int:
    """``-sSk``, ``-XPOST``, ``-H 'a: b'``: flags, then at most one option with a value."""
    letters = argv[i][1:]
    for index, letter in enumerate(letters):
        name = f"-{letter}"
        if name in _FLAG_OPTIONS:
            opts.flags.add(_FLAG_OPTIONS[name])
            continue
        if name not in _VALUE_OPTIONS:
            raise UnknownOption(f"curl: option {argv[i]}: is unknown\n")
        value = letters[index + 1:]
        if not value:
            if i + 1 >= len(argv):
                raise UnknownOption(f"curl: option {name}: requires parameter\n")
            value, i = argv[i + 1], i + 1
        _set(opts, _VALUE_OPTIONS[name], value)
        break
    return i


def _set(opts: CurlOptions, key: str, value: str) -> None:
    if key == "header":
        opts.headers.append(value)
    elif key in ("data", "data-raw", "data-binary"):
        opts.data.append((key, value))
    elif key == "method":
        opts.method = value
    elif key == "agent":
        opts.agent = value
    elif key == "write-out":
        opts.write_out = value
    elif key in ("connect-timeout", "max-time"):
        setattr(opts, key.replace("-", "_"), _seconds(value))
    else:
        setattr(opts, key, value)


def _seconds(value: str) -> Optional[float]:
    try:
        return float(value)
    except ValueError:
        return None


# -- building the request ---------------------------------------------------------------------
def request_body(proc: Proc, opts: CurlOptions) -> Optional[bytes]:
    """The data options joined with ``&``; ``@file`` reads a file (``-d`` drops CR and LF)."""
    if not opts.data:
        return None
    pieces = []
    for kind, text in opts.data:
        if kind != "data-raw" and text.startswith("@"):
            text = proc.host.fs.read_text(normpath(text[1:], proc.cwd))
            if kind == "data":
                text = text.replace("\r", "").replace("\n", "")
        pieces.append(text)
    return "&".join(pieces).encode()


def request_headers(opts: CurlOptions, has_body: bool) -> dict:
    headers = {"User-Agent": opts.agent, "Accept": "*/*"}
    for line in opts.headers:
        name, _, value = line.partition(":")
        if value.strip():
            headers[name.strip()] = value.strip()
        else:
            headers.pop(name.strip(), None)  # "-H 'Accept:'" removes a header
    if has_body and not any(k.lower() == "content-type" for k in headers):
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    return headers


def client_tls(proc: Proc, opts: CurlOptions, host: str) -> ClientTLS:
    """The TLS side: no checks with ``-k``; else the ``--cacert`` file or the system bundle
    (raises FileNotFoundError for a --cacert that cannot be read)."""
    if "insecure" in opts.flags:
        return ClientTLS(host, None)
    if opts.cacert is not None:
        try:
            return ClientTLS(host, proc.host.fs.read_text(normpath(opts.cacert, proc.cwd)))
        except FsError:
            raise FileNotFoundError(opts.cacert) from None
    try:
        bundle = proc.host.fs.read_text(SYSTEM_CA_BUNDLE)
    except FsError:
        bundle = ""
    return ClientTLS(host, bundle)


# -- the program ---------------------------------------------------------------------------------
def _fail(proc: Proc, opts: CurlOptions, code: int, message: str, extra: str = "") -> ProgramGen:
    if not opts.quiet_errors:
        proc.err.write(f"curl: ({code}) {message}\n{extra}")
    return code
    yield  # pragma: no cover - makes this a generator


def _connect_failed(proc: Proc, opts: CurlOptions, err: ConnectionFailed, host: str, port: int) -> ProgramGen:
    """Refused at once; an unanswered connect waits for curl's timeout or the kernel's."""
    if "refused" in err.message:
        return (yield from _fail(proc, opts, 7, f"Failed to connect to {host} port {port} after 0 ms: "
                                                "Couldn't connect to server"))
    limits = [t for t in (opts.connect_timeout, opts.max_time) if t]
    limit = min(limits) if limits else None
    if limit is not None and limit < TCP_CONNECT_GIVES_UP:
        yield Sleep(limit)
        if opts.connect_timeout and limit == opts.connect_timeout:
            return (yield from _fail(proc, opts, 28, f"Failed to connect to {host} port {port} after "
                                                     f"{int(limit * 1000)} ms: Timeout was reached"))
        return (yield from _fail(proc, opts, 28, f"Connection timed out after {int(limit * 1000)} milliseconds"))
    yield Sleep(TCP_CONNECT_GIVES_UP)
    return (yield from _fail(proc, opts, 7, f"Failed to connect to {host} port {port} after "
                                            f"{TCP_CONNECT_GIVES_UP * 1000} ms: Couldn't connect to server"))


def _rendered(response, opts: CurlOptions, tls: Optional[ClientTLS]) -> str:
    """The body, after the status line and headers with ``-i`` (HTTP/2 over TLS)."""
    if "include" not in opts.flags:
        return response.body
    if tls is not None and tls.negotiated:
        head = f"HTTP/2 {response.status} \r\n" + "".join(f"{k.lower()}: {v}\r\n" for k, v in response.headers)
    else:
        head = f"HTTP/1.1 {response.status} {reason_phrase(response.status)}\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in response.headers)
    return head + "\r\n" + response.body


@program("curl")
def curl(proc: Proc, argv: list[str]) -> ProgramGen:
    try:
        opts = parse_options(argv)
    except UnknownOption as err:
        proc.err.write(str(err) + HINT)
        return 2
    if not opts.urls:
        proc.err.write(HINT)
        return 2
    url = opts.urls[0]
    parts = urlsplit(url if "://" in url else "http://" + url)
    host, port = parts.hostname or "", parts.port or default_port(parts.scheme)
    body = request_body(proc, opts)
    tls = None
    if parts.scheme == "https":
        try:
            tls = client_tls(proc, opts, host)
        except FileNotFoundError as err:
            return (yield from _fail(proc, opts, 77, f"error setting certificate file: {err.args[0]}"))
    method = opts.method or ("POST" if body is not None else "GET")
    try:
        _, response = http_exchange(proc, url, method=method, headers=request_headers(opts, body is not None),
                                    body=body or b"", tls=tls)
    except LookupError:
        yield from wait_for_resolver(proc, host)
        return (yield from _fail(proc, opts, 6, f"Could not resolve host: {host}"))
    except ConnectionFailed as err:
        found = resolve(proc, host)
        return (yield from _connect_failed(proc, opts, err, host if found else host, port))
    except CertificateProblem as err:
        return (yield from _fail(proc, opts, 60, str(err), CURL_CA_CERT_HELP))
    if "fail" in opts.flags and response.status >= 400:
        return (yield from _fail(proc, opts, 22, f"The requested URL returned error: {response.status}"))
    text = _rendered(response, opts, tls)
    if opts.output:
        proc.host.fs.write(normpath(opts.output, proc.cwd), text)
    else:
        proc.out.write(text)
    if opts.write_out is not None:
        proc.out.write(write_out(opts.write_out, response.status))
    return 0


def write_out(template: str, status: int) -> str:
    """``-w``: ``%{http_code}``/``%{response_code}`` and the escapes ``\\n``, ``\\t``."""
    text = template.replace("%{http_code}", f"{status:03d}").replace("%{response_code}", str(status))
    return text.replace("\\n", "\n").replace("\\t", "\t")
