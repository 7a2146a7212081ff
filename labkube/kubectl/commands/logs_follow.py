"""``kubectl logs -f``: what a container has written, then each new line as it writes it, on the cluster clock.

Mirrors ``RunLogs`` of k8s.io/kubectl/pkg/cmd/logs (kubectl 1.32) with ``Follow`` set, and the
stream the kubelet serves for ``GET pods/log?follow=true`` (``ReadLogs``, see
:mod:`labkube.runtime.log_reader`):

* one request (a pod, a container, ``TYPE/NAME``): the stream prints the log as it is
  (``--tail``, ``--since``, ``--since-time``, ``--timestamps``, ``--limit-bytes`` apply), then each
  line when the container writes it. **It ends by itself, exit code 0, when the container
  stops** -- the kubelet closes the stream then -- so ``kubectl logs -f`` of a Job's pod needs no
  bound. A restarted container is a new instance: its stream is a new ``logs -f``;
* several requests (``-l``, ``--all-containers``, ``--all-pods``): at most ``--max-log-requests``
  (5) streams, else ``error: you are attempting to follow 6 log streams, but maximum allowed
  concurrency is 5, use --max-log-requests to increase the limit``. kubectl reads them all at
  once and writes each line as it arrives: here each stream's log so far in turn (kubectl's
  order is the goroutines'), then the lines as they are written, in time order. A stream that
  fails ends the command with its error -- or, with ``--ignore-errors``, writes
  ``error: ...`` among the logs and lets the others go on;
* a running container writes for ever. A real ``kubectl logs -f`` waits until Ctrl-C or until
  ``--request-timeout`` expires; the timeout ends the stream in the middle of reading, and
  kubectl says so: ``error: net/http: request canceled (Client.Timeout or context cancellation
  while reading body)``, exit code 1 (checked against the real kubectl 1.32; unlike
  ``get -w``, whose end of watch is no error). labkube's bound is the same flag: the command
  runs the cluster clock until every stream has ended or the timeout has passed, whichever
  comes first. A stream that would stay open with no ``--request-timeout`` is refused before
  the clock moves, saying how to bound it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from labkube.core.errors import StatusError
from labkube.kubectl.commands import Context
from labkube.kubectl.commands.get_watch import request_timeout
from labkube.kubectl.commands.logs import prefixed, request_options
from labkube.kubectl.errors import KubectlError

UNBOUNDED = (
    "error: a running container's log stream stays open on a real cluster until its container "
    "stops, and labkube's clock only runs when asked: bound it with --request-timeout (e.g. "
    "\"kubectl logs -f web --request-timeout=60s\" runs the cluster clock up to 60 seconds and prints "
    "every line written in that time; the stream ends sooner if the container stops)"
)
#: What client-go's HTTP client says when ``--request-timeout`` ends a response it is reading.
TIMED_OUT = "net/http: request canceled (Client.Timeout or context cancellation while reading body)"


@dataclass
class Stream:
    """One log request being followed: its source, the open reader (None when it failed)."""

    pod: dict
    container: str
    reader: Any = None
    error: str = ""
    backlog: str = field(default="", repr=False)

    @property
    def open(self) -> bool:
        return self.reader is not None and not self.reader.ended


def run(ctx: Context, requests: list[tuple[dict, str]], options: dict) -> list[BaseException]:
    """``RunLogs`` with ``--follow``: one stream, or ``parallelConsumeRequest`` for several."""
    timeout = request_timeout(ctx)
    parallel = len(requests) > 1
    limit = ctx.flags["max-log-requests"]
    if parallel and len(requests) > limit:
        raise KubectlError(f"error: you are attempting to follow {len(requests)} log streams, but maximum "
                           f"allowed concurrency is {limit}, use --max-log-requests to increase the limit")
    streams = [_open(ctx, pod, container, options, tolerant=parallel) for pod, container in requests]
    for stream in streams:
        if stream.reader is not None:
            stream.backlog = stream.reader.read()
    if timeout <= 0 and any(stream.open for stream in streams):
        raise KubectlError(UNBOUNDED)
    for stream in streams:
        _write(ctx, stream, stream.backlog)
    _follow(ctx, streams, timeout)
    still_open = [stream for stream in streams if stream.open]
    if still_open and not (parallel and ctx.flags["ignore-errors"]):
        raise KubectlError(f"error: {TIMED_OUT}")
    for _ in still_open:
        ctx.term.out(f"error: {TIMED_OUT}\n")  # --ignore-errors: each stream's error among the logs
    return []


def _open(ctx: Context, pod: dict, container: str, options: dict, *, tolerant: bool) -> Stream:
    """``request.Stream``: the server answers the request (a stream, or an API error). Among
    several streams with ``--ignore-errors`` a refused one is written as ``error: <message>``."""
    meta = pod["metadata"]
    kwargs = request_options(options, container)
    kwargs.update(previous=ctx.flags["previous"], timestamps=ctx.flags["timestamps"])
    try:
        return Stream(pod, container, ctx.client.pod_log_stream(meta["name"], meta["namespace"], **kwargs))
    except StatusError as err:
        if not (tolerant and ctx.flags["ignore-errors"]):
            raise
        return Stream(pod, container, error=err.message)


def _write(ctx: Context, stream: Stream, text: str) -> None:
    if stream.error:
        ctx.term.out(f"error: {stream.error}\n")  # written straight to the pipe: no prefix
        stream.error = ""
    ctx.term.out(prefixed(ctx, stream.pod, stream.container, text))


def _follow(ctx: Context, streams: list[Stream], timeout: float) -> None:
    """Run the clock until every stream has ended or ``timeout`` seconds have passed,
    writing each stream's new lines after every step (so lines come out in time order)."""
    if not any(stream.open for stream in streams):
        return

    def read_all() -> bool:
        for stream in streams:
            if stream.open:
                _write(ctx, stream, stream.reader.read())
        return not any(stream.open for stream in streams)

    if not ctx.cluster.run_until(read_all, timeout):
        read_all()
