"""The simulated shell: parsing, expansion, control flow, redirection, exit codes, output."""

import pytest

from labkube.runtime.sim.shparse import ShellSyntaxError, parse
from tests.runtime.conftest import FakeNetwork, start

CASES = [
    ("echo prints its arguments separated by spaces", "echo hello   world", 0, "hello world\n", ""),
    ("single quotes keep dollar signs literal", "echo '$HOME'", 0, "$HOME\n", ""),
    ("double quotes expand variables", 'X=1; echo "x=$X"', 0, "x=1\n", ""),
    ("braced variables expand next to text", "X=ab; echo ${X}cd", 0, "abcd\n", ""),
    ("a default applies to an unset variable", "echo ${NOPE:-fallback}", 0, "fallback\n", ""),
    ("the length of a variable is counted", "X=hello; echo ${#X}", 0, "5\n", ""),
    ("unquoted expansions split into fields", 'X="a  b"; for w in $X; do echo [$w]; done', 0,
     "[a]\n[b]\n", ""),
    ("command substitution captures output without the newline", "echo x$(echo y)z", 0, "xyz\n", ""),
    ("arithmetic expansion computes integers", "i=3; echo $((i * 2 + 1)) $((7 / 2))", 0, "7 3\n", ""),
    ("&& runs the right side only after success", "true && echo yes; false && echo no", 1,
     "yes\n", ""),
    ("|| runs the right side only after failure", "false || echo rescued", 0, "rescued\n", ""),
    ("! negates a status", "! false && echo negated", 0, "negated\n", ""),
    ("a while loop with a counter terminates",
     "i=0; while [ $i -lt 3 ]; do echo $i; i=$((i+1)); done", 0, "0\n1\n2\n", ""),
    ("an until loop runs until its condition holds",
     "n=0; until [ $n -eq 2 ]; do n=$((n+1)); done; echo $n", 0, "2\n", ""),
    ("for iterates over words", "for x in a b c; do echo -n $x; done; echo", 0, "abc\n", ""),
    ("break leaves the loop", "while true; do echo once; break; done", 0, "once\n", ""),
    ("if picks the else branch", "if [ -e /nope ]; then echo y; else echo n; fi", 0, "n\n", ""),
    ("elif is tried in order", "if false; then echo 1; elif true; then echo 2; fi", 0, "2\n", ""),
    ("case matches glob patterns", "case foo.txt in *.txt) echo text;; *) echo other;; esac", 0,
     "text\n", ""),
    ("exit sets the script status", "echo before; exit 3; echo after", 3, "before\n", ""),
    ("$? holds the last status", "false; echo $?", 0, "1\n", ""),
    ("an unknown command is not found with status 127", "frobnicate", 127, "",
     "sh: frobnicate: not found\n"),
    ("a syntax error returns 2", "if true; then echo", 2, "",
     'sh: syntax error: unexpected end of file (expecting "fi")\n'),
    ("redirection writes a file that cat reads back", "echo hi > /tmp/f; cat /tmp/f", 0, "hi\n", ""),
    ("append redirection adds lines", "echo a > /tmp/f; echo b >> /tmp/f; cat /tmp/f", 0,
     "a\nb\n", ""),
    ("2>&1 sends errors to stdout", "cat /nope 2>&1", 1,
     "cat: can't open '/nope': No such file or directory\n", ""),
    ("output to /dev/null is discarded", "echo gone > /dev/null; echo kept", 0, "kept\n", ""),
    ("a redirect into a missing directory fails", "echo x > /no/dir/f", 1, "",
     "sh: can't create /no/dir/f: nonexistent directory\n"),
    ("pipes feed one command's output to the next", "printf 'a\\nb\\nc\\n' | grep b", 0, "b\n", ""),
    ("test -f sees a touched file", "touch /tmp/t; test -f /tmp/t && echo there", 0, "there\n", ""),
    ("rm -f of a missing file succeeds silently", "rm -f /tmp/none; echo $?", 0, "0\n", ""),
    ("mkdir -p creates parents", "mkdir -p /a/b/c; ls /a/b", 0, "c\n", ""),
    ("export makes variables visible to printenv", "X=1; printenv X; export X; printenv X", 0,
     "1\n", ""),
    ("a subshell does not leak variables", "X=1; (X=2); echo $X", 0, "1\n", ""),
    ("globs expand in the last path component", "touch /tmp/a.log /tmp/b.log; echo /tmp/*.log", 0,
     "/tmp/a.log /tmp/b.log\n", ""),
    ("read takes lines from a redirected file",
     "printf 'x\\ny\\n' > /tmp/l; while read line; do echo got $line; done < /tmp/l", 0,
     "got x\ngot y\n", ""),
    ("date prints the cluster clock", "date", 0, "Wed Jan  1 00:00:01 UTC 2025\n", ""),
    ("hostname is the pod's", "hostname", 0, "pod\n", ""),
    ("echo -en interprets escapes without a newline", "echo -en 'a\\tb'", 0, "a\tb", ""),
]


@pytest.mark.parametrize("name, script, code, out, err", CASES, ids=[c[0] for c in CASES])
def test_shell_scripts(runtime, clock, name, script, code, out, err):
    cid = start(runtime, clock, "busybox", args=("sleep", "3600"))
    clock.run(1)
    result = runtime.exec_sync(cid, ["sh", "-c", script])
    assert (result.exit_code, result.stdout, result.stderr) == (code, out, err)


PARSE_ERRORS = [
    ("an unterminated quote is reported", "echo 'abc", "syntax error: unterminated quoted string"),
    ("a stray done is unexpected", "echo a; done", 'syntax error: unexpected "done"'),
    ("a while without do is incomplete", "while true", 'syntax error: unexpected end of file '
                                                        '(expecting "do")'),
]


@pytest.mark.parametrize("name, script, message", PARSE_ERRORS, ids=[c[0] for c in PARSE_ERRORS])
def test_parse_errors(name, script, message):
    with pytest.raises(ShellSyntaxError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(script)


def test_debian_shell_reports_not_found_like_dash(runtime, clock):
    cid = start(runtime, clock, "debian", args=("sleep", "infinity"))
    result = runtime.exec_sync(cid, ["sh", "-c", "wget -qO- http://x"])
    assert (result.exit_code, result.stderr) == (127, "sh: 1: wget: not found\n")


def test_a_loop_advances_only_with_the_clock(runtime, clock):
    cid = start(runtime, clock, "busybox", command=("sh", "-c", "while true; do echo hi; sleep 5; done"))
    clock.run(12)
    assert runtime.logs(cid) == "hi\nhi\nhi\n"


def test_a_busy_loop_does_not_stop_the_clock(runtime, clock):
    cid = start(runtime, clock, "busybox", command=("sh", "-c", "while true; do :; done"))
    clock.run(2)
    assert runtime.container_status(cid).state == "running"


def test_nslookup_uses_the_resolv_conf_search_list(clock):
    from labkube.runtime.sim import SimRuntime
    from labkube.runtime.volume import Volume
    from labkube.runtime.cri import Mount
    net = FakeNetwork({"myservice.default.svc.cluster.local": "10.96.4.4"})
    runtime = SimRuntime(clock, "node-1", network=net)
    etc = Volume("resolv", {"resolv.conf": "search default.svc.cluster.local svc.cluster.local "
                                           "cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n"})
    cid = start(runtime, clock, "busybox:1.28", args=("sleep", "3600"),
                mounts=[Mount("/etc/resolv.conf", etc, sub_path="resolv.conf")])
    found = runtime.exec_sync(cid, ["nslookup", "myservice"])
    missing = runtime.exec_sync(cid, ["nslookup", "other"])
    assert found.exit_code == 0 and "Name:      myservice\nAddress 1: 10.96.4.4\n" in found.stdout
    assert missing.exit_code == 1 and missing.stderr == "nslookup: can't resolve 'other'\n"


def test_wget_reaches_a_web_page_through_the_network(clock):
    from labkube.runtime.sim import SimRuntime
    net = FakeNetwork({"info.cern.ch": "188.184.67.127"}, {"http://info.cern.ch/": "<html>cern</html>"})
    runtime = SimRuntime(clock, "node-1", network=net)
    cid = start(runtime, clock, "busybox:1.28", args=("sleep", "3600"))
    result = runtime.exec_sync(cid, ["wget", "-qO-", "http://info.cern.ch"])
    refused = runtime.exec_sync(cid, ["wget", "-qO-", "http://localhost:8080/"])
    assert (result.exit_code, result.stdout) == (0, "<html>cern</html>")
    assert refused.exit_code == 1 and "Connection refused" in refused.stderr
