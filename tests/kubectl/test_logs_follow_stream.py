"""The stream behind ``kubectl logs -f``: the kubelet's ``ReadLogs`` over the runtime's log file
(:mod:`labkube.runtime.log_reader`), read on a simulated clock with one simulated container.

What it mirrors (pkg/kubelet/kuberuntime/logs): the log so far first, with ``tail``, ``since``,
``timestamps`` and ``limitBytes`` applied; then each line when it is written; a running
container's unfinished line is not in the file yet; the stream ends when the container stops
(after what it left unfinished) or when ``limitBytes`` are spent.
"""

from __future__ import annotations

import pytest

from labkube.core.clock import EPOCH, SimulatedClock
from labkube.runtime.log_reader import LogOptions, LogReader
from labkube.runtime.sim import SimRuntime
from tests.runtime.conftest import FakeNetwork, start

#: Prints ``one`` at once, ``two`` after 1 s, ``half`` (no newline) after 2 s, exits after 4 s.
SCRIPT = "echo one; sleep 1; echo two; sleep 1; printf half; sleep 2"


@pytest.fixture
def container():
    clock = SimulatedClock(seed=0)
    runtime = SimRuntime(clock, "node-1", network=FakeNetwork())
    cid = start(runtime, clock, "busybox", command=("sh", "-c", SCRIPT))
    return clock, runtime, cid


def follow(runtime, cid, **options) -> LogReader:
    return LogReader(runtime, cid, LogOptions(follow=True, **options))


def reads(clock, reader, seconds: int) -> list[str]:
    """What each read carries: now, then after each of ``seconds`` seconds."""
    texts = [reader.read()]
    for _ in range(seconds):
        clock.run(1)
        texts.append(reader.read())
    return texts


def test_the_stream_carries_each_line_when_written_and_ends_with_the_container(container):
    clock, runtime, cid = container
    reader = follow(runtime, cid)
    texts = reads(clock, reader, 5)
    assert texts == ["one\n", "two\n", "", "", "half", ""]
    assert reader.ended


def test_a_running_containers_unfinished_line_waits_for_its_end(container):
    clock, runtime, cid = container
    clock.run(2.5)
    reader = follow(runtime, cid)
    assert reader.read() == "one\ntwo\n" and not reader.ended
    assert runtime.logs(cid) == "one\ntwo\nhalf"  # a plain read shows it (labkube's runtime does)


@pytest.mark.parametrize("name, options, first, rest", [
    ("tail starts that many lines before the end", {"tail": 1}, "two\n", "half"),
    ("tail 0 starts at the end", {"tail": 0}, "", "half"),
    ("since skips the older lines", {"since": EPOCH + 1.0}, "two\n", "half"),
    ("timestamps come first", {"timestamps": True, "tail": 1}, "2025-01-01T00:00:01.603000000Z two\n",
     "2025-01-01T00:00:04.603000000Z half"),
    ("limit bytes cut the stream and end it", {"limit_bytes": 6}, "one\ntw", ""),
])
def test_the_log_so_far_honours_the_options(container, name, options, first, rest):
    clock, runtime, cid = container
    clock.run(1.5)
    reader = follow(runtime, cid, **options)
    assert reader.read() == first
    clock.run(5)
    assert reader.read() == rest and reader.ended


def test_without_follow_the_reader_reads_once(container):
    clock, runtime, cid = container
    clock.run(1.5)
    reader = LogReader(runtime, cid, LogOptions(limit_bytes=5))
    assert (reader.read(), reader.ended, reader.read()) == ("one\nt", True, "")


def test_a_removed_container_ends_its_stream(container):
    clock, runtime, cid = container
    reader = follow(runtime, cid)
    assert reader.read() == "one\n"
    runtime.remove_container(cid)
    assert (reader.read(), reader.ended) == ("", True)


def test_the_log_file_holds_an_unfinished_line_only_once_the_container_has_exited(container):
    clock, runtime, cid = container
    clock.run(2.5)
    assert [line.text for line in runtime.log_lines(cid)] == ["one", "two"]
    clock.run(3)
    lines = runtime.log_lines(cid, 1)
    assert [(line.text, line.complete) for line in lines] == [("two", True), ("half", False)]
