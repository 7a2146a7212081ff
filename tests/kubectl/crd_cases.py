"""CustomResourceDefinition scenarios whose ``kubectl get``/``describe`` output the REAL kubectl
1.32 printed (``capture_crd.py``) and labkube must print byte for byte (``test_crd_oracle.py``).

The CRDs are the docs page's ("Extend the Kubernetes API with CustomResourceDefinitions"): the
CronTab CRD as the page first shows it, and the CronTab of its "Additional printer columns"
section (in another group, so both can be served at once), plus one priority column so that
``-o wide`` has something to add.
"""

from __future__ import annotations

from pathlib import Path

import labkube

GOLDEN = Path(__file__).resolve().parent / "golden_crd"

CRONTAB_CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                cronSpec:
                  type: string
                image:
                  type: string
                replicas:
                  type: integer
  scope: Namespaced
  names:
    plural: crontabs
    singular: crontab
    kind: CronTab
    shortNames:
    - ct
"""

MY_CRONTAB = """\
apiVersion: "stable.example.com/v1"
kind: CronTab
metadata:
  name: my-new-cron-object
spec:
  cronSpec: "* * * * */5"
  image: my-awesome-cron-image
"""

COLUMNS_CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.columns.example.com
spec:
  group: columns.example.com
  scope: Namespaced
  names:
    plural: crontabs
    singular: crontab
    kind: CronTab
    shortNames:
    - cct
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              cronSpec:
                type: string
              image:
                type: string
              replicas:
                type: integer
    additionalPrinterColumns:
    - name: Spec
      type: string
      description: The cron spec defining the interval a CronJob is run
      jsonPath: .spec.cronSpec
    - name: Replicas
      type: integer
      description: The number of jobs launched by the CronJob
      jsonPath: .spec.replicas
    - name: Age
      type: date
      jsonPath: .metadata.creationTimestamp
    - name: Image
      type: string
      priority: 1
      jsonPath: .spec.image
"""


#: A CRD whose schema has a field of each shape ``kubectl explain`` prints differently.
WIDGET_CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.explain.example.com
spec:
  group: explain.example.com
  scope: Namespaced
  names:
    plural: widgets
    singular: widget
    kind: Widget
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        description: Widget is a thing made of parts, to show every kind of field kubectl explain prints.
        type: object
        properties:
          spec:
            description: WidgetSpec is what the widget should be. Its description is long enough to be wrapped at seventy-six columns by kubectl.
            type: object
            required: ["size"]
            properties:
              size:
                description: How many parts.
                type: integer
                format: int32
              ratio:
                type: number
              enabled:
                type: boolean
              color:
                description: The color.
                type: string
                enum: ["red", "green"]
              tags:
                type: array
                items:
                  type: string
              parts:
                type: array
                items:
                  type: object
                  properties:
                    name:
                      type: string
              labels:
                type: object
                additionalProperties:
                  type: string
              port:
                x-kubernetes-int-or-string: true
              raw:
                type: object
                x-kubernetes-preserve-unknown-fields: true
          status:
            type: object
            properties:
              ready:
                type: boolean
"""


def _crontab(name: str, group: str, **spec) -> dict:
    return {"apiVersion": f"{group}/v1", "kind": "CronTab", "metadata": {"name": name}, "spec": spec}


#: golden stem -> kubectl arguments
COMMANDS = {
    "get_crd": ["get", "crd"],
    "get_crontab": ["get", "crontab"],
    "get_ct": ["get", "ct"],
    "get_columns": ["get", "crontabs.columns.example.com"],
    "get_columns_wide": ["get", "crontabs.columns.example.com", "-o", "wide"],
    "describe_crd": ["describe", "crd", "crontabs.stable.example.com"],
    "describe_crontab": ["describe", "crontab.stable.example.com", "my-new-cron-object"],
    "explain_crontabs": ["explain", "crontabs.stable.example.com"],
    "explain_widgets": ["explain", "widgets"],
    "explain_widgets_spec": ["explain", "widgets.spec"],
    "explain_widgets_spec_size": ["explain", "widget.spec.size"],
    "explain_widgets_spec_color": ["explain", "widgets.spec.color"],
    "explain_widgets_spec_parts": ["explain", "widgets.spec.parts"],
    "explain_widgets_recursive": ["explain", "widgets", "--recursive"],
}


def build() -> labkube.Cluster:
    """Both CRDs established; the docs' CronTab, and two CronTabs with columns (one without
    replicas: an empty integer cell)."""
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.apply(CRONTAB_CRD)
    cluster.apply(COLUMNS_CRD)
    cluster.apply(WIDGET_CRD)
    cluster.run(5)
    cluster.apply(MY_CRONTAB)
    cluster.apply(_crontab("my-new-cron-object", "columns.example.com", cronSpec="* * * * *",
                           image="my-awesome-cron-image", replicas=1))
    cluster.run(20)
    cluster.apply(_crontab("no-replicas", "columns.example.com", cronSpec="*/5 * * * *", image="busybox"))
    cluster.run(7)
    return cluster


def objects(cluster: labkube.Cluster) -> list[dict]:
    """What the oracle API server serves: the CRDs, the CronTabs, the events."""
    out = []
    for resource, api_version, kind, namespace in (
            ("customresourcedefinitions", "apiextensions.k8s.io/v1", "CustomResourceDefinition", None),
            ("crontabs.stable.example.com", "stable.example.com/v1", "CronTab", "default"),
            ("crontabs.columns.example.com", "columns.example.com/v1", "CronTab", "default"),
            ("events", "v1", "Event", "default")):
        for item in cluster.client.list(resource, namespace)["items"]:
            out.append({"apiVersion": api_version, "kind": kind, **item})
    return out
