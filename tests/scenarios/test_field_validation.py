"""kubectl's ``--validate`` on a cluster: the docs page "Extend the Kubernetes API with
CustomResourceDefinitions", section "Field pruning", and the same for a built-in kind.

kubectl 1.32 sends ``fieldValidation``: ``Strict`` by default (``--validate``, ``=true``,
``=strict``), ``Warn`` for ``--validate=warn``, ``Ignore`` for ``=false``/``=ignore``; the server
refuses, prunes with a ``Warning: unknown field "..."`` on kubectl's stderr, or prunes silently.
An unknown ``--validate`` value is kubectl's own error (``cmdutil.GetValidationDirective``).
"""

import pytest

import labkube
from labkube.kubectl import run
from tests.kubectl.crd_cases import CRONTAB_CRD, MY_CRONTAB

#: The page's my-crontab.yaml of "Field pruning".
PRUNED_CRONTAB = MY_CRONTAB + "  someRandomField: 42\n"

CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
colour: blue
data:
  mode: fast
"""

REFUSED_CONFIGMAP = ('Error from server (BadRequest): error when creating "STDIN": ConfigMap in version "v1" '
                     'cannot be handled as a ConfigMap: strict decoding error: unknown field "colour"\n')


@pytest.fixture
def cluster():
    with labkube.Cluster(nodes=1, seed=0) as c:
        yield c


def _kubectl(cluster, command: str, stdin: str):
    cluster.settle()
    return run(cluster, command, stdin=stdin)


# -- the docs page ------------------------------------------------------------------------------


def test_the_pages_create_with_validate_false_succeeds_and_the_field_is_pruned(cluster):
    cluster.apply(CRONTAB_CRD)
    result = _kubectl(cluster, "create --validate=false -f - -o yaml", PRUNED_CRONTAB)
    assert (result.exit_code, result.stderr) == (0, "")
    assert "someRandomField" not in result.stdout
    assert "spec:\n  cronSpec: '* * * * */5'\n  image: my-awesome-cron-image\n" in result.stdout
    live = cluster.kubectl("get crontab my-new-cron-object -o yaml")
    assert live.endswith("spec:\n  cronSpec: '* * * * */5'\n  image: my-awesome-cron-image\n")


def test_validate_warn_creates_the_crontab_and_prints_the_servers_warning(cluster):
    cluster.apply(CRONTAB_CRD)
    result = _kubectl(cluster, "create --validate=warn -f -", PRUNED_CRONTAB)
    assert (result.exit_code, result.stdout, result.stderr) == (
        0, "crontab.stable.example.com/my-new-cron-object created\n",
        'Warning: unknown field "spec.someRandomField"\n')
    assert str(result).startswith("Warning: ")  # printed when the response arrives, before "created"


def test_kubectls_default_stays_strict_for_a_custom_resource(cluster):
    cluster.apply(CRONTAB_CRD)
    result = _kubectl(cluster, "create -f -", PRUNED_CRONTAB)
    assert result.exit_code == 1
    assert result.stderr.endswith('strict decoding error: unknown field "spec.someRandomField"\n')


# -- a built-in kind under each --validate value ------------------------------------------------


@pytest.mark.parametrize("flag, stderr", [
    ("", REFUSED_CONFIGMAP),
    ("--validate", REFUSED_CONFIGMAP),
    ("--validate=true", REFUSED_CONFIGMAP),
    ("--validate=strict", REFUSED_CONFIGMAP),
    ("--validate=warn", 'Warning: unknown field "colour"\n'),
    ("--validate=ignore", ""),
    ("--validate=false", ""),
    ("--validate=0", ""),
])
def test_a_configmap_with_an_unknown_field_under_each_validate_value(cluster, flag, stderr):
    result = _kubectl(cluster, f"create {flag} -f -", CONFIGMAP)
    assert result.stderr == stderr
    created = stderr != REFUSED_CONFIGMAP
    assert result.stdout == ("configmap/settings created\n" if created else "")
    if created:
        assert cluster.get("configmap", "settings")["data"] == {"mode": "fast"}
        assert "colour" not in cluster.get("configmap", "settings")


@pytest.mark.parametrize("command, expected_out, expected_err", [
    ("apply --validate=false -f -", "configmap/settings created\n", ""),
    ("apply --validate=warn -f -", "configmap/settings created\n", 'Warning: unknown field "colour"\n'),
    ("apply -f -", "", 'Error from server (BadRequest): error when creating "STDIN": ConfigMap in version '
                       '"v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "colour"\n'),
])
def test_apply_sends_its_validate_flag_too(cluster, command, expected_out, expected_err):
    result = _kubectl(cluster, command, CONFIGMAP)
    assert (result.stdout, result.stderr) == (expected_out, expected_err)


def test_replace_with_validate_warn_replaces_and_warns(cluster):
    _kubectl(cluster, "create --validate=ignore -f -", CONFIGMAP)
    result = _kubectl(cluster, "replace --validate=warn -f -", CONFIGMAP.replace("fast", "slow"))
    assert (result.stdout, result.stderr) == ("configmap/settings replaced\n", 'Warning: unknown field "colour"\n')
    assert cluster.get("configmap", "settings")["data"] == {"mode": "slow"}


@pytest.mark.parametrize("command", ["create --validate=foo -f -", "apply --validate=yes -f -",
                                     "create configmap other --validate=Strict"])
def test_an_invalid_validate_value_is_kubectls_own_error_and_nothing_is_sent(cluster, command):
    result = _kubectl(cluster, command, CONFIGMAP)
    value = command.split("--validate=")[1].split()[0]
    assert (result.exit_code, result.stdout, result.stderr) == (
        1, "", f'error: invalid - validate option "{value}"; must be one of: strict (or true), warn, '
               "ignore (or false)\n")
    names = {cm["metadata"]["name"] for cm in cluster.list("configmaps", "default")}
    assert not names & {"settings", "other"}


def test_the_python_facade_keeps_kubectls_strict_default(cluster):
    with pytest.raises(labkube.StatusError) as err:
        cluster.apply(CONFIGMAP)
    assert 'strict decoding error: unknown field "colour"' in err.value.message
    with pytest.raises(labkube.StatusError):
        cluster.create(CONFIGMAP)
