"""PrioritySort: the order of the scheduling queue — higher priority first, then older first.

Mirrors pkg/scheduler/framework/plugins/queuesort. ``less(a, b)`` compares two queued pods
by ``spec.priority`` (descending) and then by the time they entered the queue.
"""

from __future__ import annotations

NAME = "PrioritySort"


class PrioritySort:
    name = NAME

    def sort_key(self, priority: int, timestamp: float, seq: int) -> tuple:
        """A key such that sorting ascending gives kube-scheduler's activeQ order."""
        return (-priority, timestamp, seq)

    def less(self, a, b) -> bool:
        return self.sort_key(a.priority, a.timestamp, a.seq) < self.sort_key(b.priority, b.timestamp, b.seq)

    def events_to_register(self):
        return []


def new(args=None, handle=None) -> PrioritySort:
    return PrioritySort()
