"""The key index keeps one key's generations (the worked example of key_index.py)."""

import pytest

from labkube.core.store.key_index import KeyIndex
from labkube.core.store.revision import Revision


def worked_example() -> KeyIndex:
    """put at 2, put at 5, delete at 7, put at 9 — as in the module docstring."""
    ki = KeyIndex("/registry/pods/default/web")
    ki.put(Revision(2))
    ki.put(Revision(5))
    ki.tombstone(Revision(7))
    ki.put(Revision(9))
    return ki


def lives(ki: KeyIndex) -> list[list[int]]:
    return [[r.main for r in g.revs] for g in ki.generations]


def test_a_tombstone_closes_the_generation_and_opens_an_empty_one():
    ki = KeyIndex("k")
    ki.put(Revision(2))
    ki.tombstone(Revision(3))
    assert lives(ki) == [[2, 3], []]


def test_the_worked_example_builds_two_generations():
    assert lives(worked_example()) == [[2, 5, 7], [9]]


@pytest.mark.parametrize(
    "at, expected",
    [(1, None), (2, 2), (4, 2), (5, 5), (6, 5), (7, None), (8, None), (9, 9), (100, 9)],
    ids=[
        "before the key existed",
        "at its creation",
        "between the first two puts",
        "at the second put",
        "just before the delete",
        "at the delete",
        "while deleted",
        "at the re-creation",
        "long after",
    ],
)
def test_get_returns_the_newest_revision_of_the_generation_alive_then(at, expected):
    rev = worked_example().get(at)
    assert (rev.main if rev else None) == expected


@pytest.mark.parametrize(
    "at, kept, dropped",
    [
        (4, [[2, 5, 7], [9]], []),
        (5, [[5, 7], [9]], [2]),
        (6, [[5, 7], [9]], [2]),
        (7, [[9]], [2, 5, 7]),
        (8, [[9]], [2, 5, 7]),
        (10, [[9]], [2, 5, 7]),
    ],
    ids=[
        "compacting at 4 keeps 2, the answer at 4",
        "compacting at 5 drops 2",
        "compacting at 6 keeps 5, the answer at 6",
        "compacting at the tombstone drops the whole first life",
        "compacting while deleted drops the whole first life",
        "compacting past everything keeps the current value",
    ],
)
def test_compaction_keeps_what_a_read_at_the_point_needs(at, kept, dropped):
    ki = worked_example()
    gone = ki.compact(at)
    assert (lives(ki), [r.main for r in gone]) == (kept, dropped)


def test_a_key_deleted_before_the_compaction_point_is_left_empty():
    ki = KeyIndex("k")
    ki.put(Revision(2))
    ki.tombstone(Revision(3))
    assert ki.compact(4) == [Revision(2), Revision(3)]
    assert ki.is_empty()


@pytest.mark.parametrize(
    "build",
    [
        lambda ki: ki.put(Revision(5)),
        lambda ki: ki.put(Revision(5, 0)) or ki.put(Revision(4, 3)),
    ],
    ids=["the same revision twice", "an older revision"],
)
def test_revisions_must_grow(build):
    ki = KeyIndex("k")
    with pytest.raises(ValueError):
        build(ki)
        build(ki)


def test_tombstoning_a_deleted_key_is_refused():
    ki = KeyIndex("k")
    ki.put(Revision(2))
    ki.tombstone(Revision(3))
    with pytest.raises(ValueError):
        ki.tombstone(Revision(4))


def test_state_round_trips():
    ki = worked_example()
    again = KeyIndex.from_state(ki.key, ki.to_state())
    assert (lives(again), again.modified) == (lives(ki), ki.modified)
    assert again.to_state() == ki.to_state()
