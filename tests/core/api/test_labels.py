"""Label and field selectors parse, print and match as apimachinery's labels and fields do."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labkube.core.api.labels import (
    SelectorError,
    format_label_selector,
    parse_field_selector,
    parse_selector,
    selector_from_label_selector,
    selector_from_set,
)


@pytest.mark.parametrize(
    "text, canonical",
    [
        ("app=web", "app=web"),
        ("app==web", "app==web"),
        ("tier!=db, app=web", "app=web,tier!=db"),
        ("env in (prod, dev)", "env in (dev,prod)"),
        ("env notin (qa)", "env notin (qa)"),
        ("app", "app"),
        ("!app", "!app"),
        ("app,!tier", "app,!tier"),
        ("replicas>3", "replicas>3"),
        ("x in (a,,b)", "x in (,a,b)"),
        ("app=", "app="),
        ("example.com/app=web", "example.com/app=web"),
        ("", ""),
    ],
)
def test_a_selector_prints_in_kubernetes_canonical_form(text, canonical):
    assert str(parse_selector(text)) == canonical


@pytest.mark.parametrize(
    "text, message",
    [
        ("app=web,", "found '', expected: identifier after ','"),
        ("app web", "unable to parse requirement: found 'web', expected: in, notin, =, ==, !=, gt, lt"),
        ("=web", "found '=', expected: !, identifier, or 'end of string'"),
        ("app in web", "unable to parse requirement: found 'web' expected: '('"),
        ("app in (a b)", "unable to parse requirement: found 'b', expected: ',' or ')'"),
        ("app=(", "unable to parse requirement: found '(', expected: identifier"),
        ("app>x", "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer"),
        ("app=a b", "found 'b', expected: ',' or 'end of string'"),
        ("app=-bad", "unable to parse requirement: values[0][app]: Invalid value: \"-bad\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"),
        ("-app=x", "unable to parse requirement: : Invalid value: \"-app\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"),
        ("app!x", "unable to parse requirement: found '!', expected: in, notin, =, ==, !=, gt, lt"),
    ],
)
def test_a_bad_selector_is_refused_with_the_labels_parse_error(text, message):
    with pytest.raises(SelectorError) as err:
        parse_selector(text)
    assert str(err.value) == message


@pytest.mark.parametrize(
    "text, labels, matches",
    [
        ("app=web", {"app": "web"}, True),
        ("app=web", {"app": "db"}, False),
        ("app=web", {}, False),
        ("app!=web", {}, True),
        ("app notin (web)", {"tier": "x"}, True),
        ("app in (web,db)", {"app": "db"}, True),
        ("app", {"app": ""}, True),
        ("!app", {"app": ""}, False),
        ("n>3", {"n": "4"}, True),
        ("n<3", {"n": "x"}, False),
        ("", {"anything": "at-all"}, True),
    ],
)
def test_matching_follows_kubernetes_semantics(text, labels, matches):
    assert parse_selector(text).matches(labels) is matches


def test_a_label_selector_object_becomes_a_sorted_selector():
    selector = selector_from_label_selector({
        "matchLabels": {"tier": "web", "app": "shop"},
        "matchExpressions": [{"key": "env", "operator": "In", "values": ["prod", "dev"]},
                             {"key": "canary", "operator": "DoesNotExist"}],
    })
    assert str(selector) == "app=shop,!canary,env in (dev,prod),tier=web"
    assert selector.matches({"app": "shop", "tier": "web", "env": "dev"})
    assert not selector.matches({"app": "shop", "tier": "web", "env": "dev", "canary": "1"})


def test_a_missing_label_selector_matches_nothing_and_an_empty_one_everything():
    assert not selector_from_label_selector(None).matches({"a": "b"})
    assert selector_from_label_selector({}).matches({"a": "b"})
    assert format_label_selector({}) == "<none>"
    assert format_label_selector({"matchLabels": {"app": "web"}}) == "app=web"


def test_an_unknown_operator_in_a_label_selector_is_reported():
    with pytest.raises(SelectorError) as err:
        selector_from_label_selector({"matchExpressions": [{"key": "a", "operator": "Has"}]})
    assert str(err.value) == '"Has" is not a valid label selector operator'


def test_selector_from_set_is_an_equality_per_label():
    assert str(selector_from_set({"b": "2", "a": "1"})) == "a=1,b=2"


@pytest.mark.parametrize(
    "text, canonical, fields, matches",
    [
        ("metadata.name=web", "metadata.name=web", {"metadata.name": "web"}, True),
        ("status.phase!=Running", "status.phase!=Running", {"status.phase": "Pending"}, True),
        ("spec.nodeName==node-1,metadata.namespace=default", "metadata.namespace=default,spec.nodeName=node-1",
         {"spec.nodeName": "node-1", "metadata.namespace": "default"}, True),
        ("spec.nodeName=", "spec.nodeName=", {"spec.nodeName": "node-1"}, False),
        ("metadata.name=a\\,b", "metadata.name=a\\,b", {"metadata.name": "a,b"}, True),
    ],
)
def test_field_selectors_parse_print_and_match(text, canonical, fields, matches):
    selector = parse_field_selector(text)
    assert str(selector) == canonical
    assert selector.matches(fields) is matches


def test_a_field_selector_without_an_operator_is_refused():
    with pytest.raises(SelectorError) as err:
        parse_field_selector("metadata.name")
    assert str(err.value) == "invalid selector: 'metadata.name'; can't understand 'metadata.name'"


_key = st.from_regex(r"\A[a-z]([a-z0-9.-]{0,8}[a-z0-9])?\Z")
_value = st.from_regex(r"\A([A-Za-z0-9]([A-Za-z0-9_.-]{0,8}[A-Za-z0-9])?)?\Z")
_requirement = st.one_of(
    st.builds(lambda k, v: f"{k}={v}", _key, _value),
    st.builds(lambda k, v: f"{k}!={v}", _key, _value),
    st.builds(lambda k, vs: f"{k} in ({','.join(vs)})", _key, st.lists(_value.filter(bool), min_size=1, max_size=3)),
    st.builds(lambda k, vs: f"{k} notin ({','.join(vs)})", _key, st.lists(_value.filter(bool), min_size=1, max_size=3)),
    st.builds(lambda k: k, _key),
    st.builds(lambda k: f"!{k}", _key),
)


@given(st.lists(_requirement, min_size=1, max_size=4))
def test_printing_a_parsed_selector_and_parsing_it_again_is_stable(requirements):
    text = ",".join(requirements)
    printed = str(parse_selector(text))
    assert str(parse_selector(printed)) == printed


@given(st.lists(_requirement, min_size=1, max_size=4),
       st.dictionaries(_key, _value, max_size=4))
def test_a_reprinted_selector_matches_exactly_the_same_labels(requirements, labels):
    selector = parse_selector(",".join(requirements))
    assert parse_selector(str(selector)).matches(labels) == selector.matches(labels)
