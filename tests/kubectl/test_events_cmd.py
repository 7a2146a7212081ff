"""``kubectl events``: its pieces, and what it prints about a running labkube cluster.

Unit tests pin the pieces of ``commands/events.py`` (LAST SEEN, the sort key, Go's sort, the
remembering tabwriter, the typed EventList, ``--for`` and ``--types``); scenario tests run a
``labkube.Cluster`` on its simulated clock (no sleeps) and read ``kubectl events`` as a student
would. Byte-for-byte comparisons with the real kubectl live in ``test_events_oracle.py``.
"""

from __future__ import annotations

import random
import re

import pytest

import labkube
from labkube.kubectl import run
from labkube.kubectl.commands import events as ev

NOW = 1_735_689_600.0  # 2025-01-01T00:00:00Z


def stamp(seconds_ago: float, micro: bool = False) -> str:
    from datetime import datetime, timezone

    moment = datetime.fromtimestamp(NOW - seconds_ago, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ" if micro else "%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------------------
# LAST SEEN and the sort key
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("event, shown", [
    pytest.param({"firstTimestamp": stamp(300), "lastTimestamp": stamp(300), "count": 1}, "5m",
                 id="an event seen once shows how long ago it happened"),
    pytest.param({"firstTimestamp": stamp(900), "lastTimestamp": stamp(30), "count": 7}, "30s (x7 over 15m)",
                 id="an event seen seven times shows the last time, the count and since when"),
    pytest.param({"firstTimestamp": stamp(900), "lastTimestamp": stamp(30), "count": 1}, "15m",
                 id="count 1 ignores lastTimestamp"),
    pytest.param({"eventTime": stamp(320.5, micro=True)}, "5m20s",
                 id="an events.k8s.io event without first timestamp uses eventTime"),
    pytest.param({"eventTime": stamp(600, micro=True),
                  "series": {"count": 4, "lastObservedTime": stamp(60, micro=True)}}, "60s (x4 over 10m)",
                 id="a series shows its last observation and its count"),
    pytest.param({"eventTime": stamp(100, micro=True), "firstTimestamp": stamp(900)}, "100s",
                 id="eventTime wins over firstTimestamp when both are set"),
    pytest.param({}, "<unknown>", id="no time at all is unknown"),
    pytest.param({"lastTimestamp": stamp(30), "count": 3}, "30s (x3 over <unknown>)",
                 id="a count without a first time says so"),
    pytest.param({"firstTimestamp": "0001-01-01T00:00:00Z", "count": 1}, "<unknown>",
                 id="Go's zero time is unset"),
])
def test_last_seen_reads_as_kubectl_events_prints_it(event, shown):
    assert ev.last_seen(event, NOW) == shown


@pytest.mark.parametrize("event, seconds_ago", [
    pytest.param({"lastTimestamp": stamp(30), "eventTime": stamp(10, micro=True)}, 30,
                 id="lastTimestamp comes before eventTime"),
    pytest.param({"eventTime": stamp(10, micro=True)}, 10, id="eventTime when there is no lastTimestamp"),
    pytest.param({"lastTimestamp": stamp(30), "series": {"lastObservedTime": stamp(5, micro=True)}}, 5,
                 id="a series' last observation comes first of all"),
])
def test_events_sort_by_when_they_last_happened(event, seconds_ago):
    assert ev.last_happened(event) == NOW - seconds_ago


def test_an_event_with_no_time_sorts_first():
    assert ev.last_happened({}) < ev.last_happened({"eventTime": "1970-01-01T00:00:00.000000Z"})


# ---------------------------------------------------------------------------------------
# Go's sort.Sort
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(30))
def test_go_sort_sorts_whatever_the_ties(seed):
    rng = random.Random(seed)
    keys = [rng.randint(0, rng.choice([1, 3, 1000])) for _ in range(rng.randint(0, 400))]
    items = list(enumerate(keys))
    result = ev.go_sort(items, key=lambda item: item[1])
    assert [k for _, k in result] == sorted(keys)
    assert sorted(result) == items  # a permutation: nothing lost, nothing doubled


def test_go_sort_keeps_twelve_or_fewer_equal_items_in_order():
    """Under 13 items sort.Sort is an insertion sort, which is stable."""
    items = [(i, i % 2) for i in range(12)]
    assert ev.go_sort(items, key=lambda item: item[1]) == sorted(items, key=lambda item: item[1])


def test_go_sort_does_not_keep_more_equal_items_in_order():
    """From 13 items on, equal events can change places (kubectl's order, checked in the goldens)."""
    rng = random.Random(3)
    items = [(i, rng.choice((0, 1))) for i in range(60)]
    result = ev.go_sort(items, key=lambda item: item[1])
    assert result != sorted(items, key=lambda item: item[1])


def test_go_sort_falls_back_to_heapsort_when_out_of_pivot_budget():
    from labkube.kubectl import gosort

    keys = [5, 3, 9, 1, 1, 7, 2, 8, 0, 6, 4, 3, 5, 2]
    data = gosort._Data(list(keys), lambda a, b: a < b)
    gosort._heap_sort(data, 0, 14)
    assert data.items == sorted(keys)


def test_go_sort_returns_a_new_list():
    items = [3, 1, 2]
    assert ev.go_sort(items, key=lambda x: x) == [1, 2, 3]
    assert items == [3, 1, 2]


# ---------------------------------------------------------------------------------------
# The table and its tabwriter
# ---------------------------------------------------------------------------------------


def test_the_table_aligns_columns_with_three_spaces():
    text = ev.remembering_tabwrite("LAST SEEN\tTYPE\tMESSAGE\n5m\tNormal\thello\n")
    assert text == "LAST SEEN   TYPE     MESSAGE\n5m          Normal   hello\n"


def test_columns_stay_as_wide_as_before_after_a_line_without_tabs():
    """A message's second line ends every column block; the next rows keep the widths."""
    text = ev.remembering_tabwrite("a\tLongReason\tx\nb\tR\tline1\nline2\nlong first cell\tR\tx\n")
    assert text.splitlines() == [
        "a     LongReason   x",
        "b     R            line1",
        "line2",
        "long first cell   R            x",
    ]


def test_a_form_feed_ends_the_line_and_flushes_the_rows_before_it():
    assert ev.remembering_tabwrite("a\tb\nlonger\tc\n") == "a        b\nlonger   c\n"
    assert ev.remembering_tabwrite("a\tb\flonger\tc\n") == "a     b\nlonger   c\n"


def test_a_row_reads_kind_slash_name_and_the_trimmed_message():
    event = {"type": "Warning", "reason": "BackOff", "message": "  Back-off\n",
             "involvedObject": {"kind": "Pod", "name": "web"}, "metadata": {"namespace": "shop"},
             "firstTimestamp": stamp(40), "lastTimestamp": stamp(40), "count": 1}
    assert ev.event_row(event, NOW, all_namespaces=False) == "40s\tWarning\tBackOff\tPod/web\tBack-off\n"
    assert ev.event_row(event, NOW, all_namespaces=True).startswith("shop\t40s\t")


# ---------------------------------------------------------------------------------------
# -o json|yaml: the typed EventList
# ---------------------------------------------------------------------------------------


def test_a_typed_event_has_go_struct_order_and_omitempty_rules():
    raw = {"metadata": {"name": "x.1", "namespace": "default", "labels": {"b": "2", "a": "1"}},
           "involvedObject": {"name": "x", "kind": "Pod", "apiVersion": "v1"}, "reason": "Scheduled",
           "message": "m", "type": "Normal", "eventTime": "2025-01-01T00:00:00.1234567Z", "count": 0,
           "action": "Binding", "reportingComponent": "default-scheduler", "unknown": "dropped"}
    typed = ev.typed_event(raw)
    assert list(typed) == ["kind", "apiVersion", "metadata", "involvedObject", "reason", "message", "source",
                           "firstTimestamp", "lastTimestamp", "type", "eventTime", "action",
                           "reportingComponent", "reportingInstance"]
    assert typed["metadata"] == {"name": "x.1", "namespace": "default", "creationTimestamp": None,
                                 "labels": {"a": "1", "b": "2"}}
    assert list(typed["involvedObject"]) == ["kind", "name", "apiVersion"]
    assert typed["source"] == {} and typed["firstTimestamp"] is None and typed["reportingInstance"] == ""
    assert typed["eventTime"] == "2025-01-01T00:00:00.123456Z"


def test_a_series_keeps_its_count_and_microsecond_time():
    typed = ev.typed_event({"series": {"count": 4, "lastObservedTime": "2025-01-01T00:00:05Z"}})
    assert typed["series"] == {"count": 4, "lastObservedTime": "2025-01-01T00:00:05.000000Z"}


def test_times_in_other_zones_print_in_utc():
    typed = ev.typed_event({"lastTimestamp": "2025-01-01T02:00:00+02:00"})
    assert typed["lastTimestamp"] == "2025-01-01T00:00:00Z"


def test_managed_fields_print_only_when_asked():
    raw = {"metadata": {"name": "x", "managedFields": [{"manager": "kubelet", "operation": "Update",
                                                        "fieldsType": "FieldsV1", "fieldsV1": {"f:count": {}}}]}}
    assert "managedFields" not in ev.typed_event(raw, managed_fields=False)["metadata"]
    assert ev.typed_event(raw)["metadata"]["managedFields"] == [
        {"manager": "kubelet", "operation": "Update", "fieldsType": "FieldsV1", "fieldsV1": {"f:count": {}}}]


# ---------------------------------------------------------------------------------------
# --for and --types
# ---------------------------------------------------------------------------------------


def test_the_for_selector_names_kind_version_and_name_with_escapes():
    involved = ev.InvolvedObject("Deployment", "apps/v1", "a,b=c")
    assert involved.field_selector() == (
        "involvedObject.kind=Deployment,involvedObject.apiVersion=apps/v1,involvedObject.name=a\\,b\\=c")


@pytest.mark.parametrize("types, wanted", [
    ([], []), (["Warning"], ["Warning"]), (["warning", "Normal", "warning"], ["Normal", "warning"]),
])
def test_valid_types_are_normal_or_warning_in_any_case(types, wanted):
    assert ev.validate_types(types) == wanted


@pytest.mark.parametrize("types", [["Bad"], ["Normal", ""], [" Normal"]])
def test_other_types_are_refused(types):
    with pytest.raises(ev.KubectlError, match="valid --types are Normal or Warning"):
        ev.validate_types(types)


# ---------------------------------------------------------------------------------------
# Scenarios on a running cluster
# ---------------------------------------------------------------------------------------

ROW = re.compile(r"^(?P<seen>\S+(?: \(x\d+ over \S+\))?)\s+(?P<type>Normal|Warning)\s+(?P<reason>\S+)\s+"
                 r"(?P<object>\S+)\s+(?P<message>.*)$")


def rows(text: str) -> list[dict]:
    return [ROW.match(line).groupdict() for line in text.splitlines()[1:]]


def seconds(age: str) -> int:
    total = 0
    for number, unit in re.findall(r"(\d+)([dhms])", age.split(" ")[0]):
        total += int(number) * {"d": 86400, "h": 3600, "m": 60, "s": 1}[unit]
    return total


def deployed(seed: int = 0) -> "labkube.Cluster":
    cluster = labkube.Cluster(nodes=2, seed=seed)
    assert run(cluster, "create deployment web --image=nginx:1.27 --replicas=2").exit_code == 0
    cluster.run(60)
    return cluster


def test_a_new_deployment_tells_its_story_oldest_first():
    result = run(deployed(), "events")
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout.splitlines()[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    table = rows(result.stdout)
    reasons = {row["reason"] for row in table}
    assert {"ScalingReplicaSet", "SuccessfulCreate", "Scheduled", "Pulling", "Pulled", "Created",
            "Started"} <= reasons
    ages = [seconds(row["seen"]) for row in table]
    assert ages == sorted(ages, reverse=True)  # oldest first
    assert any(row["object"] == "Deployment/web" for row in table)


def test_the_rows_come_in_go_sort_order_of_the_listed_events():
    cluster = deployed()
    listed = cluster.client.list("events", "default")["items"]
    expected = [f"{e['involvedObject']['kind']}/{e['involvedObject']['name']} {e['reason']}"
                for e in ev.go_sort(listed, key=ev.last_happened)]
    printed = [f"{row['object']} {row['reason']}" for row in rows(run(cluster, "events").stdout)]
    assert printed == expected


def test_for_a_pod_shows_only_that_pods_events():
    cluster = deployed()
    pod = cluster.client.list("pods", "default")["items"][0]["metadata"]["name"]
    table = rows(run(cluster, f"events --for pod/{pod}").stdout)
    assert {row["object"] for row in table} == {f"Pod/{pod}"}
    assert [row["reason"] for row in table][:2] in (["Scheduled", "Pulling"], ["Pulling", "Scheduled"])
    assert {"Pulled", "Created", "Started"} <= {row["reason"] for row in table}
    assert run(cluster, f"events --for=pod/{pod}").stdout == run(cluster, f"events --for po/{pod}").stdout


def test_for_the_deployment_shows_its_scaling():
    table = rows(run(deployed(), "events --for deployment/web").stdout)
    assert [(row["object"], row["reason"]) for row in table] == [("Deployment/web", "ScalingReplicaSet")]


def test_types_warning_after_a_bad_image_shows_only_the_warnings():
    cluster = deployed()
    assert run(cluster, "run broken --image=nginx:does-not-exist").exit_code == 0
    cluster.run(300)
    table = rows(run(cluster, "events --types=Warning").stdout)
    assert table and {row["type"] for row in table} == {"Warning"}
    assert {row["object"] for row in table} == {"Pod/broken"}
    assert {"Error: ErrImagePull", "Error: ImagePullBackOff"} <= {row["message"] for row in table}
    normal = rows(run(cluster, "events --types normal --for pod/broken").stdout)
    assert "BackOff" in {row["reason"] for row in normal}  # Back-off pulling image is a Normal event


def test_an_event_seen_again_prints_its_count_and_span():
    cluster = deployed()
    run(cluster, "run broken --image=nginx:does-not-exist")
    cluster.run(300)
    listed = cluster.client.list("events", "default", field_selector="involvedObject.name=broken")["items"]
    pulled = next(e for e in listed if e["message"] == "Error: ErrImagePull")
    assert pulled["count"] > 1
    row = next(r for r in rows(run(cluster, "events --for pod/broken").stdout) if r["message"] == "Error: ErrImagePull")
    now = cluster.clock.now()
    last = ev.human_duration(now - ev.go_time(pulled["lastTimestamp"]))
    first = ev.human_duration(now - ev.go_time(pulled["firstTimestamp"]))
    assert row["seen"] == f"{last} (x{pulled['count']} over {first})"


def test_last_seen_grows_as_the_simulated_clock_runs():
    cluster = deployed()
    before = rows(run(cluster, "events --for deployment/web").stdout)[0]["seen"]
    cluster.run(120)
    after = rows(run(cluster, "events --for deployment/web").stdout)[0]["seen"]
    assert seconds(after) - seconds(before) == 120


def test_all_namespaces_adds_a_namespace_column():
    cluster = deployed()
    run(cluster, "create namespace shop")
    run(cluster, "create deployment cart --image=nginx:1.27 -n shop")
    cluster.run(30)
    text = run(cluster, "events -A").stdout
    assert text.splitlines()[0].split()[:3] == ["NAMESPACE", "LAST", "SEEN"]
    assert {line.split()[0] for line in text.splitlines()[1:]} == {"default", "kube-system", "shop"}  # CoreDNS
    shop = run(cluster, "events -n shop").stdout
    assert "Deployment/cart" in shop and "Deployment/web" not in shop


def test_the_same_seed_prints_the_same_bytes():
    first, second = deployed(seed=5), deployed(seed=5)
    for command in ("events", "events -A", "events -o yaml", "events --types=Normal --no-headers"):
        assert str(run(first, command)) == str(run(second, command))


def test_nothing_found_goes_to_stderr_with_exit_zero():
    cluster = deployed()
    result = run(cluster, "events -n kube-public")
    assert (result.stdout, result.stderr, result.exit_code) == ("", "No events found in kube-public namespace.\n", 0)
    result = run(cluster, "events -A --types=Warning")
    assert (result.stdout, result.stderr, result.exit_code) == ("", "No events found.\n", 0)


def test_watch_without_a_request_timeout_says_how_to_bound_it():
    cluster = deployed()
    for command in ("events -w", "events --watch --for deployment/web"):
        result = run(cluster, command)
        assert result.exit_code == 1 and result.stdout == ""
        assert result.stderr.startswith("error: a watch never ends on a real cluster")
        assert "--request-timeout=60s" in result.stderr


def test_yaml_prints_an_event_list_of_typed_events():
    text = run(deployed(), "events -o yaml --for deployment/web").stdout
    assert text.startswith("apiVersion: v1\nitems:\n- apiVersion: v1\n")
    assert "  eventTime: null\n" in text and "  kind: Event\n" in text
    assert text.endswith("kind: EventList\nmetadata: {}\n")


def test_a_user_who_may_not_list_events_gets_the_servers_forbidden():
    result = run(deployed(), "events --as alice")
    assert result.exit_code == 1
    assert result.stderr.startswith('Error from server (Forbidden): events is forbidden: User "alice" cannot list')


@pytest.mark.parametrize("command", [
    "events --for", "events --for=//", "events --for ./x", "events --for pod.v1.apps.x/y", "events -o",
    "events -o jsonpath={.items[0].metadata.name", "events -o jsonpath-as-json={..name}", "events --types=,",
    "events --chunk-size=-1", "events --for pod/web --for deploy/web", "events -o go-template={{.kind}}",
    "events -o jsonpath-file=x", "events --for=Node/node-1 -A -o name", "events --no-headers=false",
])
def test_odd_command_lines_never_raise(command):
    result = run(deployed(), command)
    assert result.exit_code in (0, 1)
    assert "Traceback" not in str(result)


def test_more_than_a_page_of_events_is_listed_page_after_page():
    cluster = labkube.Cluster(nodes=0, seed=0)
    for index in range(1203):
        cluster.client.create({
            "apiVersion": "v1", "kind": "Event", "metadata": {"name": f"p{index}.{index:05x}", "namespace": "default"},
            "involvedObject": {"apiVersion": "v1", "kind": "Pod", "name": f"p{index}", "namespace": "default"},
            "reason": "Pulled", "message": "m", "type": "Normal", "count": 1,
            "firstTimestamp": stamp(1203 - index), "lastTimestamp": stamp(1203 - index)})
    result = run(cluster, "events --no-headers --chunk-size=10")
    names = [line.split()[3] for line in result.stdout.splitlines()]
    assert names == [f"Pod/p{index}" for index in range(1203)]
