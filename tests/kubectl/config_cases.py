"""``kubectl config`` cases whose output the REAL kubectl 1.32 printed (``capture_config.py``)
and labkube must print byte for byte (``test_config_oracle.py``).

Each case is a list of command lines run in order on a fresh copy of the kubeconfig a new
``labkube.Cluster`` holds (kubeadm's admin.conf: ``cluster.kubeconfig``), so a command sees
what the ones before it changed. The golden holds, per command, ``$ kubectl <command>``, its
stdout, its stderr (klog lines dropped) and ``# exit N``.
"""

from __future__ import annotations

from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden_config"

CASES: list[tuple[str, list[str]]] = [
    ("view", ["config view"]),
    ("view_raw", ["config view --raw"]),
    ("view_flatten", ["config view --flatten"]),
    ("view_minify_json", ["config view --minify -o json"]),
    ("view_jsonpath", ["config view -o jsonpath={.users[*].name}",
                       "config view -o jsonpath={.contexts[0].context.namespace}",
                       "config view --minify -o jsonpath={..namespace}",
                       "config view -o jsonpath={.current-context}"]),
    ("view_bad_output", ["config view -o wide", "config view -o name", "config view extra"]),
    ("current_context", ["config current-context", "config current-context extra"]),
    ("get_contexts", ["config get-contexts", "config get-contexts -o name", "config get-contexts --no-headers",
                      "config get-contexts kubernetes-admin@kubernetes", "config get-contexts nope",
                      "config get-contexts -o wide"]),
    ("get_users_clusters", ["config get-users", "config get-clusters", "config get-users extra"]),
    ("set_context_current", ["config set-context --current --namespace=dev", "config get-contexts",
                             "config view --minify", "config set-context --current --namespace=",
                             "config view --minify -o jsonpath={..namespace}"]),
    ("set_context_new", ["config set-context dev --cluster=kubernetes --user=kubernetes-admin --namespace=dev",
                         "config get-contexts", "config use-context dev", "config current-context",
                         "config get-contexts", "config set-context dev --namespace=prod",
                         "config get-contexts -o name", "config view"]),
    ("set_context_errors", ["config set-context", "config set-context --current x",
                            "config set-context a b", "config set-context --current -n x",
                            "config set-context --cluster"]),
    ("use_context_errors", ["config use-context nope", "config use-context", "config use-context a b"]),
    ("delete_context", ["config set-context other --cluster=kubernetes", "config delete-context other",
                        "config delete-context other", "config delete-context kubernetes-admin@kubernetes",
                        "config current-context", "config get-contexts", "config delete-context"]),
    ("rename_context", ["config set-context other", "config rename-context other renamed",
                        "config rename-context kubernetes-admin@kubernetes admin", "config current-context",
                        "config rename-context nope x", "config rename-context admin renamed",
                        "config rename-context admin", "config get-contexts"]),
    ("set_credentials_token", ["config set-credentials sa --token=abc.def", "config get-users",
                               "config set-credentials sa --token=xyz", "config view",
                               "config view --raw -o jsonpath='{.users[?(@.name==\"sa\")].user.token}'",
                               "config set-context sa --cluster=kubernetes --user=sa", "config get-contexts",
                               "config view --minify --context=sa", "config view --minify --raw --context=sa",
                               "config use sa", "config get-contexts sa kubernetes-admin@kubernetes"]),
    ("set_credentials_errors", ["config set-credentials", "config set-credentials a b",
                                "config set-credentials x --token=a --username=b",
                                "config set-credentials y --username=b --password=c", "config view",
                                "config set-credentials y --token=t", "config view --raw -o jsonpath={.users[1]}",
                                "config set-credentials y --token= --username=u",
                                "config view --raw -o jsonpath={.users[1]}",
                                "config set-credentials a --client-certificate=x.crt"]),
    ("current_context_unset", ["config unset current-context", "config current-context", "config get-contexts",
                               "config view --minify"]),
    ("set_and_unset", ["config set contexts.kubernetes-admin@kubernetes.namespace dev", "config get-contexts",
                       "config unset contexts.kubernetes-admin@kubernetes.namespace", "config get-contexts",
                       "config set current-context nope", "config current-context",
                       "config set users.sa.token abc", "config get-users",
                       "config unset users.sa", "config get-users", "config unset nope", "config set nope x",
                       "config set", "config unset"]),
    ("delete_user_cluster", ["config set-credentials sa --token=abc", "config delete-user sa",
                             "config delete-user sa", "config get-users", "config delete-cluster nope",
                             "config delete-cluster kubernetes", "config get-clusters"]),
    ("set_and_unset_more", ["config set contexts.x.nope v", "config unset contexts.missing.namespace",
                            "config unset contexts.missing", "config set contexts.kubernetes-admin@kubernetes.namespace",
                            "config set users.kubernetes-admin.token t", "config set contexts.new.user u",
                            "config unset clusters.kubernetes", "config get-contexts", "config get-clusters",
                            "config set contexts.new v", "config unset contexts", "config get-contexts"]),
    ("missing_current_context", ["config set current-context nope", "get pods",
                                 "config set-context --current --namespace=dev", "config get-contexts",
                                 "config view --minify"]),
    ("no_current_context", ["config unset current-context", "get pods", "config set-context --current --namespace=dev",
                            "config use-context kubernetes-admin@kubernetes"]),
    ("group", ["config", "config nope"]),
    ("resolution_errors", ["get pods --context=nope", "get pods --user=nope", "get pods --cluster=nope",
                           "config set-context broken --cluster=missing", "get pods --context=broken"]),
]

#: Commands whose real output labkube does not copy, and why (``test_config.py`` shows what
#: labkube prints instead). Where kubectl prints a command's whole help, labkube prints a
#: pointer to ``--help`` in its place (``USAGE_POINTER``) and the rest as kubectl does.
NOT_COPIED = {
    "config set contexts.x.nope v": "kubectl's message holds Go pointer addresses",
    "config set contexts.new v": "kubectl's message holds Go pointer addresses",
    "config set-credentials a --client-certificate=x.crt": "labkube's API server knows no certificate files",
}
USAGE_POINTER = "See 'kubectl {path} --help' in a real terminal for the full help text.\n"
HELP_END = 'Use "kubectl options" for a list of global command-line options (applies to all commands).\n'

