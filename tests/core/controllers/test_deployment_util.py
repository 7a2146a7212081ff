"""Deployment arithmetic: pod-template-hash, surge/unavailable rounding, revisions, proportions."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, strategies as st

from labkube.core.controllers.deployment import util


def deployment(replicas=10, surge="25%", unavailable="25%", strategy="RollingUpdate"):
    spec = {"replicas": replicas, "strategy": {"type": strategy}}
    if strategy == "RollingUpdate":
        spec["strategy"]["rollingUpdate"] = {"maxSurge": surge, "maxUnavailable": unavailable}
    return {"metadata": {"name": "web", "generation": 1}, "spec": spec}


@pytest.mark.parametrize("text, encoded", [
    ("0123456789", "456789bcdf"),
    ("2166136261", "65bb57b6b5"),
    ("", ""),
])
def test_safe_encode_string_maps_digits_onto_the_bad_word_free_alphabet(text, encoded):
    assert util.safe_encode_string(text) == encoded


@pytest.mark.parametrize("data, value", [
    (b"", 0x811C9DC5),      # the FNV-32 offset basis
    (b"a", 0xE40C292C),     # published FNV-1a test vectors
    (b"foobar", 0xBF9CF968),
])
def test_fnv32a_matches_the_published_test_vectors(data, value):
    assert util.fnv32a(data) == value


TEMPLATE = {"metadata": {"labels": {"app": "web"}, "creationTimestamp": None},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}}


def test_the_pod_template_hash_is_deterministic_and_looks_like_kubernetes_hashes():
    first = util.compute_hash(TEMPLATE)
    assert first == util.compute_hash({"spec": TEMPLATE["spec"], "metadata": TEMPLATE["metadata"]})
    assert re.fullmatch(r"[bcdfghjklmnpqrstvwxz2456789]{1,10}", first)


def test_a_collision_count_or_a_template_change_gives_another_hash():
    other = {**TEMPLATE, "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}}
    hashes = {util.compute_hash(TEMPLATE), util.compute_hash(TEMPLATE, 0), util.compute_hash(TEMPLATE, 1),
              util.compute_hash(other)}
    assert len(hashes) == 4


@pytest.mark.parametrize("replicas, surge, unavailable, expected", [
    (10, "25%", "25%", (3, 2)),     # surge rounds up, unavailable rounds down
    (3, "25%", "25%", (1, 0)),
    (1, "25%", "25%", (1, 0)),
    (4, 0, 0, (0, 1)),              # both zero: unavailable becomes 1
    (4, "0%", "0%", (0, 1)),
    (5, "50%", "50%", (3, 2)),
    (10, 2, "30%", (2, 3)),
    (3, "100%", 0, (3, 0)),
])
def test_max_surge_and_max_unavailable_are_resolved_as_kubernetes_does(replicas, surge, unavailable, expected):
    d = deployment(replicas, surge, unavailable)
    assert (util.max_surge(d), util.max_unavailable(d)) == expected


def test_max_unavailable_never_exceeds_replicas_and_is_zero_for_recreate():
    assert util.max_unavailable(deployment(2, 0, 5)) == 2
    assert util.max_unavailable(deployment(0, 1, 1)) == 0
    assert (util.max_surge(deployment(5, strategy="Recreate")), util.max_unavailable(deployment(5, strategy="Recreate"))) == (0, 0)


@pytest.mark.parametrize("value, error", [
    ("25", "invalid value for IntOrString: invalid type: string is not a percentage"),
    ("x%", 'invalid value for IntOrString: invalid value "x%": strconv.Atoi: parsing "x": invalid syntax'),
])
def test_invalid_int_or_string_values_fail_with_kubernetes_messages(value, error):
    with pytest.raises(ValueError) as info:
        util.scaled_value(value, 10, True)
    assert str(info.value) == error


@given(st.integers(0, 1000), st.integers(0, 200))
def test_percentages_round_up_for_surge_and_down_for_unavailability(replicas, percent):
    up = util.scaled_value(f"{percent}%", replicas, True)
    down = util.scaled_value(f"{percent}%", replicas, False)
    assert down <= percent * replicas / 100 <= up and up - down in (0, 1)


def rs(name, replicas, revision=None, created="2025-01-01T00:00:00Z", **annotations):
    meta = {"name": name, "uid": name, "creationTimestamp": created, "annotations": dict(annotations)}
    if revision is not None:
        meta["annotations"][util.REVISION_ANNOTATION] = str(revision)
    return {"metadata": meta, "spec": {"replicas": replicas, "template": {}}}


def test_a_rolled_back_to_replica_set_gets_the_next_revision_and_remembers_the_old_one():
    d = {"metadata": {"annotations": {"kubernetes.io/change-cause": "undo"}}, "spec": {"replicas": 3}}
    target = rs("web-a", 0, revision=1)
    assert util.set_new_rs_annotations(d, target, "3", exists=True)
    annotations = target["metadata"]["annotations"]
    assert annotations[util.REVISION_ANNOTATION] == "3"
    assert annotations[util.REVISION_HISTORY_ANNOTATION] == "1"
    assert annotations["kubernetes.io/change-cause"] == "undo"
    target["metadata"]["annotations"][util.REVISION_ANNOTATION] = "3"
    util.set_new_rs_annotations(d, target, "5", exists=True)
    assert target["metadata"]["annotations"][util.REVISION_HISTORY_ANNOTATION] == "1,3"


def test_revisions_are_never_lowered_and_skipped_annotations_are_not_copied():
    d = {"metadata": {"annotations": {util.LAST_APPLIED_ANNOTATION: "{}", util.REVISION_ANNOTATION: "9"}},
         "spec": {"replicas": 3}}
    target = rs("web-a", 3, revision=4)
    assert not util.set_new_rs_annotations(d, target, "2", exists=True)
    assert target["metadata"]["annotations"] == {util.REVISION_ANNOTATION: "4"}


def test_the_last_revision_is_the_second_highest():
    assert util.last_revision([rs("a", 0, 3), rs("b", 0, 7), rs("c", 0, 5)]) == 5
    assert util.max_revision([rs("a", 0, 3), rs("b", 0, 7), rs("c", 0)]) == 7


@pytest.mark.parametrize("sizes, max_annotation, new_replicas, expected", [
    # 10 replicas (max 13 with surge 3) scaled to 20 (max 23): 8*23/13 -> 14, 5*23/13 -> 9
    ((8, 5), 13, 20, (14, 9)),
    # scaled down to 5 (max 8): 8*8/13 -> 5, 5*8/13 -> 3
    ((8, 5), 13, 5, (5, 3)),
    # 7 (max 7) to 6 (max 9): +2 to add, each 3 gets +1, the newer of the two first; 1 gets none
    ((3, 3, 1), 7, 6, (4, 4, 1)),
    # 4 replicas + 3 surge allow exactly the current 7: nothing moves
    ((3, 3, 1), 7, 4, (3, 3, 1)),
])
def test_scaling_mid_rollout_spreads_the_change_in_proportion(sizes, max_annotation, new_replicas, expected):
    d = deployment(new_replicas, 3, 2)
    rss = [rs(f"rs{i}", n, created=f"2025-01-01T00:0{i}:00Z", **{util.MAX_REPLICAS_ANNOTATION: str(max_annotation)})
           for i, n in enumerate(sizes)]
    allowed = new_replicas + util.max_surge(d)
    to_add = allowed - sum(sizes)
    ordered = util.by_size_newer(rss) if to_add > 0 else util.by_size_older(rss)
    added, result = 0, {}
    for r in ordered:
        p = util.get_proportion(r, d, to_add, added)
        result[r["metadata"]["name"]] = util.replicas_of(r) + p
        added += p
    result[ordered[0]["metadata"]["name"]] += to_add - added
    assert tuple(result[f"rs{i}"] for i in range(len(sizes))) == expected


def test_equal_ignore_hash_ignores_the_hash_label_and_empty_values():
    with_hash = {"metadata": {"labels": {"app": "web", util.POD_TEMPLATE_HASH_LABEL: "abc"},
                              "creationTimestamp": None}, "spec": {"containers": [{"name": "c"}]}}
    without = {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c"}], "volumes": []}}
    assert util.equal_ignore_hash(with_hash, without)
    assert not util.equal_ignore_hash(with_hash, {"metadata": {"labels": {"app": "db"}}, "spec": without["spec"]})
