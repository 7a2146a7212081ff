"""The generator commands whose output is compared byte-for-byte with real kubectl 1.32.

Each case is (golden file stem, command line). ``capture_generators.py`` runs them with the
real kubectl (``--dry-run=client`` needs no server) and stores stdout+stderr under
``golden_generators/``; ``test_generators.py`` runs them through labkube and compares.
Files named in FILES are created (in a temporary directory) before either runs.
"""

FILES = {
    "greet.txt": "hello\n",
    "app.properties": "color=blue\nsize=10\n",
    "conf/a.txt": "alpha\n",
    "conf/b.txt": "beta\n",
    "settings.env": "# comment\nMODE=prod\n\nLEVEL=3\n",
}

CASES = [
    ("deployment_replicas", "create deployment web --image=nginx --replicas=3 --dry-run=client -o yaml"),
    ("deployment_default", "create deployment web --image=nginx --dry-run=client -o yaml"),
    ("deployment_json", "create deployment web --image=nginx --dry-run=client -o json"),
    ("deployment_port_ns", "create deployment web --image=nginx --port=80 -n dev --dry-run=client -o yaml"),
    ("deployment_two_images", "create deployment multi --image=nginx --image=busybox:1.36 --dry-run=client -o yaml"),
    ("deployment_command", "create deployment web --image=busybox --dry-run=client -o yaml -- sleep 3600"),
    ("deployment_registry_image", "create deployment api --image=registry.k8s.io/pause:3.9 --dry-run=client -o yaml"),
    ("deployment_name", "create deployment web --image=nginx --dry-run=client -o name"),
    ("deployment_plain", "create deployment web --image=nginx --dry-run=client"),
    ("configmap_literal", "create configmap app --from-literal=a=1 --dry-run=client -o yaml"),
    ("configmap_files", "create configmap c2 --from-file=greet.txt --from-literal=b=two --from-literal=a=x -n dev --dry-run=client -o yaml"),
    ("configmap_keyed_file", "create configmap c3 --from-file=props=app.properties --dry-run=client -o yaml"),
    ("configmap_dir", "create configmap c4 --from-file=conf --dry-run=client -o yaml"),
    ("configmap_env", "create configmap c5 --from-env-file=settings.env --dry-run=client -o yaml"),
    ("configmap_empty_json", "create configmap c3 --dry-run=client -o json"),
    ("configmap_quoted_literal", "create configmap q --from-literal=msg='hello world' --from-literal=n=\"42\" --dry-run=client -o yaml"),
    ("configmap_duplicate", "create configmap c --from-literal=a=b --from-literal=a=c --dry-run=client"),
    ("configmap_bad_literal", "create configmap c --from-literal=a --dry-run=client"),
    ("configmap_bad_key", "create configmap c --from-literal='a b=1' --dry-run=client"),
    ("configmap_missing_file", "create configmap c --from-file=/nonexistent --dry-run=client"),
    ("configmap_no_name", "create configmap"),
    ("secret_literal", "create secret generic s --from-literal=p=x --dry-run=client -o yaml"),
    ("secret_two_typed", "create secret generic s2 --from-literal=user=admin --from-literal=password='s3cr3t!' --type=Opaque --dry-run=client -o yaml"),
    ("secret_json", "create secret generic s3 --from-literal=a=b --dry-run=client -o json"),
    ("secret_file", "create secret generic s4 --from-file=greet.txt -n dev --dry-run=client -o yaml"),
    ("secret_duplicate", "create secret generic s --from-literal=a=b --from-literal=a=c --dry-run=client -o yaml"),
    ("secret_bad_key", "create secret generic s --from-literal='a b=1' --dry-run=client"),
    ("namespace", "create namespace dev --dry-run=client -o yaml"),
    ("namespace_json", "create namespace dev --dry-run=client -o json"),
    ("namespace_plain", "create namespace dev --dry-run=client"),
    ("namespace_save_config", "create ns dev -o yaml --dry-run=client --save-config"),
    ("namespace_two_names", "create namespace a b"),
    ("serviceaccount", "create serviceaccount sa1 --dry-run=client -o yaml"),
    ("serviceaccount_ns_json", "create serviceaccount sa -n dev --dry-run=client -o json"),
    ("rolebinding_user", "create rolebinding rb --role=r --user=alice --dry-run=client -o yaml"),
    ("rolebinding_clusterrole_sa", "create rolebinding rb --clusterrole=view --serviceaccount=dev:bot --group=devs --user=bob -n dev --dry-run=client -o yaml"),
    ("rolebinding_no_role", "create rolebinding rb --dry-run=client"),
    ("rolebinding_bad_sa", "create rolebinding rb --role=r --serviceaccount=foo --dry-run=client"),
    ("clusterrolebinding", "create clusterrolebinding crb --clusterrole=view --group=devs --serviceaccount=dev:bot --dry-run=client -o yaml"),
    ("dry_run_bad_value", "create namespace x --dry-run=foo"),
    ("dry_run_wide_output", "create namespace x --dry-run=client -o wide"),
    ("deployment_many_images_with_command", "create deployment web --image=a --image=b --dry-run=client -- sleep 1"),
    ("quota_hard_and_scopes", "create quota my-quota --hard=cpu=1,memory=1G,pods=2,services=3,secrets=5,persistentvolumeclaims=10 --scopes=BestEffort --dry-run=client -o yaml"),
    ("quota_empty", "create quota q --dry-run=client -o yaml"),
    ("quota_alias_namespace_canonical", "create resourcequota q --hard=pods=1000m,memory=1024Mi,requests.cpu=0.5 -n team-a --dry-run=client -o yaml"),
    ("quota_json", "create quota q --hard=count/deployments.apps=2 --dry-run=client -o json"),
    ("quota_bad_pair", "create quota q --hard=foo --dry-run=client -o yaml"),
    ("quota_bad_quantity", "create quota q --hard=cpu=x --dry-run=client -o yaml"),
    ("quota_empty_scope", "create quota q --scopes=BestEffort, --dry-run=client -o yaml"),
    ("quota_unknown_scope_kept", "create quota q --scopes=Foo --dry-run=client -o yaml"),
    ("quota_no_name", "create quota"),
]
