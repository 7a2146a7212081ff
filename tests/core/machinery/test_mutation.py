"""The cache mutation detector catches a component that modifies an informer's object in place."""

import pytest

from labkube.core.api.testing import new_server, pod
from labkube.core.machinery import mutation
from labkube.core.machinery.informer import Informer


@pytest.fixture
def detector_on(monkeypatch):
    monkeypatch.setenv(mutation.ENV, "1")
    started = []
    yield started
    for informer in started:  # this module's mutations are on purpose
        informer._detector.close()
    mutation.DETECTED.clear()


def _started_informer(env, started):
    informer = Informer(env.admin, env.server.resolve("pods"), env.clock)
    informer.start()
    started.append(informer)
    return informer


def test_modifying_a_cached_object_is_reported_when_a_newer_version_replaces_it(detector_on):
    env = new_server()
    informer = _started_informer(env, detector_on)
    env.admin.create(pod("a"))
    env.clock.run(0)
    informer.get("default/a")["metadata"]["labels"] = {"oops": "changed-in-place"}
    env.admin.patch("pods", "a", {"metadata": {"annotations": {"next": "version"}}}, namespace="default")
    with pytest.raises(mutation.CacheMutationError, match="default/a was modified in place"):
        env.clock.run(0)
    assert mutation.DETECTED


def test_check_all_finds_a_modified_object_that_is_still_cached(detector_on):
    env = new_server()
    informer = _started_informer(env, detector_on)
    env.admin.create(pod("a"))
    env.clock.run(0)
    mutation.check_all()  # nothing changed yet
    informer.get("default/a")["spec"]["containers"][0]["image"] = "changed"
    with pytest.raises(mutation.CacheMutationError, match="informer pods"):
        mutation.check_all()


def test_copying_before_changing_is_fine(detector_on):
    import copy

    env = new_server()
    informer = _started_informer(env, detector_on)
    env.admin.create(pod("a"))
    env.clock.run(0)
    mine = copy.deepcopy(informer.get("default/a"))
    mine["metadata"]["labels"] = {"changed": "on-my-copy"}
    env.admin.update(mine)
    env.clock.run(0)
    mutation.check_all()
    assert informer.get("default/a")["metadata"]["labels"] == {"changed": "on-my-copy"}


def test_the_detector_is_off_unless_asked_for(monkeypatch):
    monkeypatch.delenv(mutation.ENV, raising=False)
    informer = Informer(None, new_server().server.resolve("pods"), None)
    assert informer._detector is None
