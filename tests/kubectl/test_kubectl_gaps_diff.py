"""``kubectl diff``'s unified diff is GNU ``diff -u``'s, and labkube's diff is deterministic.

:mod:`labkube.kubectl.commands.diff_gnu` redoes GNU diff's algorithm (identical ends, confusing
lines discarded, Myers' middle snake, boundary shifting, hunks of 3 lines of context). Where
``difflib`` chooses another of several equally short diffs, GNU diff's choice must win: the
table pins such cases, and generated inputs are compared with the installed ``diff -u``.
"""

from __future__ import annotations

import difflib
import random
import re
import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import labkube
from labkube.kubectl import run
from labkube.kubectl.commands.diff_gnu import unified_hunks

HAVE_DIFF = shutil.which("diff") is not None


def lines(text: str) -> list[str]:
    return text.splitlines(True)


def gnu_diff(a: list[str], b: list[str], folder) -> str:
    """The installed GNU ``diff -u -N``'s hunks (its two header lines dropped)."""
    (folder / "a").write_text("".join(a))
    (folder / "b").write_text("".join(b))
    done = subprocess.run(["diff", "-u", "-N", str(folder / "a"), str(folder / "b")], capture_output=True, text=True)
    return "".join(done.stdout.splitlines(True)[2:])


# What diff -u (diffutils 3.8) prints; the first two are where difflib's hunks are not GNU diff's.
GNU_CHOICES = [
    ("two lines swapped: the first goes, and comes back after the second", "d\nb\n", "b\nd\n",
     "@@ -1,2 +1,2 @@\n-d\n b\n+d\n"),
    ("the common line kept is the last one", "a\nc\na\n", "d\nd\nd\nb\na\n",
     "@@ -1,3 +1,5 @@\n-a\n-c\n+d\n+d\n+d\n+b\n a\n"),
    ("a repeated line removed is taken from the end of the run", "a\nb\nb\nb\nc\n", "a\nb\nb\nc\n",
     "@@ -1,5 +1,4 @@\n a\n b\n b\n-b\n c\n"),
    ("a line moved up shows as deleted below, not as inserted above", "x\na\nb\nc\n", "a\nb\nc\nx\n",
     "@@ -1,4 +1,4 @@\n-x\n a\n b\n c\n+x\n"),
    ("an empty old file is the range 0,0", "", "a\nb\n", "@@ -0,0 +1,2 @@\n+a\n+b\n"),
    ("one line each side prints no count", "a\n", "b\n", "@@ -1 +1 @@\n-a\n+b\n"),
    ("changes 7 lines apart make two hunks", "".join(f"{i}\n" for i in range(12)),
     "".join(f"{i}\n" for i in range(12)).replace("1\n", "one\n", 1).replace("9\n", "nine\n"),
     "@@ -1,5 +1,5 @@\n 0\n-1\n+one\n 2\n 3\n 4\n@@ -7,6 +7,6 @@\n 6\n 7\n 8\n-9\n+nine\n 10\n 11\n"),
]


@pytest.mark.parametrize("name, before, after, expected", GNU_CHOICES, ids=[c[0] for c in GNU_CHOICES])
def test_the_hunks_are_gnu_diffs(name, before, after, expected):
    assert unified_hunks(lines(before), lines(after)) == expected


@pytest.mark.parametrize("name, before, after, expected", GNU_CHOICES[:2], ids=[c[0] for c in GNU_CHOICES[:2]])
def test_difflib_would_choose_other_hunks(name, before, after, expected):
    theirs = "".join(list(difflib.unified_diff(lines(before), lines(after), n=3))[2:])
    assert theirs != expected


@pytest.mark.skipif(not HAVE_DIFF, reason="GNU diff is not installed")
@pytest.mark.parametrize("name, before, after, expected", GNU_CHOICES, ids=[c[0] for c in GNU_CHOICES])
def test_the_pinned_cases_are_what_the_installed_diff_prints(name, before, after, expected, tmp_path):
    assert gnu_diff(lines(before), lines(after), tmp_path) == expected


_LINE = st.sampled_from([f"k{i}: v\n" for i in range(6)] + ["  - x\n", "spec:\n", "  name: a\n"])


@pytest.mark.skipif(not HAVE_DIFF, reason="GNU diff is not installed")
@settings(max_examples=150, deadline=None)
@given(st.lists(_LINE, max_size=40), st.lists(_LINE, max_size=40))
def test_any_two_files_diff_as_gnu_diff_does(tmp_path_factory, before, after):
    folder = tmp_path_factory.mktemp("gnu")
    assert unified_hunks(before, after) == gnu_diff(before, after, folder)


@pytest.mark.skipif(not HAVE_DIFF, reason="GNU diff is not installed")
def test_long_files_with_many_repeated_lines_diff_as_gnu_diff_does(tmp_path):
    rng = random.Random(7)
    for _ in range(40):  # past 256 lines GNU diff's thresholds for "confusing" lines grow
        before = [f"l{rng.randrange(12)}\n" for _ in range(rng.randint(200, 700))]
        after = list(before)
        for _ in range(rng.randint(1, 10)):
            at = rng.randint(0, len(after))
            after[at:at + rng.randint(0, 5)] = [f"l{rng.randrange(12)}\n" for _ in range(rng.randint(0, 5))]
        assert unified_hunks(before, after) == gnu_diff(before, after, tmp_path)


# -- the command -------------------------------------------------------------------------------
CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: {mode}\n"


def cluster_with_a_configmap(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cm.yaml").write_text(CONFIGMAP.format(mode="fast"))
    (tmp_path / "cm2.yaml").write_text(CONFIGMAP.format(mode="slow"))
    cluster = labkube.Cluster(nodes=0, seed=3)
    run(cluster, "apply -f cm.yaml")
    return cluster


def test_the_same_seed_prints_the_same_diff_byte_for_byte(tmp_path, monkeypatch):
    first = run(cluster_with_a_configmap(tmp_path, monkeypatch), "diff -f cm2.yaml")
    second = run(cluster_with_a_configmap(tmp_path, monkeypatch), "diff -f cm2.yaml")
    assert first.stdout == second.stdout and first.exit_code == 1
    assert re.match(r"diff -u -N /tmp/LIVE-\d+/v1\.ConfigMap\.default\.settings /tmp/MERGED-\d+/", first.stdout)


def test_the_files_times_are_the_cluster_clocks(tmp_path, monkeypatch):
    cluster = cluster_with_a_configmap(tmp_path, monkeypatch)
    cluster.run(90.5)
    out = run(cluster, "diff -f cm2.yaml").stdout
    stamp = re.search(r"\t(\S+ \S+) \+0000\n", out).group(1)
    assert stamp == "2025-01-01 00:01:30.500000000"  # the cluster's clock starts at 2025-01-01 00:00:00


def test_diff_reads_the_seeded_random_stream_without_advancing_it(tmp_path, monkeypatch):
    plain = cluster_with_a_configmap(tmp_path, monkeypatch)
    diffed = cluster_with_a_configmap(tmp_path, monkeypatch)
    run(diffed, "diff -f cm2.yaml")
    run(plain, "create configmap other")
    run(diffed, "create configmap other")
    uid = lambda c: c.client.get("configmaps", "other", "default")["metadata"]["uid"]  # noqa: E731
    assert uid(plain) == uid(diffed)


def test_diff_changes_nothing_on_the_server(tmp_path, monkeypatch):
    cluster = cluster_with_a_configmap(tmp_path, monkeypatch)
    before = cluster.client.get("configmaps", "settings", "default")
    (tmp_path / "new.yaml").write_text(CONFIGMAP.replace("settings", "brand-new").format(mode="x"))
    assert run(cluster, "diff -f cm2.yaml -f new.yaml").exit_code == 1
    assert cluster.client.get("configmaps", "settings", "default") == before
    assert "brand-new" not in [o["metadata"]["name"] for o in cluster.client.list("configmaps", "default")["items"]]


@pytest.mark.parametrize("line, message", [
    ("diff -k .", "error: labkube's kubectl does not run kustomize (-k)"),
    ("diff -f cm2.yaml --server-side", "error: labkube does not model server-side apply"),
    ("diff -f cm2.yaml --prune", "error: labkube's kubectl diff does not support --prune"),
])
def test_what_labkube_does_not_do_is_refused_with_exit_status_2(line, message, tmp_path, monkeypatch):
    result = run(cluster_with_a_configmap(tmp_path, monkeypatch), line)
    assert (result.stdout, result.exit_code) == ("", 2)
    assert result.stderr.startswith(message)
