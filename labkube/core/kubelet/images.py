"""Image pulls by ``imagePullPolicy``, with the kubelet's events and pull backoff.

Mirrors pkg/kubelet/images/image_manager.go (``EnsureImageExists``) of Kubernetes 1.32:

* ``Never``: the image must be present (``ErrImageNeverPull``: ``Container image "x" is not
  present with pull policy of Never``);
* ``IfNotPresent`` with the image present: event ``Pulled`` ``Container image "x" already
  present on machine``;
* otherwise, unless the pull is in backoff, event ``Pulling`` ``Pulling image "x"``, then
  ``Pulled`` ``Successfully pulled image "x" in 4.1s (4.1s including waiting). Image size:
  N bytes.`` or ``Failed`` ``Failed to pull image "x": <runtime error>`` and the container waits
  with reason ``ErrImagePull``;
* while in backoff (10 s doubling to 300 s, per pod and image): event ``BackOff`` ``Back-off
  pulling image "x"`` and waiting reason ``ImagePullBackOff``.

Pulls are asynchronous: :meth:`ImageManager.ensure` returns an Operation completing on the
cluster clock with an :class:`ImageResult`.
"""

from __future__ import annotations

from dataclasses import dataclass

from labkube.core.kubelet.backoff import Backoff
from labkube.core.machinery.events import NORMAL, WARNING, shared_message
from labkube.runtime.cri import ImagePullError, InvalidImageNameError, Operation, PullResult

ERR_IMAGE_PULL = "ErrImagePull"
IMAGE_PULL_BACKOFF = "ImagePullBackOff"
ERR_IMAGE_NEVER_PULL = "ErrImageNeverPull"
INVALID_IMAGE_NAME = "InvalidImageName"


@dataclass(frozen=True)
class ImageResult:
    """``image_ref`` set on success; otherwise the waiting ``reason`` and ``message``."""

    image_ref: str = ""
    reason: str = ""
    message: str = ""

    @property
    def ok(self) -> bool:
        return not self.reason


def go_duration(seconds: float) -> str:
    """Go's ``time.Duration.String()`` of a duration truncated to milliseconds."""
    millis = int(round(seconds * 1000))
    if millis == 0:
        return "0s"
    if millis < 1000:
        return f"{millis}ms"
    minutes, millis = divmod(millis, 60_000)
    hours, minutes = divmod(minutes, 60)
    secs = f"{millis / 1000:.3f}".rstrip("0").rstrip(".")
    text = f"{secs}s"
    if hours:
        return f"{hours}h{minutes}m{text}"
    if minutes:
        return f"{minutes}m{text}"
    return text


class ImageManager:
    """One per kubelet: decides pulls and records the image events."""

    def __init__(self, runtime, recorder, clock) -> None:
        self.runtime = runtime
        self.recorder = recorder
        self.clock = clock
        self.backoff = Backoff(clock)

    def ensure(self, pod: dict, container: dict, field_path: str) -> Operation:
        """Make the container's image present; completes with an :class:`ImageResult`."""
        image = container.get("image", "")
        policy = container.get("imagePullPolicy") or "IfNotPresent"
        event = lambda etype, reason, msg: self.recorder.event(pod, etype, reason, msg, field_path)  # noqa: E731
        try:
            present = self.runtime.image_status(image)
        except InvalidImageNameError as err:
            return self._done(event, WARNING, "InspectFailed", err.message, INVALID_IMAGE_NAME)
        if policy == "Never" or (policy == "IfNotPresent" and present is not None):
            if present is not None:
                event(NORMAL, "Pulled", shared_message('Container image "{}" already present on machine', image))
                return Operation.completed(ImageResult(image_ref=present.repo_digests[0] if present.repo_digests else present.id))
            msg = f'Container image "{image}" is not present with pull policy of Never'
            return self._done(event, WARNING, ERR_IMAGE_NEVER_PULL, msg, ERR_IMAGE_NEVER_PULL)
        key = f"{pod['metadata'].get('uid', '')}_{image}"
        if self.backoff.in_backoff_since_update(key):
            msg = f'Back-off pulling image "{image}"'
            return self._done(event, NORMAL, "BackOff", msg, IMAGE_PULL_BACKOFF)
        event(NORMAL, "Pulling", shared_message('Pulling image "{}"', image))
        started = self.clock.now()
        result: Operation = Operation()
        pull = self.runtime.pull_image(image)
        pull.add_done_callback(lambda op: self._pulled(op, image, key, started, event, result))
        return result

    def _done(self, event, etype: str, reason: str, message: str, waiting: str) -> Operation:
        event(etype, reason, message)
        return Operation.completed(ImageResult(reason=waiting, message=message))

    def _pulled(self, op: Operation, image: str, key: str, started: float, event, result: Operation) -> None:
        error = op.error
        if error is not None:
            text = getattr(error, "message", str(error))
            event(WARNING, "Failed", f'Failed to pull image "{image}": {text}')
            self.backoff.next(key, self.clock.now())
            reason = INVALID_IMAGE_NAME if isinstance(error, InvalidImageNameError) else ERR_IMAGE_PULL
            if not isinstance(error, (ImagePullError, InvalidImageNameError)):
                reason = ERR_IMAGE_PULL
            result.set_result(ImageResult(reason=reason, message=text))
            return
        pulled: PullResult = op.result()
        waited = self.clock.now() - started
        event(NORMAL, "Pulled",
              f'Successfully pulled image "{image}" in {go_duration(min(pulled.duration, waited))} '
              f"({go_duration(waited)} including waiting). Image size: {pulled.image.size} bytes.")
        digests = pulled.image.repo_digests
        result.set_result(ImageResult(image_ref=digests[0] if digests else pulled.image.id))

    def forget_pod(self, uid: str) -> None:
        self.backoff.forget_prefix(f"{uid}_")
