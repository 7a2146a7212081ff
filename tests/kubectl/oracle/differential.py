"""Differential capture: many tricky strings and templates through the REAL kubectl 1.32.

Run by hand (``PYTHONPATH=. python tests/kubectl/oracle/differential.py``). Writes
``golden/yaml_strings.json`` (ConfigMaps whose data keys and values exercise go-yaml's quoting,
block scalars and line folding, with kubectl's ``-o yaml`` and ``-o json`` output) and
``golden/jsonpath_cases.json`` (templates with kubectl's ``-o jsonpath`` output or error).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from kubectl import objects as o  # noqa: E402
from kubectl.oracle.fake_apiserver import FakeAPIServer  # noqa: E402

SPECIAL = ["yes", "no", "y", "n", "Y", "N", "on", "off", "true", "false", "True", "null", "Null", "~", "",
           "1e3", "1E3", "0x1F", "0o17", "0b101", "-0b101", "0777", "09", "1_000", "12:30", "1:2:3", "190:20:30",
           "2025-01-01", "2025-1-1", "2025-13-01", "2025-01-01T00:00:00Z", "2025-01-01 10:20:30", "2025-01-01t1:2:3Z",
           ".5", ".inf", "-.inf", ".nan", ".NaN", "+1", "-1", "+", "-", "--", "---", "...", "..", ".", "<<",
           "a: b", "a:b", "a :b", ":a", "a:", "? x", "?x", "- x", "-x", "#x", "a #b", "a#b", "[a]", "a[b]", "{a}",
           "a,b", "&a", "*a", "!a", "|a", ">a", "'a", '"a', "%a", "@a", "`a", "a'b", 'a"b', "a\\b",
           " a", "a ", "a  b", "\ta", "a\tb", "a\n", "a\nb", "\na", "a\n\n", "a\n\nb\n", " a\nb", "a \nb",
           "a\n b", "a\r\nb", "é", "héllo wörld", "✓", "😀", "a\u2028b", "\x85", "\x01", "\u00a0x",
           "1.0", "1.", "-1.5e-3", "0", "00", "-0", "1e", "e3", "Infinity", "nan", "0x", "0xZZ", "1_2.5",
           "2001:db8::1", "10.0.0.1", "1.2.3", "v1.2", "=", "==", "a=b", "<none>", "{}", "[]", "null value"]


def _random_string(rng: random.Random) -> str:
    alphabet = "abcXYZ019 :#-?[]{},&*!|>'\"%@`.\\/=_\n\té✓"
    length = rng.choice([1, 2, 3, 5, 8, 13, 40, 90, 130])
    text = "".join(rng.choice(alphabet) for _ in range(length))
    if rng.random() < 0.3:
        words = ["lorem", "ipsum", "dolor", "sit", "amet,", "consectetur", "adipiscing", "elit", "a:", "#x"]
        text = " ".join(rng.choice(words) for _ in range(rng.randint(10, 40)))
    return text


def _configmaps() -> list[dict]:
    rng = random.Random(2025)
    maps = []
    values = SPECIAL + [_random_string(rng) for _ in range(300)]
    for batch in range(0, len(values), 60):
        cm = o.configmap(f"strings-{batch // 60}")
        cm["data"] = {f"k{index:03d}": value for index, value in enumerate(values[batch:batch + 60])}
        maps.append(cm)
    keys_cm = o.configmap("keys")
    # Keys starting with "0" make go-yaml's key order non-transitive (``1E3 < 09 < 190 < 1E3``), and
    # Go then sorts them differently from run to run (its map order is random): leave them out.
    keys_cm["data"] = {key: "v" for key in SPECIAL
                       if key and key.isascii() and key.isprintable() and not key.startswith("0")}
    keys_cm["data"].update({"b1": "1", "b01": "2", "b10": "3", "a_b": "4", "aB": "5", "A": "6", "_x": "7",
                            "a-b": "8", "x2y": "9", "x10y": "10", "x02": "11", "x2": "12"})
    maps.append(keys_cm)
    long_cm = o.configmap("long")
    long_cm["metadata"]["annotations"] = {
        "description": "A very long description " * 8,
        "quoted: long": "'" + "word " * 30,
        "last-applied": json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "b " * 50}}),
    }
    long_cm["data"] = {"nested-list": "x"}
    long_cm["extra"] = {"ints": [0, -1, 2**40], "floats": [0.5, 1e-7, 123456.75, 1e21],
                        "bools": [True, False], "nulls": [None], "empty": {"m": {}, "l": []},
                        "nested": [[1, 2], [], [{"a": 1}]], "deep": [{"x": [{"y": {"z": "w"}}]}]}
    maps.append(long_cm)
    long_keys = o.configmap("long-keys")
    long_keys["data"] = {"k" * 130: "v", "a" * 128: "w", "multi\nline key": "x", "a key with spaces " * 9: "y"}
    long_keys["extra"] = {"b" * 129: {"inner": 1, "other": [1, 2]}, "c" * 140: ["p", "q"]}
    maps.append(long_keys)
    control = o.configmap("control")
    control["data"] = {"del": "a\x7fb"}
    maps.append(control)
    return maps


JSONPATH_TEMPLATES = [
    "{.metadata.name}", "{.metadata.labels.app}", "{.metadata.missing}", "{.spec.containers[0].name}",
    "{.spec.containers[*].name}", "{.spec.containers[*]['name','image']}", "{.spec.containers[-1].image}",
    "{.spec.tolerations[1:].key}", "{.spec.tolerations[::2].key}", "{.spec.tolerations[0:0].key}",
    "{.spec.tolerations[5].key}", "{.spec.tolerations[2:1].key}", "{.status.conditions[?(@.status==\"True\")].type}",
    "{.status.conditions[?(@.type!='Ready')].type}", "{.status.conditions[?(@.reason)].type}",
    "{.spec.tolerations[?(@.tolerationSeconds>100)].key}", "{.spec.tolerations[?(@.tolerationSeconds<=300)].effect}",
    "{.status.conditions[0].lastProbeTime}", "{.spec.priority}", "{.spec.enableServiceLinks}",
    "{.spec.terminationGracePeriodSeconds}", "{.metadata}", "{.spec.containers[0].ports}", "{.spec.volumes[0].projected.sources[*].configMap.name}",
    "name={.metadata.name} ns={.metadata.namespace}", "{range .spec.containers[*]}[{.name}:{.image}]{end}",
    "{range .status.conditions[*]}{.type}={.status}{\"\\n\"}{end}", "{'single'}{\"\\ttab\"}",
    "{.metadata.name}{\"\\n\"}", "{..uid}", "{.spec.containers[0].*}", "{$.metadata.name}", "{@.metadata.name}",
    "{.metadata.ownerReferences[0].controller}", "{.spec.containers[0].volumeMounts[0].readOnly}",
    "{.status.podIPs[*].ip}", "{.spec.containers[0]['image']}", "{.spec.nodeName} {.status.hostIP}",
    "{.items}", "{.metadata.name", "{.spec.containers[}", "{end}", "{.status.conditions[?(@.type==1)].type}",
    "plain text", "", "{}", "{.}",
]


DOCS = Path(os.environ.get("LABKUBE_CONFORMANCE_DIR", HERE.parents[3] / "shared" / "conformance" / "k8s-docs"))


def _capture_docs(kubectl) -> list[dict]:
    """``kubectl apply -f FILE --dry-run=client`` on the Kubernetes docs' manifests."""
    cases = []
    for path in sorted(DOCS.rglob("*.yaml")):
        as_json = kubectl("apply", "-f", str(path), "--dry-run=client", "-o", "json", "--validate=false")
        as_yaml = kubectl("apply", "-f", str(path), "--dry-run=client", "-o", "yaml", "--validate=false")
        if as_json.returncode == 0 and as_yaml.returncode == 0:
            cases.append({"file": str(path.relative_to(DOCS)), "json": as_json.stdout, "yaml": as_yaml.stdout})
    return cases


def main() -> None:
    env = dict(os.environ, KUBECONFIG="/dev/null", TZ="UTC")
    maps = _configmaps()
    pod = o.running_pod()
    with FakeAPIServer([*maps, pod]) as server:
        def kubectl(*args):
            return subprocess.run(["kubectl", "--server", server.url, *args], capture_output=True, text=True,
                                  env=env, timeout=60)
        yaml_cases = []
        for cm in maps:
            name = cm["metadata"]["name"]
            as_yaml = kubectl("get", "cm", name, "-o", "yaml")
            yaml_cases.append({"object": cm, "yaml": as_yaml.stdout, "yaml_stderr": as_yaml.stderr.strip(),
                               "json": kubectl("get", "cm", name, "-o", "json").stdout})
        jp_cases = []
        for template in JSONPATH_TEMPLATES:
            proc = kubectl("get", "pod", pod["metadata"]["name"], "-o", f"jsonpath={template}")
            jp_cases.append({"template": template, "stdout": proc.stdout, "ok": proc.returncode == 0,
                             "stderr": proc.stderr.strip().splitlines()[0] if proc.stderr.strip() else ""})
        docs_cases = _capture_docs(kubectl)
    golden = HERE.parent / "golden"
    (golden / "apply_docs.json").write_text(json.dumps({"source": "captured from real kubectl 1.32: kubectl apply -f "
                                                        "FILE --dry-run=client -o json / -o yaml, by "
                                                        "tests/kubectl/oracle/differential.py", "cases": docs_cases},
                                                       indent=1) + "\n")
    header = "captured from real kubectl 1.32 by tests/kubectl/oracle/differential.py"
    (golden / "yaml_strings.json").write_text(json.dumps({"source": header, "cases": yaml_cases}, indent=1) + "\n")
    (golden / "jsonpath_cases.json").write_text(json.dumps({"source": header, "object": pod, "cases": jp_cases},
                                                           indent=1) + "\n")
    print(len(yaml_cases), "yaml cases,", len(jp_cases), "jsonpath cases")


if __name__ == "__main__":
    main()
