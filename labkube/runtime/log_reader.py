"""Reading a container's log for ``GET pods/log``, once or following it.

Mirrors ``ReadLogs`` in pkg/kubelet/kuberuntime/logs of Kubernetes 1.32: the runtime writes
each line a container prints to its log file (:meth:`~labkube.runtime.cri.ContainerRuntime.log_lines`),
and the kubelet reads that file for the API server:

* ``tailLines`` starts the reading that many lines before the end; ``sinceSeconds`` /
  ``sinceTime`` skip the lines written before that moment; ``timestamps`` puts the time each
  line was written in front of it (``2025-01-01T00:00:02.603000000Z line 2``); ``limitBytes``
  cuts the output after that many bytes, in the middle of a line if need be, and ends it;
* without ``follow`` the reader gives what the file holds and is done;
* with ``follow`` it first gives what the file holds, then, each time it is read again, the
  lines written since. A running container's unfinished line is not in the file yet (the
  runtime writes whole lines). When the container is no longer running the reader gives what
  is left -- what the process left unfinished included -- and ends: the kubelet closes a
  follow stream when its container exits. It follows one container instance: when the
  container restarts, the new instance's log is another file and another stream.

The real kubelet notices the exit within a second (``logForceCheckPeriod``); here the stream
ends at the first read after it. A :class:`LogReader` is read on the cluster clock by whoever
holds the stream (``kubectl logs -f``); it never moves the clock itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from labkube.core.clock import format_micro_timestamp
from labkube.runtime.cri import CONTAINER_RUNNING, LogLine, NotFoundError


@dataclass(frozen=True)
class LogOptions:
    """The kubelet's ``LogOptions`` (from the request's ``PodLogOptions``): ``since`` is a
    moment on the cluster clock, None for the whole log; ``tail`` and ``limit_bytes`` None for
    no limit."""

    tail: Optional[int] = None
    since: Optional[float] = None
    limit_bytes: Optional[int] = None
    timestamps: bool = False
    follow: bool = False


class LogReader:
    """One ``GET pods/log`` stream of one container instance: :meth:`read` returns the text
    the stream carries from the previous read to now; :attr:`ended` says the stream is closed."""

    def __init__(self, runtime: Any, container_id: str, options: LogOptions) -> None:
        self.runtime = runtime
        self.container_id = container_id
        self.options = options
        self.ended = False
        self._remaining = options.limit_bytes
        self._read_lines = 0  # lines of the file read so far
        self._started = False

    def read(self) -> str:
        """What the stream carries now: the first read the log as it is (honouring tail and
        since), each later read the lines written since; "" once the stream has ended."""
        if self.ended:
            return ""
        if not self.options.follow:
            self.ended = True
            return self._cut(self.runtime.logs(self.container_id, tail=self.options.tail,
                                               timestamps=self.options.timestamps, since=self.options.since))
        running, lines = self._file()
        if not self._started:
            self._started = True
            lines = self._tail(lines)
        if not running:
            self.ended = True
        return self._cut("".join(self._format(line) for line in lines
                                 if self.options.since is None or line.time >= self.options.since))

    # -- steps -----------------------------------------------------------------------------
    def _file(self) -> tuple[bool, tuple[LogLine, ...]]:
        """Whether the container still runs, and the lines of its log file not read yet (its
        state first: a container that has exited has written everything it will write)."""
        try:
            running = self.runtime.container_status(self.container_id).state == CONTAINER_RUNNING
            lines = self.runtime.log_lines(self.container_id, self._read_lines)
        except NotFoundError:  # removed: its log file is gone with it
            return False, ()
        self._read_lines += sum(1 for line in lines if line.complete)
        return running, lines

    def _tail(self, lines: tuple[LogLine, ...]) -> tuple[LogLine, ...]:
        tail = self.options.tail
        if tail is None or tail < 0:
            return lines
        return lines[len(lines) - tail:] if tail else ()

    def _format(self, line: LogLine) -> str:
        stamp = format_micro_timestamp(line.time)[:-1] + "000Z " if self.options.timestamps else ""
        return stamp + line.text + ("\n" if line.complete else "")

    def _cut(self, text: str) -> str:
        """``limitBytes``: at most that many bytes in all; the stream ends when they are spent."""
        if self._remaining is None or not text:
            return text
        data = text.encode()
        if len(data) >= self._remaining:
            text = data[:self._remaining].decode("utf-8", "ignore")
            self._remaining = 0
            self.ended = True
            return text
        self._remaining -= len(data)
        return text
