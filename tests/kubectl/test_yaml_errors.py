"""Broken YAML gets the error real kubectl prints, line number and words.

Every expectation below was printed by the real kubectl 1.32 for the same text
(``kubectl create --dry-run=client -o yaml -f -``; it parses before contacting a server).
kubectl cuts documents with apimachinery's YAMLReader and parses each with go-yaml, a port
of libyaml: line numbers count from the document's first line, and a file that opens with
``---`` keeps that line in its first document.
"""

import pytest

import labkube
from labkube.core.manifests import ManifestError, parse_text
from labkube.kubectl import run

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
PREFIX = "error: error parsing STDIN: error converting YAML to JSON: "

CASES = [
    ("a file opening with --- counts that line",
     "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels: x: y\n",
     PREFIX + "yaml: line 6: mapping values are not allowed in this context"),
    ("a tab before a key",
     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n\tlabels: {}\n",
     PREFIX + "yaml: line 5: found a tab character that violates indentation"),
    ("a tab inside a block scalar",
     "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: |\n    one\n\ttwo\n",
     PREFIX + "yaml: line 6: found a tab character where an indentation space is expected"),
    ("an undefined alias in a flow mapping", CM + "data: {a: *b}\n",
     PREFIX + "yaml: unknown anchor 'b' referenced"),
    ("a control character", CM + 'data: {a: "\x07"}\n',
     PREFIX + "yaml: control characters are not allowed"),
    ("binary data that is not base64", CM + "data: {a: !!binary x}\n",
     PREFIX + "yaml: !!binary value contains invalid base64 data"),
    ("an unterminated quote", CM + "data:\n  a: 'x\n",
     PREFIX + "yaml: line 6: found unexpected end of stream"),
    ("text after a document separator", CM + "--- foo\n" + CM,
     "error: error parsing STDIN: invalid Yaml document separator: foo"),
    ("four dashes", CM + "----\n", "error: error parsing STDIN: invalid Yaml document separator: -"),
]


@pytest.mark.parametrize("text, printed", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_kubectl_prints_go_yamls_error(text, printed):
    cluster = labkube.Cluster(nodes=1, seed=0)
    out = run(cluster, "create --dry-run=client -o yaml -f -", stdin=text)
    assert str(out) == printed + "\n"
    assert out.exit_code == 1


@pytest.mark.parametrize("text, printed", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cluster_apply_raises_the_same_words(text, printed):
    with pytest.raises(ManifestError) as caught:
        parse_text(text)
    assert "error: " + str(caught.value) == printed


def test_a_tag_go_yaml_has_no_type_for_reads_as_the_plain_value():
    # kubectl accepts this document (it got as far as asking the server for the type).
    assert parse_text(CM + "data: {a: !foo x}\n")[0]["data"] == {"a": "x"}


def test_a_comment_may_follow_a_separator():
    assert [o["metadata"]["name"] for o in parse_text(CM + "--- # next\n" + CM.replace("a}", "b}"))] == ["a", "b"]


# A stream opening with "{" is JSON to kubectl (apimachinery's YAMLOrJSONDecoder), read with
# Go's encoding/json: YAML's leniency does not apply. Printed by the real kubectl 1.32.
JSON_CASES = [
    ("a trailing comma", '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a",}}\n',
     "error: error parsing STDIN: json: offset 68: invalid character '}' looking for beginning of object key string"),
    ("a value cut short", '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}\n',
     "error: error parsing STDIN: unexpected EOF"),
    ("YAML flow style with unquoted keys", '{\n  apiVersion: "v1",\n  kind: "Namespace",\n  metadata: {name: "dev"}\n}',
     "error: error parsing STDIN: json: offset 5: invalid character 'a' looking for beginning of object key string"),
]


@pytest.mark.parametrize("text, printed", [c[1:] for c in JSON_CASES], ids=[c[0] for c in JSON_CASES])
def test_a_json_stream_gets_gos_json_errors(text, printed):
    out = run(labkube.Cluster(nodes=1, seed=0), "create --dry-run=client -o yaml -f -", stdin=text)
    assert (str(out), out.exit_code) == (printed + "\n", 1)
    with pytest.raises(ManifestError) as caught:
        parse_text(text)
    assert "error: " + str(caught.value) == printed


def test_json_objects_may_follow_each_other_in_one_stream():
    text = '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}\n' \
           '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}}'
    out = run(labkube.Cluster(nodes=1, seed=0), "create --dry-run=client -o name -f -", stdin=text)
    assert str(out) == "configmap/a\nconfigmap/b\n"


def test_a_yaml_separator_after_json_is_a_json_error_after_the_first_object():
    text = '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}\n---\n'
    out = run(labkube.Cluster(nodes=1, seed=0), "create --dry-run=client -o name -f -", stdin=text)
    assert str(out) == ("configmap/a\n"
                        "error: error parsing STDIN: json: offset 71: invalid character '-' in numeric literal\n")


def test_y_and_n_are_booleans_as_go_yaml_reads_them():
    # kubectl 1.32 sends `data: {x: y}` as {"x": true}, which the API server refuses.
    values = parse_text(CM + "data: {a: y, b: N, c: yes, d: 'y', e: yy}\n")[0]["data"]
    assert values == {"a": True, "b": False, "c": True, "d": "y", "e": "yy"}
    out = run(labkube.Cluster(nodes=1, seed=0), "apply -f -", stdin=CM + "data: {x: y}\n")
    assert "json: cannot unmarshal bool into Go struct field ConfigMap.data of type string" in str(out)


def test_a_file_with_bytes_that_are_not_utf8_is_read_as_kubectl_reads_it(tmp_path):
    # kubectl 1.32 parses it (it went on to validation): each bad byte reads as U+FFFD.
    path = tmp_path / "bad.yaml"
    path.write_bytes(b'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: "\xff\xfe"}\n')
    out = run(labkube.Cluster(nodes=1, seed=0), f"create --dry-run=client -o name -f {path}")
    assert (str(out), out.exit_code) == ("configmap/a\n", 0)
    assert parse_text(path.read_bytes().decode("utf-8", "replace"))[0]["data"] == {"k": "\ufffd\ufffd"}


def test_an_env_file_with_bytes_that_are_not_utf8_is_refused_with_kubectls_words(tmp_path):
    path = tmp_path / "bad.env"
    path.write_bytes(b"A=1\nB=\xff\xfe\n")
    out = run(labkube.Cluster(nodes=1, seed=0), f"create configmap c --from-env-file={path} --dry-run=client")
    assert str(out) == f"error: env file {path} contains invalid utf8 bytes at line 2: [66 61 255 254]\n"
    assert out.exit_code == 1
