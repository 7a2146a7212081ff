"""The import direction of DESIGN.md holds: errors/clock <- store <- api <- cluster <- kubectl <- widgets.

Each layer may import only the layers before it. The core never imports ipywidgets or
graphviz. Checked statically from the source, so it cannot be fooled by import order.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "labkube"

# module prefix -> prefixes it must not import
FORBIDDEN = {
    "labkube.core.errors": ["labkube.core.store", "labkube.core.api", "labkube.core.cluster", "labkube.kubectl", "labkube.widgets"],
    "labkube.core.clock": ["labkube.core.store", "labkube.core.api", "labkube.core.cluster", "labkube.kubectl", "labkube.widgets"],
    "labkube.core.store": ["labkube.core.api", "labkube.core.cluster", "labkube.kubectl", "labkube.widgets"],
    "labkube.core.api": ["labkube.core.cluster", "labkube.core.machinery", "labkube.kubectl", "labkube.widgets"],
    "labkube.core.machinery": ["labkube.core.cluster", "labkube.kubectl", "labkube.widgets"],
    "labkube.runtime": ["labkube.core.api", "labkube.core.store", "labkube.core.cluster", "labkube.kubectl", "labkube.widgets"],
    "labkube.core": ["labkube.kubectl", "labkube.widgets", "ipywidgets", "graphviz", "IPython"],
    "labkube.kubectl": ["labkube.widgets", "ipywidgets", "graphviz"],
}

# The one deliberate upward call: Cluster.kubectl() is a convenience that imports the
# kubectl layer when called, so a student can type cluster.kubectl("get pods").
# Cluster.view() likewise imports the widgets when called, so cluster.view() draws the
# cluster in a notebook (DESIGN.md rule 9 still holds: the widgets only use the public API).
# Cluster.kubeconfig builds kubectl's in-memory kubeconfig when first read.
# Cluster.forwards() and close() list and stop what kubectl port-forward and proxy left serving.
ALLOWED = {("labkube.core.cluster", "labkube.kubectl"), ("labkube.core.cluster", "labkube.widgets.view"),
           ("labkube.core.cluster", "labkube.kubectl.commands.kubeconfig"),
           ("labkube.core.cluster", "labkube.kubectl.commands.loopback")}


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _cases():
    for path in sorted(ROOT.rglob("*.py")):
        module = _module_name(path)
        for layer, banned in FORBIDDEN.items():
            if module == layer or module.startswith(layer + "."):
                yield module, path, banned


@pytest.mark.parametrize("module, path, banned", list(_cases()), ids=lambda v: v if isinstance(v, str) else "")
def test_modules_import_only_from_lower_layers(module, path, banned):
    bad = [
        name for name in _imports(path)
        if any(name == b or name.startswith(b + ".") for b in banned)
        and (module, name) not in ALLOWED
    ]
    assert bad == [], f"{module} imports {bad}, which sit above it"
