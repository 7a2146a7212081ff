"""The kubeconfig's effect on every other command: the context's namespace is the default one,
its user is who the API server sees (``--context``, ``--user`` pick others), and
``use-context`` lasts across ``cluster.kubectl`` calls. The texts are what the real kubectl 1.32
printed with an equivalent kubeconfig against labkube's HTTP front served over TLS on
127.0.0.1 (kubectl sends a token, or asks for credentials, only to an ``https://`` server)."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

import labkube
from labkube.core.api.resources import default_registry
from labkube.kubectl import run
from labkube.kubectl.commands.kubeconfig import ADMIN_CONTEXT, SERVER, Kubeconfig
from labkube.kubectl.commands.cluster_info import SERVER as CLUSTER_INFO_SERVER
from labkube.kubectl.parse import parse
from tests.kubectl.test_config_oracle import KubeconfigOnly

SA_FORBIDDEN = ('Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:default:default" '
                'cannot list resource "pods" in API group "" in the namespace "default"\n')


@pytest.fixture()
def cluster():
    cluster = labkube.Cluster(nodes=0, seed=0)
    cluster.settle()
    yield cluster
    cluster.close()


def with_sa_context(cluster) -> str:
    """A user ``sa`` holding the default ServiceAccount's token, and a context ``sa`` for it."""
    token = cluster.kubectl("create token default")
    assert cluster.kubectl(f"config set-credentials sa --token={token}") == 'User "sa" set.\n'
    assert cluster.kubectl("config set-context sa --cluster=kubernetes --user=sa") == 'Context "sa" created.\n'
    return token


# -- the kubeconfig itself -----------------------------------------------------------------------


def test_a_new_cluster_holds_kubeadms_admin_kubeconfig(cluster):
    config = cluster.kubeconfig
    assert config.current_context == "kubernetes-admin@kubernetes" == ADMIN_CONTEXT
    assert config.contexts == {ADMIN_CONTEXT: {"cluster": "kubernetes", "user": "kubernetes-admin"}}
    assert config.clusters["kubernetes"]["server"] == SERVER == CLUSTER_INFO_SERVER
    assert set(config.users["kubernetes-admin"]) == {"client-certificate-data", "client-key-data"}


def test_the_kubeconfigs_user_is_who_auth_whoami_says_we_are(cluster):
    assert cluster.kubectl("auth whoami -o jsonpath={.status.userInfo.username}") == "kubernetes-admin"
    assert cluster.kubectl("config view -o jsonpath={.contexts[0].context.user}") == "kubernetes-admin"


def test_each_cluster_has_its_own_kubeconfig(cluster):
    other = labkube.Cluster(nodes=0, seed=0)
    cluster.kubectl("config set-context --current --namespace=dev")
    assert other.kubectl("config view --minify -o jsonpath={..namespace}") == ""
    assert other.kubeconfig is not cluster.kubeconfig
    other.close()


# -- the namespace -------------------------------------------------------------------------------


def test_the_current_contexts_namespace_is_the_default_namespace(cluster):
    cluster.kubectl("create namespace dev")
    assert cluster.kubectl("config set-context --current --namespace=dev") == (
        'Context "kubernetes-admin@kubernetes" modified.\n')
    assert cluster.kubectl("get pods") == "No resources found in dev namespace.\n"
    assert cluster.kubectl("create configmap settings") == "configmap/settings created\n"
    assert cluster.get("configmap", "settings", namespace="dev")["metadata"]["namespace"] == "dev"


def test_dash_n_overrides_the_contexts_namespace(cluster):
    cluster.kubectl("config set-context --current --namespace=dev")
    assert cluster.kubectl("get pods -n kube-public") == "No resources found in kube-public namespace.\n"


def test_a_manifests_own_namespace_is_not_refused_for_the_contexts_namespace(cluster):
    """Only ``-n`` is enforced (kubectl's EnforceNamespace); the context's namespace is a default."""
    cluster.kubectl("create namespace dev")
    cluster.kubectl("config set-context --current --namespace=dev")
    manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: default}\n"
    assert cluster.kubectl("apply -f -", stdin=manifest) == "configmap/c created\n"


def test_another_contexts_namespace_applies_with_context(cluster):
    cluster.kubectl("config set-context other --cluster=kubernetes --user=kubernetes-admin --namespace=kube-system")
    assert "coredns" in cluster.kubectl("get deployments --context=other")
    assert cluster.kubectl("get deployments") == "No resources found in default namespace.\n"


# -- who the command acts as -----------------------------------------------------------------------


def test_a_contexts_token_user_is_the_service_account(cluster):
    with_sa_context(cluster)
    assert cluster.kubectl("get pods --context=sa") == SA_FORBIDDEN
    assert cluster.kubectl("auth whoami --context=sa -o jsonpath={.status.userInfo.username}") == (
        "system:serviceaccount:default:default")
    assert cluster.kubectl("get pods") == "No resources found in default namespace.\n"


def test_a_rolebinding_lets_the_contexts_service_account_read(cluster):
    with_sa_context(cluster)
    cluster.kubectl("create rolebinding sa-view --clusterrole=view --serviceaccount=default:default")
    assert cluster.kubectl("get pods --context=sa") == "No resources found in default namespace.\n"


def test_use_context_lasts_across_kubectl_calls(cluster):
    with_sa_context(cluster)
    assert cluster.kubectl("config use-context sa") == 'Switched to context "sa".\n'
    assert cluster.kubectl("get pods") == SA_FORBIDDEN
    assert cluster.kubectl("config current-context") == "sa\n"
    assert cluster.kubectl(f"config use-context {ADMIN_CONTEXT}") == f'Switched to context "{ADMIN_CONTEXT}".\n'
    assert cluster.kubectl("get pods") == "No resources found in default namespace.\n"


def test_dash_dash_user_picks_another_user_for_the_current_context(cluster):
    with_sa_context(cluster)
    assert cluster.kubectl("get pods --user=sa") == SA_FORBIDDEN


def test_dash_dash_token_wins_over_the_contexts_user(cluster):
    token = with_sa_context(cluster)
    cluster.kubectl("config set-credentials sa --token=not-a-token")
    assert cluster.kubectl("get pods --context=sa") == (
        "error: You must be logged in to the server (the server has asked for the client to provide credentials)\n")
    assert cluster.kubectl(f"get pods --context=sa --token={token}") == SA_FORBIDDEN


@pytest.mark.parametrize("stdin, expected", [
    (None, "Please enter Username: error: EOF\n"),
    ("alice\nsecret\n", "Please enter Username: Please enter Password: error: error reading input for Password\n"),
], ids=["no input", "a username"])
def test_a_user_without_credentials_is_asked_for_a_password_kubectl_cannot_read(cluster, stdin, expected):
    """client-go prompts for basic-auth credentials (an https server, no credentials); it reads
    the password from a terminal only, and ``cluster.kubectl`` is none."""
    cluster.kubectl("config set-context anon --cluster=kubernetes --user=nobody")
    for command in ("get pods --context=anon", "version --context=anon", "get pods --context=anon --as=alice"):
        result = run(cluster, command, stdin=stdin)
        assert (str(result), result.exit_code) == (expected, 1)
        assert result.stdout.startswith("Please enter Username: ")


def test_a_token_flag_spares_the_prompt(cluster):
    token = cluster.kubectl("create token default")
    cluster.kubectl("config set-context anon --cluster=kubernetes --user=nobody")
    assert cluster.kubectl(f"get pods --context=anon --token={token}") == SA_FORBIDDEN


@pytest.mark.parametrize("command, expected", [
    ("get pods --context=nope", "Error in configuration: context was not found for specified context: nope\n"),
    ("get pods --user=nope", 'error: auth info "nope" does not exist\n'),
    ("get pods --cluster=nope", 'error: no server found for cluster "nope"\n'),
], ids=["a missing context", "a missing user", "a missing cluster"])
def test_a_global_flag_naming_a_missing_entry_is_refused(cluster, command, expected):
    assert cluster.kubectl(command) == expected


def test_deleting_the_current_context_leaves_commands_without_one(cluster):
    result = run(cluster, f"config delete-context {ADMIN_CONTEXT}")
    assert result.stderr.startswith("warning: this removed your active context")
    assert cluster.kubectl("get pods") == (
        f"Error in configuration: context was not found for specified context: {ADMIN_CONTEXT}\n")


# -- secrets -------------------------------------------------------------------------------------


@pytest.mark.parametrize("command, shown", [
    ("config view", False), ("config view -o json", False), ("config view --minify --context=sa", False),
    ("config view --flatten", False), ("config view --raw", True), ("config view --raw -o json", True),
])
def test_config_view_prints_a_token_only_with_raw(cluster, command, shown):
    token = with_sa_context(cluster)
    assert (token in cluster.kubectl(command)) is shown


# -- what labkube does not provide ----------------------------------------------------------------


@pytest.mark.parametrize("command, expected", [
    ("config set-credentials a --client-certificate=x.crt",
     'error: "kubectl config set-credentials --client-certificate" is a kubectl option that labkube does not '
     "provide; labkube's API server knows kubeadm's admin certificate and bearer tokens: use --token (e.g. from "
     '"kubectl create token")\n'),
    ("config set clusters.kubernetes.server https://1.2.3.4",
     'error: "kubectl config set clusters.kubernetes.server" is not something labkube provides: it sets '
     "current-context, contexts.NAME.cluster|user|namespace and users.NAME.token\n"),
    ("config set contexts.x.nope v",
     'error: "kubectl config set contexts.x.nope" is not something labkube provides: it sets '
     "current-context, contexts.NAME.cluster|user|namespace and users.NAME.token\n"),
    ("config set-cluster k --server=https://1.2.3.4",
     'error: "kubectl config set-cluster" is a kubectl command that labkube does not provide\n'),
], ids=["a client certificate", "a cluster's server", "an unknown field", "set-cluster"])
def test_what_labkube_leaves_out_is_named(cluster, command, expected):
    assert cluster.kubectl(command) == expected
    assert cluster.kubeconfig.to_v1() == Kubeconfig.admin().to_v1()  # nothing half-done


def test_kubectl_config_needs_a_cluster_with_a_kubeconfig():
    class Bare:
        registry = default_registry()
        client = None

    assert str(run(Bare(), "config view")) == "error: kubectl config needs a labkube.Cluster (it holds the kubeconfig)\n"


# -- parsing -------------------------------------------------------------------------------------


def test_set_contexts_own_namespace_flag_hides_the_global_shorthand():
    assert parse("config set-context --current --namespace=dev").get("namespace") == "dev"
    assert parse("get pods -n dev").get("namespace") == "dev"
    with pytest.raises(labkube.kubectl.KubectlError, match="unknown shorthand flag: 'n' in -n"):
        parse("config set-context --current -n dev")


def test_use_is_use_contexts_alias():
    assert parse("config use sa").path == "config use-context"


def test_a_commands_own_user_flag_is_not_the_kubeconfig_user(cluster):
    """``create rolebinding --user=alice`` names a subject; kubectl's global --user is shadowed."""
    assert cluster.kubectl("create rolebinding r --clusterrole=view --user=alice") == (
        "rolebinding.rbac.authorization.k8s.io/r created\n")


# -- invariants ----------------------------------------------------------------------------------

_SECRETS = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40)


class _GoYAMLLoader(yaml.SafeLoader):
    """PyYAML's safe loader without YAML 1.1's ``=`` "value" key, which go-yaml (and so
    kubectl, which writes a password ``=`` unquoted) does not have: PyYAML cannot build it."""


_GoYAMLLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:value"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def _load(text: str):
    return yaml.load(text, Loader=_GoYAMLLoader)


@settings(max_examples=60, deadline=None)
@example(token="=", password="=", output="yaml", flags=[])  # kubectl writes both unquoted
@given(token=_SECRETS, password=_SECRETS, output=st.sampled_from(["yaml", "json"]),
       flags=st.sampled_from([[], ["--minify", "--context=t"], ["--flatten"]]))
def test_config_view_redacts_every_token_and_password_unless_raw(token, password, output, flags):
    cluster = KubeconfigOnly()
    run(cluster, ["config", "set-credentials", "t", f"--token={token}"])
    run(cluster, ["config", "set-credentials", "b", "--username=u", f"--password={password}"])
    run(cluster, ["config", "set-context", "t", "--cluster=kubernetes", "--user=t"])
    shown = _load(run(cluster, ["config", "view", "-o", output, *flags]).stdout)
    users = {entry["name"]: entry["user"] for entry in shown["users"]}
    assert users["t"]["token"] == "REDACTED"
    assert users.get("b", {"password": "REDACTED"})["password"] == "REDACTED"
    raw = _load(run(cluster, ["config", "view", "--raw", "-o", output, *flags]).stdout)
    assert {entry["name"]: entry["user"] for entry in raw["users"]}["t"]["token"] == token
