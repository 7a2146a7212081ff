"""``-o jsonpath-as-json=TEMPLATE``: the results of each ``{...}`` of the template as a JSON array.

Mirrors client-go's ``JSONPath.PrintResults`` with ``EnableJSONOutput(true)``: where
``-o jsonpath`` prints the values as text (``Deployment``), this prints, per top-level node of
the template, the list of its values with ``json.MarshalIndent(values, "", "    ")`` and a
newline::

    $ kubectl create deployment web --image=nginx --dry-run=client -o jsonpath-as-json='{.kind}'
    [
        "Deployment"
    ]

A node that finds nothing prints ``[]``. Parse and execution errors read as ``-o jsonpath``'s.
"""

from __future__ import annotations

from labkube.kubectl import jsonpath
from labkube.kubectl.output import jsonpath_output, to_json


def jsonpath_as_json(document, template: str, allow_missing_keys: bool = True) -> str:
    """The printed text for one object or a List document (raises ``JSONPathError``)."""
    jsonpath_output(document, template, allow_missing_keys)  # kubectl's errors, in its words
    groups = jsonpath.find_results(template, document, allow_missing_keys)
    return "".join(to_json(list(values)) for values in groups)
