"""labkube's ``-o go-template``: the engine's invariants, and how kubectl's commands use it.

What kubectl 1.32 itself prints for each template is in ``test_gotemplate_kubectl.py`` (goldens)
and ``test_gotemplate_commands.py`` (differential, needs the binary); these tests need neither.
The command-level expectations here were checked against the real kubectl in that differential
run or by hand (``kubectl --server http://127.0.0.1:1 ...`` shows whether kubectl builds its
printer before it sends anything).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import labkube
from labkube.kubectl import gotemplate, run
from labkube.kubectl.gofmt import Int64
from labkube.kubectl.gotemplate_parse import ParseError
from labkube.kubectl.parse import parse
from labkube.kubectl.printers.format import go_sprint

# --- the engine -------------------------------------------------------------------------------

POD = {"kind": "Pod", "metadata": {"name": "web", "labels": {"app": "web", "tier": "front"}},
       "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27", "ports": [{"containerPort": 80}]},
                               {"name": "log", "image": "busybox"}]},
       "status": {"phase": "Running", "restartCount": 0, "cpu": 0.25}}

ENGINE = [
    ("a field path prints the value", "{{.metadata.name}}", "web"),
    ("range over containers with a separator", '{{range .spec.containers}}{{.image}}{{"\\n"}}{{end}}', "nginx:1.27\nbusybox\n"),
    ("index reaches into a list", "{{(index .spec.containers 0).name}}", "nginx"),
    ("labels range in key order", "{{range $k, $v := .metadata.labels}}{{$k}}={{$v}} {{end}}", "app=web tier=front "),
    ("integers print without a decimal point", "{{(index (index .spec.containers 0).ports 0).containerPort}}", "80"),
    ("a fraction prints as Go prints a float64", "{{.status.cpu}}", "0.25"),
    ("a missing field prints <no value>", "{{.status.podIP}}", "<no value>"),
    ("if tests the phase", '{{if eq .status.phase "Running"}}up{{else}}down{{end}}', "up"),
    ("zero is false", "{{if .status.restartCount}}restarted{{else}}fresh{{end}}", "fresh"),
    ("len counts the containers", "{{len .spec.containers}}", "2"),
    ("printf pads a column", '{{printf "%-8s|" .metadata.name}}', "web     |"),
    ("trim markers remove the newlines of a readable template",
     "{{range .spec.containers -}}\n  {{.name}}\n{{end -}}\n", "nginx\nlog\n"),
]


@pytest.mark.parametrize("name, template, expected", ENGINE, ids=[c[0] for c in ENGINE])
def test_the_engine_renders_a_pod(name, template, expected):
    assert gotemplate.execute(template, POD) == expected


def test_integers_from_json_are_int64_and_fractions_float64():
    value = gotemplate.go_value({"a": 3, "b": 2.0, "c": 2.5, "d": [True, None]})
    assert isinstance(value["a"], Int64) and isinstance(value["b"], Int64)
    assert value["c"] == 2.5 and value["d"] == [True, None]


def test_an_execution_error_keeps_what_was_already_written():
    with pytest.raises(gotemplate.ExecError) as caught:
        gotemplate.execute("{{.kind}} {{.spec.nodeName.x}}", {**POD, "spec": {"nodeName": None}})
    assert caught.value.output == "Pod "
    assert str(caught.value) == ('template: output:1:17: executing "output" at <.spec.nodeName.x>: '
                                 "nil pointer evaluating interface {}.x")


def test_deep_template_recursion_stops_with_gos_message():
    with pytest.raises(gotemplate.ExecError, match=r"exceeded maximum template depth \(100000\)"):
        gotemplate.execute('{{define "loop"}}{{template "loop" .}}{{end}}{{template "loop" .}}', {})


# --- invariants -------------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-2**53, 2**53) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(st.text().filter(lambda t: "{{" not in t))
def test_a_template_made_only_of_text_prints_that_text(text):
    assert gotemplate.execute(text, {}) == text


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_print_of_any_json_value_is_fmt_sprint(value):
    assert gotemplate.execute("{{print .v}}", {"v": value}) == go_sprint(value)


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_an_action_prints_like_print_except_nil(value):
    expected = "<no value>" if value is None else go_sprint(value)
    assert gotemplate.execute("{{.v}}", {"v": value}) == expected


TOKENS = ["{{", "}}", "{{- ", " -}}", ".spec", ".l", "$", "$x", ":=", "=", "|", "(", ")", " ", "range",
          "if", "else", "end", "with", "define", "template", "block", "break", "continue", '"a"', "`r`",
          "'c'", "1", "2.5", "-1", "nil", "true", "len", "index", "slice", "printf", '"%d%v"', "eq",
          "lt", "and", "not", "print", "exists", "base64decode", "js", ",", "\n", "/*", "*/", ".", "#"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=14), st.booleans())
def test_any_template_renders_or_fails_with_a_template_error(tokens, allow_missing):
    text = "".join(tokens)
    try:
        template = gotemplate.Template(text)
    except ParseError as err:
        assert str(err).startswith("template: output:")
        return
    data = gotemplate.go_value({"spec": {"l": [1, "a", None, {"k": 2.5}]}})
    try:
        first = template.execute(data, allow_missing)
    except gotemplate.ExecError as err:
        assert str(err).startswith("template: output:")
        return
    assert template.execute(data, allow_missing) == first  # deterministic


# --- kubectl's flags ---------------------------------------------------------------------------

FOLDS = [
    ("--template alone means go-template", "get pods --template={{.kind}}", "go-template={{.kind}}", ""),
    ("-o go-template takes --template", "get pods -o go-template --template={{.kind}}", "go-template={{.kind}}", ""),
    ("-o go-template-file takes the path from --template", "get pods -o go-template-file --template=t.tmpl",
     "go-template-file=t.tmpl", ""),
    ("-o jsonpath takes --template too", "get pods -o jsonpath --template={.kind}", "jsonpath={.kind}", ""),
    ("-o go-template=X with --template keeps both (no printer takes them)",
     "get pods -o go-template={{.a}} --template={{.b}}", "go-template={{.a}}", "{{.b}}"),
    ("-o yaml ignores --template", "get pods -o yaml --template={{.b}}", "yaml", "{{.b}}"),
]


@pytest.mark.parametrize("name, line, output, template", FOLDS, ids=[c[0] for c in FOLDS])
def test_the_template_flag_folds_into_the_output_format(name, line, output, template):
    flags = parse(line).flags
    assert (flags["output"], flags["template"]) == (output, template)


# --- kubectl's commands ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cluster():
    c = labkube.Cluster(nodes=1, seed=0)
    c.run(2)
    run(c, "create namespace gt")
    run(c, "create deployment web -n gt --image=nginx:1.27 --replicas=2")
    c.run(20)
    return c


def kubectl(cluster, line):
    result = run(cluster, line)
    return result.stdout, result.stderr, result.exit_code


def test_get_of_a_list_gives_the_template_one_list_with_items(cluster):
    assert kubectl(cluster, "get pods -n gt -o go-template='{{.kind}} {{len .items}}'") == ("List 2", "", 0)


def test_get_of_one_named_object_gives_the_template_the_object(cluster):
    line = "get deploy web -n gt -o go-template --template='{{.kind}} {{.status.readyReplicas}}'"
    assert kubectl(cluster, line) == ("Deployment 2", "", 0)


def test_a_template_file_is_read_from_the_working_folder(cluster, tmp_path, monkeypatch):
    (tmp_path / "names.tmpl").write_text("{{range .items}}{{.metadata.name}}{{end}}")
    monkeypatch.chdir(tmp_path)
    assert kubectl(cluster, "get deploy -n gt -o go-template-file=names.tmpl") == ("web", "", 0)
    assert kubectl(cluster, "get deploy -n gt -o templatefile=missing.tmpl") == (
        "", "error: error reading --template missing.tmpl, open missing.tmpl: no such file or directory\n", 1)


def test_no_template_is_kubectls_error(cluster):
    assert kubectl(cluster, "get deploy -n gt -o go-template") == (
        "", "error: template format specified but no template given\n", 1)


def test_an_execution_error_prints_the_debugging_block_then_fails(cluster):
    out, err, code = kubectl(cluster, "get deploy web -n gt -o go-template='{{.kind}} {{.nope}}' "
                                      "--allow-missing-template-keys=false")
    assert out.startswith('Deployment Error executing template: template: output:1:12: executing "output" '
                          'at <.nope>: map has no entry for key "nope". Printing more information for '
                          "debugging the template:\n\ttemplate was:\n\t\t{{.kind}} {{.nope}}\n\traw data was:\n")
    assert "\tobject given to template engine was:\n\t\tmap[apiVersion:apps/v1 kind:Deployment " in out
    assert out.endswith("]\n\n")
    assert (err, code) == ('error: error executing template "{{.kind}} {{.nope}}": template: output:1:12: '
                           'executing "output" at <.nope>: map has no entry for key "nope"\n', 1)


def test_a_bad_template_stops_create_before_anything_is_created(cluster):
    out, err, code = kubectl(cluster, "create configmap early -n gt -o go-template='{{.x'")
    assert (out, err, code) == ("", "error: error parsing template {{.x, template: output:1: unclosed action\n", 1)
    assert kubectl(cluster, "get configmap early -n gt")[2] == 1


def test_label_builds_its_printer_late_so_the_label_is_applied(cluster):
    out, err, code = kubectl(cluster, "label deploy web -n gt stage=late -o go-template='{{.x'")
    assert (err, code) == ("error: error parsing template {{.x, template: output:1: unclosed action\n", 1)
    assert kubectl(cluster, "get deploy web -n gt -o go-template='{{.metadata.labels.stage}}'") == ("late", "", 0)


def test_dry_run_create_prints_the_generated_object(cluster):
    line = "create deployment x --image=nginx --dry-run=client -o go-template='{{.spec.replicas}} {{.metadata.creationTimestamp}}'"
    assert kubectl(cluster, line) == ("1 <no value>", "", 0)


def test_a_watch_prints_each_object_through_the_template(cluster):
    out, err, code = kubectl(cluster, "get deploy web -n gt -w --request-timeout=1 "
                                      """-o go-template='{{.metadata.name}}:{{.spec.replicas}}{{"\\n"}}'""")
    assert (out.splitlines()[0], err, code) == ("web:2", "", 0)
    assert kubectl(cluster, "get deploy -n gt -w --request-timeout=1 -o go-template='{{.x'") == (
        "", "error: error parsing template {{.x, template: output:1: unclosed action\n", 1)


def test_events_print_the_debugging_block_but_ignore_the_error(cluster):
    # kubectl 1.32 (differential run against labkube's HTTP front): stdout as for get, exit 0
    out, err, code = kubectl(cluster, "events -n gt --for deployment/web "
                                      "-o go-template='{{.kind}} {{.nope.x}}' --allow-missing-template-keys=false")
    assert out.startswith('EventList Error executing template: template: output:1:17: executing "output" at '
                          '<.nope.x>: map has no entry for key "nope". Printing more information')
    assert (err, code) == ("", 0)


def test_events_take_a_go_template(cluster):
    out, err, code = kubectl(cluster, "events -n gt --for deployment/web -o go-template='{{range .items}}{{.reason}} {{end}}'")
    assert (out, err, code) == ("ScalingReplicaSet ", "", 0)
