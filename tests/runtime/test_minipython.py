"""The simulated ``python3 -c``: a small, safe subset of Python on the cluster clock."""

import pytest

from tests.runtime.conftest import start

CASES = [
    ("print joins its arguments with spaces", "print('a', 1, True, None)", 0, "a 1 True None\n", ""),
    ("sep and end are honoured", "print(1, 2, sep='-', end='!')", 0, "1-2!", ""),
    ("print to sys.stderr", "import sys\nprint('oops', file=sys.stderr)", 0, "", "oops\n"),
    ("the environment is read with os.environ.get",
     "import os\nprint(os.environ.get('JOB_COMPLETION_INDEX'), os.environ.get('NOPE', 'd'))", 0, "3 d\n", ""),
    ("os.getenv and os.environ[...] work too",
     "import os\nprint(os.getenv('JOB_COMPLETION_INDEX'), os.environ['JOB_COMPLETION_INDEX'])", 0, "3 3\n", ""),
    ("a missing variable raises KeyError with a traceback",
     "import os\nx = 1\nprint(os.environ['NOPE'])", 1, "",
     "Traceback (most recent call last):\n  File \"<string>\", line 3, in <module>\nKeyError: 'NOPE'\n"),
    ("sys.exit sets the exit code", "import sys\nsys.exit(3)", 3, "", ""),
    ("sys.exit with a message prints it and exits 1", "import sys\nsys.exit('bad input')", 1, "", "bad input\n"),
    ("if/elif/else, comparisons and int()",
     "import os\ni = int(os.environ.get('JOB_COMPLETION_INDEX'))\n"
     "if i == 2:\n    print('two')\nelif i > 2 and i < 5:\n    print('three or four')\nelse:\n    print('other')",
     0, "three or four\n", ""),
    ("the docs' success-policy script exits by index",
     "import os, sys\nif os.environ.get(\"JOB_COMPLETION_INDEX\") == \"2\":\n  sys.exit(0)\nelse:\n  sys.exit(1)",
     1, "", ""),
    ("loops, ranges, f-strings and augmented assignment",
     "total = 0\nfor n in range(1, 5):\n    total += n * n\nprint(f'sum={total} avg={total / 4:.1f}')", 0,
     "sum=30 avg=7.5\n", ""),
    ("while with break and continue",
     "i = 0\nwhile True:\n    i += 1\n    if i % 2:\n        continue\n    if i > 6:\n        break\n    print(i)",
     0, "2\n4\n6\n", ""),
    ("lists, indexing, slicing, string methods",
     "items = 'foo bar baz'.split()\nprint(items[1].upper(), items[-1][::-1], ','.join(items[:2]), len(items))",
     0, "BAR zab foo,bar 3\n", ""),
    ("division by zero raises", "print(1 // 0)", 1, "",
     "Traceback (most recent call last):\n  File \"<string>\", line 1, in <module>\n"
     "ZeroDivisionError: integer division or modulo by zero\n"),
    ("an unknown name raises NameError", "print(foo)", 1, "",
     "Traceback (most recent call last):\n  File \"<string>\", line 1, in <module>\nNameError: name 'foo' is not defined\n"),
    ("an unknown module cannot be imported", "import numpy", 1, "",
     "Traceback (most recent call last):\n  File \"<string>\", line 1, in <module>\n"
     "ModuleNotFoundError: No module named 'numpy'\n"),
    ("a syntax error is reported", "print('x'", 1, "",
     "  File \"<string>\", line 1\n    print('x'\n         ^\nSyntaxError: '(' was never closed\n"),
    ("what the subset lacks is said, never run", "def f():\n    return 1\nprint(f())", 2, "",
     "python3: the simulated python does not support FunctionDef statements (line 1)\n"),
    ("dunder tricks are not reachable", "print(().__class__)", 2, "",
     "python3: the simulated python does not support the attribute .__class__ (line 1)\n"),
]


@pytest.mark.parametrize("name, script, code, out, err", CASES, ids=[c[0] for c in CASES])
def test_python_scripts(runtime, clock, name, script, code, out, err):
    cid = start(runtime, clock, "python:3.12", args=("sleep", "3600"), env=(("JOB_COMPLETION_INDEX", "3"),))
    clock.run(1)
    result = runtime.exec_sync(cid, ["python3", "-c", script])
    assert (result.exit_code, result.stdout, result.stderr) == (code, out, err)


def test_time_sleep_waits_on_the_cluster_clock(runtime, clock):
    cid = start(runtime, clock, "python:3.12",
                command=("python3", "-c", "import time\nfor i in range(3):\n    print(i)\n    time.sleep(10)"))
    clock.run(15)
    assert runtime.logs(cid) == "0\n1\n"
    clock.run(20)
    assert runtime.logs(cid) == "0\n1\n2\n"
    assert runtime.container_status(cid).exit_code == 0


def test_a_busy_loop_does_not_stop_the_clock(runtime, clock):
    cid = start(runtime, clock, "python:3.12", command=("python3", "-c", "while True:\n    pass"))
    clock.run(5)
    assert runtime.container_status(cid).state == "running"
