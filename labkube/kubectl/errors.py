"""Errors as kubectl prints them.

Mirrors k8s.io/kubectl/pkg/cmd/util/helpers.go (``CheckErr``, ``StandardErrorMessage``,
``MultilineError``, ``AddSourceToErr``) and go-yaml's error positions.

* An API error (:class:`labkube.core.errors.StatusError`) prints as
  ``Error from server (NotFound): pods "x" not found``.
* An Invalid error prints from its ``details``, one line for one cause and a ``* `` bullet per
  cause otherwise: ``The Deployment "web" is invalid: spec.replicas: Invalid value: -1: ...``.
* Errors met while handling a file carry the file: ``error when creating "web.yaml": ...``.
* Anything else is ``error: <message>``. Exit code 1 in every case.

:class:`KubectlError` is what commands raise for client-side failures; its text is final.
"""

from __future__ import annotations

from typing import Sequence


from labkube.core.errors import StatusError


class KubectlError(Exception):
    """A failure whose terminal text is already kubectl's (``error: ...``)."""

    def __init__(self, text: str, exit_code: int = 1) -> None:
        super().__init__(text)
        self.text = text
        self.exit_code = exit_code


class PlainError(Exception):
    """A client-side error kubectl prints bare among several, and as ``error: ...`` alone."""


def with_source(verb: str, source: str, err: StatusError) -> StatusError:
    """``AddSourceToErr``: prefix the message with ``error when <verb> "<file>": ``."""
    if not source:
        return err
    return StatusError(err.code, err.reason, f'error when {verb} "{source}": {err.message}', err.details)


def standard_message(err: BaseException) -> str:
    """``StandardErrorMessage`` (falling back to the error's own text)."""
    if isinstance(err, StatusError):
        if err.reason == "Unauthorized":
            return f"error: You must be logged in to the server ({err.message})"
        if err.reason:
            return f"Error from server ({err.reason}): {err.message}"
        return f"Error from server: {err.message}"
    if isinstance(err, KubectlError):
        return err.text
    return str(err)


def invalid_message(err: StatusError) -> str:
    """``checkErr``'s Invalid branch: the kind and name from details, then the causes."""
    details = err.details or {}
    prefix = "The request is invalid"
    causes = _unique_causes(details.get("causes") or [])
    if details.get("kind") or details.get("name"):
        prefix = f'The {details.get("kind", "")} "{details.get("name", "")}" is invalid'
    elif err.message and not causes:  # e.g. a JSON patch that does not apply
        prefix += f": {err.message}"
    if not causes:
        return prefix
    # MultilineError ends every cause with a line break, even one that has its own (a Pod
    # update's field diff): kubectl then prints a blank line.
    if len(causes) == 1:
        return f"{prefix}: {causes[0]}\n"
    return f"{prefix}: \n" + "".join(f"* {cause}\n" for cause in causes)


def _unique_causes(causes: Sequence[dict]) -> list[str]:
    seen: list[str] = []
    for cause in causes:
        text = f'{cause.get("field", "")}: {cause.get("message", "")}'
        if text not in seen:
            seen.append(text)
    return seen


def check_err(errors: Sequence[BaseException]) -> str:
    """What ``CheckErr`` prints for the errors a command collected (the reporter adds the final
    line break when the text lacks one, as kubectl's ``fatal`` does).

    One error prints on its own (Invalid errors from their causes, others with ``error: ``
    when they are not API errors); several print one ``StandardErrorMessage`` a line.
    """
    if not errors:
        return ""
    if len(errors) == 1:
        return _single(errors[0])
    return "\n".join(standard_message(e) for e in errors)


def _single(err: BaseException) -> str:
    if isinstance(err, StatusError):
        if err.reason == "Invalid":
            return invalid_message(err)
        return standard_message(err)
    if isinstance(err, KubectlError):
        return err.text
    text = str(err)
    return text if text.startswith("error: ") else f"error: {text}"


# YAML errors are rendered by labkube.core.manifests.go_yaml_error (shared with cluster.apply).
from labkube.core.manifests import go_yaml_error  # noqa: E402,F401 (re-exported)
