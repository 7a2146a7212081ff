"""Reading manifests the way kubectl reads them, with kubectl's errors."""

import pytest

from labkube.core.manifests import ManifestError, load, parse_text, split_documents

DEPLOY = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"


def test_a_stream_splits_at_separator_lines_and_skips_empty_documents():
    text = "---\n" + DEPLOY + "---\n\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: dev}\n"
    assert [o["kind"] for o in parse_text(text)] == ["Deployment", "Namespace"]


def test_separators_inside_a_line_do_not_split():
    assert len(split_documents("a: '---'\nb: 1\n")) == 1


def test_a_list_is_flattened_into_its_items():
    text = "apiVersion: v1\nkind: List\nitems:\n- " + DEPLOY.replace("\n", "\n  ").rstrip() + "\n"
    assert [o["metadata"]["name"] for o in parse_text(text)] == ["web"]


def test_json_is_read_too():
    assert parse_text('{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}}')[0]["kind"] == "Namespace"


@pytest.mark.parametrize(
    "text, message",
    [
        # Both messages were produced by real kubectl 1.32 (`kubectl apply --dry-run=client -f`).
        ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels: a: b\n",
         "error parsing web.yaml: error converting YAML to JSON: yaml: line 5: "
         "mapping values are not allowed in this context"),
        ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n labels:\n   a: b\n",
         "error parsing web.yaml: error converting YAML to JSON: yaml: line 4: did not find expected key"),
    ],
)
def test_yaml_syntax_errors_read_like_kubectls(text, message):
    with pytest.raises(ManifestError) as err:
        parse_text(text, "web.yaml")
    assert str(err.value) == message


def test_line_numbers_count_from_the_start_of_the_failing_document():
    text = DEPLOY + "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels: a: b\n"
    with pytest.raises(ManifestError, match="yaml: line 5:"):
        parse_text(text, "web.yaml")


def test_a_document_without_kind_is_refused_before_reaching_the_server():
    with pytest.raises(ManifestError) as err:
        parse_text("apiVersion: v1\nmetadata:\n  name: x\n", "x.yaml")
    assert str(err.value) == (
        'unable to decode "x.yaml": Object \'Kind\' is missing in '
        '\'{"apiVersion":"v1","metadata":{"name":"x"}}\''
    )


def test_a_document_without_api_version_is_refused():
    with pytest.raises(ManifestError, match="apiVersion not set"):
        parse_text("kind: Pod\nmetadata:\n  name: x\n", "x.yaml")


def test_paths_folders_dicts_and_lists_all_load(tmp_path):
    (tmp_path / "a.yaml").write_text(DEPLOY)
    (tmp_path / "b.json").write_text('{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}}')
    (tmp_path / "notes.txt").write_text("not a manifest")
    from_folder = load(str(tmp_path))
    assert [m.obj["kind"] for m in from_folder] == ["Deployment", "Namespace"]
    assert from_folder[0].source.endswith("a.yaml")
    assert len(load([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "y"}}, DEPLOY])) == 2


def test_a_missing_path_is_reported_as_kubectl_does(tmp_path):
    with pytest.raises(ManifestError, match='the path ".*nope.yaml" does not exist'):
        load(tmp_path / "nope.yaml")


def test_objects_passed_in_are_never_modified():
    obj = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}}
    load(obj)[0].obj["metadata"]["name"] = "changed"
    assert obj["metadata"]["name"] == "x"


def test_yaml_timestamps_stay_strings_as_in_json():
    obj = parse_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  when: 2024-01-02\n")[0]
    assert obj["data"]["when"] == "2024-01-02"


@pytest.mark.parametrize("text, value", [
    ("1e400", "1e400"),    # out of a float64's range: strconv.ParseFloat fails, go-yaml keeps the text
    ("-1e400", "-1e400"),
    (".5e400", ".5e400"),
    ("1e300", 1e300),
    ("1e-400", 0.0),       # underflow rounds to zero without an error in Go
    ("99999999999999999999", 1e20),  # past uint64, still a float
], ids=["overflow", "negative overflow", "dot overflow", "large", "underflow", "past uint64"])
def test_numbers_beyond_a_float64_stay_text_as_go_yaml_leaves_them(text, value):
    # real kubectl 1.32: `create -f` of `x: 1e400` with --dry-run=client -o json prints "x": "1e400"
    obj = parse_text(f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: x}}\nx: {text}\n")[0]
    assert obj["x"] == value
