"""DaemonSets and ControllerRevisions: generation, the template generation, status separation.

Mirrors pkg/registry/apps/daemonset/strategy.go and pkg/registry/apps/controllerrevision/
strategy.go (Kubernetes 1.32), with the apps/v1 conversion of pkg/apis/apps/v1/conversion.go:

* A DaemonSet has an internal ``spec.templateGeneration`` that apps/v1 does not show as a
  field: the conversion writes it to the annotation ``deprecated.daemonset.template.generation``
  (always, so every DaemonSet a client reads carries it) and reads it back from there. labkube
  stores the annotation itself.
* Create resets status to ``{}``, sets ``metadata.generation: 1`` and a template generation of
  at least 1 (a value the client put in the annotation is kept when it is larger).
* Update keeps status and the template generation of the stored object; a changed
  ``spec.template`` bumps both the template generation and the generation, any other spec
  change only the generation. The DaemonSet controller labels its pods with the template
  generation (``pod-template-generation``).
* ``/status`` keeps spec (and so the template generation).
* A ControllerRevision has no status and no generation: the registry stores it as given.
  Validation makes its ``data`` immutable (:mod:`labkube.core.api.validation.apps_daemonset`).
"""

from __future__ import annotations

from labkube.core.api.registry.strategy import ServerContext, Strategy

#: ``appsv1.DeprecatedTemplateGeneration``.
TEMPLATE_GENERATION_ANNOTATION = "deprecated.daemonset.template.generation"


def template_generation(daemon_set: dict) -> int:
    """The internal ``spec.templateGeneration``, read from its apps/v1 annotation (0 if absent)."""
    annotations = (daemon_set.get("metadata") or {}).get("annotations") or {}
    try:
        return int(annotations.get(TEMPLATE_GENERATION_ANNOTATION, "0"))
    except (TypeError, ValueError):
        return 0


def _set_template_generation(daemon_set: dict, generation: int) -> None:
    """Write the annotation as the conversion does; annotations are a Go map, printed sorted."""
    meta = daemon_set["metadata"]
    annotations = dict(meta.get("annotations") or {})
    annotations[TEMPLATE_GENERATION_ANNOTATION] = str(generation)
    meta["annotations"] = dict(sorted(annotations.items()))


#: The counters of ``DaemonSetStatus`` without ``omitempty``: a new DaemonSet shows them as 0.
ZERO_STATUS = ("currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled", "numberReady")


class DaemonSetStrategy(Strategy):
    generation = True
    status_subresource = True

    def initial_status(self, obj: dict, ctx: ServerContext) -> dict:
        return {name: 0 for name in ZERO_STATUS}

    def prepare_for_create(self, obj: dict, ctx: ServerContext) -> None:
        super().prepare_for_create(obj, ctx)
        _set_template_generation(obj, max(template_generation(obj), 1))

    def prepare_for_update(self, new: dict, old: dict, ctx: ServerContext) -> None:
        """Status and the template generation are the server's; the template bumps both counters."""
        if "status" in old:
            new["status"] = old["status"]
        else:
            new.pop("status", None)
        old_spec, new_spec = old.get("spec") or {}, new.get("spec") or {}
        generation = template_generation(old)
        old_generation = old["metadata"].get("generation", 0)
        if old_spec.get("template") != new_spec.get("template"):
            generation += 1
            new["metadata"]["generation"] = old_generation + 1
        elif old_spec != new_spec:
            new["metadata"]["generation"] = old_generation + 1
        _set_template_generation(new, generation)

    def prepare_for_status_update(self, new: dict, old: dict, ctx: ServerContext) -> None:
        """``daemonSetStatusStrategy.PrepareForUpdate``: only the spec is kept."""
        if "spec" in old:
            new["spec"] = old["spec"]
        _set_template_generation(new, template_generation(old))


class ControllerRevisionStrategy(Strategy):
    """``controllerrevision.Strategy``: namespaced, no status, unconditional updates allowed."""
