"""bash's indexed arrays in the simulated shell (the official ``bash`` image), and ``rev``.

The Kubernetes documentation's Indexed Job example picks its work item with
``items=(foo bar baz qux xyz); echo ${items[$JOB_COMPLETION_INDEX]}`` in ``bash`` and reverses it
with ``rev``; this is what those scripts need, and ``sh`` (busybox ash) still refuses arrays.
"""

import pytest

from labkube.runtime.sim.shparse import ShellSyntaxError, parse
from tests.runtime.conftest import start

BASH_CASES = [
    ("an element is picked by its index", "items=(foo bar baz); echo ${items[1]}", "bar\n"),
    ("the index is arithmetic on variables", "i=1; items=(a b c d); echo ${items[$i+2]} ${items[i]}", "d b\n"),
    ("a negative index counts from the end", "items=(a b c); echo ${items[-1]}", "c\n"),
    ("an index past the end is empty", "items=(a b); echo \"[${items[5]}]\"", "[]\n"),
    ("@ lists every element", "items=(x y z); echo ${items[@]}", "x y z\n"),
    ("# counts the elements", "items=(x y z); echo ${#items[@]}", "3\n"),
    ("#name[i] is the length of one element", "items=(one three); echo ${#items[1]}", "5\n"),
    ("the bare name is the first element", "items=(first second); echo $items", "first\n"),
    ("quoted @ keeps each element one field", 'items=("a b" c); for w in "${items[@]}"; do echo "<$w>"; done',
     "<a b>\n<c>\n"),
    ("elements may span lines and be expanded", "n=2\nitems=(\n  one\n  $n\n)\necho ${items[1]}", "2\n"),
    ("a plain variable is an array of one", "x=solo; echo ${x[0]} ${#x[@]}", "solo 1\n"),
    ("unset forgets the array", "items=(a b); unset items; echo \"[${items[@]}]\"", "[]\n"),
    ("a subshell gets a copy", "items=(a b); (items=(c d)); echo ${items[0]}", "a\n"),
    ("the documentation's work item", "items=(foo bar baz qux xyz)\necho ${items[$JOB_COMPLETION_INDEX]} > /tmp/d\nrev /tmp/d",
     "xuq\n"),
]


@pytest.mark.parametrize("name, script, out", BASH_CASES, ids=[c[0] for c in BASH_CASES])
def test_bash_indexed_arrays(runtime, clock, name, script, out):
    cid = start(runtime, clock, "bash:5.2", args=("sleep", "3600"), env=(("JOB_COMPLETION_INDEX", "3"),))
    clock.run(1)
    result = runtime.exec_sync(cid, ["bash", "-c", script])
    assert (result.exit_code, result.stdout, result.stderr) == (0, out, "")


def test_sh_refuses_an_array_assignment_as_busybox_ash_does(runtime, clock):
    cid = start(runtime, clock, "bash", args=("sleep", "3600"))
    clock.run(1)
    result = runtime.exec_sync(cid, ["sh", "-c", "items=(a b); echo ${items[0]}"])
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", 'sh: syntax error: unexpected "("\n')


def test_arrays_parse_only_in_bash():
    with pytest.raises(ShellSyntaxError):
        parse("items=(a b)")
    assert parse("items=(a b)", bash=True)


@pytest.mark.parametrize("script, code, out, err", [
    ("printf 'abc\\nxy\\n' | rev", 0, "cba\nyx\n", ""),
    ("printf 'no newline' | rev", 0, "enilwen on", ""),
    ("echo 123 > /tmp/a; rev /tmp/a /nope", 1, "321\n", "rev: /nope: No such file or directory\n"),
])
def test_rev_reverses_each_line(runtime, clock, script, code, out, err):
    cid = start(runtime, clock, "busybox", args=("sleep", "3600"))
    clock.run(1)
    result = runtime.exec_sync(cid, ["sh", "-c", script])
    assert (result.exit_code, result.stdout, result.stderr) == (code, out, err)
