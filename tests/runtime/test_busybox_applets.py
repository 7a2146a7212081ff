"""The simulated busybox applets print what busybox 1.36 prints, byte for byte.

Formats checked against busybox's sources: ``head``/``tail`` (coreutils/head.c, tail.c),
``wc`` (coreutils/wc.c: ``%9u`` columns, a bare number for one count of stdin or one file),
``fopen_or_warn`` (libbb: ``applet: FILE: strerror``), ``wget``'s ``-T`` alarm
(networking/wget.c: ``download timed out``).
"""

import pytest

from tests.runtime.conftest import start


def run(runtime, clock, script, image="busybox:1.36"):
    cid = start(runtime, clock, image, args=("sleep", "3600"))
    clock.run(1)
    result = runtime.exec_sync(cid, ["sh", "-c", script])
    return result.exit_code, result.stdout, result.stderr


CASES = [
    ("head -c prints the first bytes of a file",
     "printf 'abcdefghij' > /tmp/f; head -c 4 /tmp/f", 0, "abcd", ""),
    ("head -c with the count glued to the flag",
     "printf 'abcdefghij' > /tmp/f; head -c3 /tmp/f", 0, "abc", ""),
    ("head -c reads stdin too", "printf 'abcdef' | head -c 2", 0, "ab", ""),
    ("head -n takes the first lines", "printf '1\\n2\\n3\\n' | head -n 2", 0, "1\n2\n", ""),
    ("head -N is the old form of -n N", "printf '1\\n2\\n3\\n' | head -1", 0, "1\n", ""),
    ("head -n with a negative count drops the last lines",
     "printf '1\\n2\\n3\\n' | head -n -1", 0, "1\n2\n", ""),
    ("head of several files prints a header per file",
     "echo a > /tmp/a; echo b > /tmp/b; head /tmp/a /tmp/b", 0,
     "==> /tmp/a <==\na\n\n==> /tmp/b <==\nb\n", ""),
    ("head of a missing file says so as fopen_or_warn does",
     "head /nope", 1, "", "head: /nope: No such file or directory\n"),
    ("tail -n +N starts at line N", "printf '1\\n2\\n3\\n' | tail -n +2", 0, "2\n3\n", ""),
    ("tail -c prints the last bytes", "printf 'abcdef' | tail -c 2", 0, "ef", ""),
    ("tail of a missing file cannot open it", "tail /nope", 1, "",
     "tail: can't open '/nope': No such file or directory\n"),
    ("wc of stdin prints three right-aligned columns",
     "printf 'hello world\\nbye\\n' | wc", 0, "        2         3        16\n", ""),
    ("wc -l of stdin prints a bare number", "printf 'a\\nb\\n' | wc -l", 0, "2\n", ""),
    ("wc -l of one file prints the number and the name",
     "printf 'a\\nb\\n' > /tmp/f; wc -l /tmp/f", 0, "2 /tmp/f\n", ""),
    ("wc of a file prints columns and the name",
     "printf 'a b\\n' > /tmp/f; wc /tmp/f", 0, "        1         2         4 /tmp/f\n", ""),
    ("wc -l of two files pads the counts and adds a total",
     "echo a > /tmp/a; printf 'x\\ny\\n' > /tmp/b; wc -l /tmp/a /tmp/b", 0,
     "        1 /tmp/a\n        2 /tmp/b\n        3 total\n", ""),
    ("wc of a missing file warns as fopen_or_warn does", "wc /nope", 1, "",
     "wc: /nope: No such file or directory\n"),
    ("sort orders lines bytewise", "printf 'b\nB\na\n' | sort", 0, "B\na\nb\n", ""),
    ("sort -n orders numbers", "printf '10\n9\n100\n' | sort -n", 0, "9\n10\n100\n", ""),
    ("sort -rn reverses", "printf '1\n3\n2\n' | sort -rn", 0, "3\n2\n1\n", ""),
    ("sort -u drops duplicates", "printf 'b\na\nb\n' | sort -u", 0, "a\nb\n", ""),
    ("sort -t -k sorts by a field", "printf 'x:2\ny:1\n' | sort -t: -k2", 0, "y:1\nx:2\n", ""),
    ("sort of a missing file cannot open it", "sort /nope", 1, "",
     "sort: can't open '/nope': No such file or directory\n"),
    ("uniq collapses adjacent repeats", "printf 'a\na\nb\na\n' | uniq", 0, "a\nb\na\n", ""),
    ("uniq -c counts in a seven-wide column", "printf 'a\na\nb\n' | uniq -c", 0,
     "      2 a\n      1 b\n", ""),
    ("cut -d -f picks fields", "echo root:x:0:0 | cut -d: -f1,3", 0, "root:0\n", ""),
    ("cut -f with a range to the end", "echo a,b,c,d | cut -d, -f2-", 0, "b,c,d\n", ""),
    ("cut passes lines without the delimiter", "echo plain | cut -d: -f2", 0, "plain\n", ""),
    ("cut -c picks characters", "echo kubernetes | cut -c1-4", 0, "kube\n", ""),
    ("tr maps ranges", "echo hello | tr a-z A-Z", 0, "HELLO\n", ""),
    ("tr maps character classes", "echo Hi | tr '[:lower:]' '[:upper:]'", 0, "HI\n", ""),
    ("tr -d deletes", "echo a-b-c | tr -d -", 0, "abc\n", ""),
    ("tr -s squeezes repeats", "echo 'a   b' | tr -s ' '", 0, "a b\n", ""),
]


@pytest.mark.parametrize("name, script, code, out, err", CASES, ids=[c[0] for c in CASES])
def test_busybox_text_applets(runtime, clock, name, script, code, out, err):
    assert run(runtime, clock, script) == (code, out, err)


def test_gnu_head_of_a_missing_file_says_cannot_open_for_reading(runtime, clock):
    assert run(runtime, clock, "head /nope", image="debian:bookworm") == (
        1, "", "head: cannot open '/nope' for reading: No such file or directory\n")
