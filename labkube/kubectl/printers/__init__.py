"""kubectl's printers as pure functions over Kubernetes-shaped dicts.

``table`` (``kubectl get`` tables), ``columns`` (the server's per-kind columns), ``age``
(``duration.HumanDuration``), ``tabwriter`` (Go's text/tabwriter), ``goyaml`` (kubectl's YAML)
and ``format`` (labels, selectors, Go's ``%v``). See also ``labkube.kubectl.output``,
``labkube.kubectl.jsonpath`` and ``labkube.kubectl.describe``.
"""

from labkube.kubectl.printers.age import age, human_duration
from labkube.kubectl.printers.table import PrintOptions, PrintResult, print_table, print_tables, table_lines

__all__ = ["age", "human_duration", "PrintOptions", "PrintResult", "print_table", "print_tables", "table_lines"]
