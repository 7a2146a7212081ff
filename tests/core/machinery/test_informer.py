"""Informers: list then watch, a cache that follows the API, handlers, relist after 410."""

from labkube.core.api.testing import new_server, pod
from labkube.core.machinery.controller import Component, Controller, ErrorLog
from labkube.core.machinery.informer import Informer, object_key


def _informer(env, resource="pods", **kw):
    return Informer(env.admin, env.server.resolve(resource), env.clock, **kw)


def _recording(informer):
    seen = []
    informer.add_event_handler(
        on_add=lambda o: seen.append(("add", object_key(o))),
        on_update=lambda old, new: seen.append(("update", object_key(new))),
        on_delete=lambda o: seen.append(("delete", object_key(o))),
    )
    return seen


def test_start_lists_existing_objects_and_tells_the_handlers():
    env = new_server()
    env.admin.create(pod("a"))
    env.admin.create(pod("b"))
    informer = _informer(env)
    seen = _recording(informer)
    informer.start()
    assert informer.has_synced and informer.keys() == ["default/a", "default/b"]
    assert seen == [("add", "default/a"), ("add", "default/b")]


def test_changes_reach_the_cache_and_handlers_when_the_clock_runs():
    env = new_server()
    informer = _informer(env)
    seen = _recording(informer)
    informer.start()
    env.admin.create(pod("a"))
    assert informer.get("default/a") is None  # nothing happens until time moves
    env.clock.run(0)
    assert informer.get("default/a")["metadata"]["name"] == "a"
    env.admin.patch("pods", "a", {"metadata": {"labels": {"x": "y"}}}, namespace="default")
    env.admin.delete("pods", "a", "default")
    env.clock.run(0)
    assert informer.get("default/a") is None
    assert seen[0] == ("add", "default/a") and seen[-1] == ("delete", "default/a")
    assert ("update", "default/a") in seen


def test_a_handler_added_late_hears_about_every_cached_object():
    env = new_server()
    env.admin.create(pod("a"))
    informer = _informer(env)
    informer.start()
    assert _recording(informer) == [("add", "default/a")]


def test_an_index_finds_objects_by_a_computed_value():
    env = new_server()
    env.admin.create(pod("a"))
    env.admin.create(pod("b"))
    informer = _informer(env)
    informer.add_indexer("image", lambda p: [c["image"] for c in p["spec"]["containers"]])
    informer.start()
    env.admin.patch("pods", "b", {"spec": {"containers": [{"name": "c", "image": "httpd"}]}},
                    namespace="default")
    env.clock.run(0)
    assert [p["metadata"]["name"] for p in informer.by_index("image", "nginx")] == ["a"]
    assert [p["metadata"]["name"] for p in informer.by_index("image", "httpd")] == ["b"]


def test_after_compaction_the_informer_relists_and_reports_the_difference():
    env = new_server()
    env.admin.create(pod("a"))
    informer = _informer(env)
    seen = _recording(informer)
    informer.start()
    informer._watch.cancel()  # the watch is lost while changes happen…
    informer._watch = env.admin.watch("pods", resource_version=informer.resource_version)
    env.admin.delete("pods", "a", "default")
    env.admin.create(pod("b"))
    env.store.compact(env.store.revision)  # …and history is compacted away
    informer._watch = env.admin.watch("pods", resource_version="1")
    informer.pump()
    assert informer.keys() == ["default/b"]
    assert ("delete", "default/a") in seen and ("add", "default/b") in seen


def test_resync_revisits_every_cached_object():
    env = new_server()
    env.admin.create(pod("a"))
    informer = _informer(env, resync_period=30)
    seen = _recording(informer)
    informer.start()
    env.clock.run(61)
    assert seen.count(("update", "default/a")) == 2


class _Counting(Controller):
    name = "counting"

    def __init__(self, clock, fail_first=0, **kw):
        super().__init__(clock, **kw)
        self.synced = []
        self.fail_first = fail_first

    def sync(self, key):
        self.synced.append((key, self.clock.now()))
        if self.fail_first:
            self.fail_first -= 1
            raise RuntimeError("not yet")


def test_a_controller_syncs_each_key_once_per_burst_of_events():
    env = new_server()
    controller = _Counting(env.clock)
    informer = _informer(env)
    informer.add_event_handler(on_add=lambda o: controller.enqueue(object_key(o)),
                               on_update=lambda old, new: controller.enqueue(object_key(new)))
    informer.start()
    env.admin.create(pod("a"))
    for i in range(5):
        env.admin.patch("pods", "a", {"metadata": {"labels": {"n": str(i)}}}, namespace="default")
    env.clock.run(1)
    assert [key for key, _ in controller.synced] == ["default/a"]


def test_a_failing_sync_is_retried_with_backoff_and_reported():
    env = new_server()
    errors = []
    controller = _Counting(env.clock, fail_first=3, errors=lambda where, err: errors.append(where))
    controller.enqueue("k")
    env.clock.run(1)
    times = [round(t - env.clock.now() + 1, 3) for _, t in controller.synced]
    assert times == [0.0, 0.005, 0.015, 0.035]
    assert errors == ["counting sync k"] * 3


class _Watcher(Component):
    name = "watcher"

    def setup(self):
        self.pods = self.informers.informer("pods")


def test_a_stopped_component_stops_watching_and_a_restart_lists_afresh():
    env = new_server()
    component = _Watcher(env.admin, env.clock, ErrorLog())
    component.start()
    env.admin.create(pod("a"))
    env.clock.run(0)
    assert component.pods.keys() == ["default/a"]
    component.stop()
    env.admin.create(pod("b"))
    env.clock.run(0)
    assert component.pods.keys() == ["default/a"]  # a stopped process learns nothing
    component.start()
    assert component.pods.keys() == ["default/a", "default/b"]


def test_an_update_that_keeps_an_indexed_value_is_found_in_its_new_version():
    env = new_server()
    env.admin.create(pod("a"))
    informer = _informer(env)
    informer.add_indexer("image", lambda p: [c["image"] for c in p["spec"]["containers"]])
    informer.start()
    env.admin.patch("pods", "a", {"metadata": {"labels": {"x": "y"}}}, namespace="default")
    env.clock.run(0)
    [found] = informer.by_index("image", "nginx")
    assert found["metadata"]["labels"]["x"] == "y"


def test_a_handler_added_during_an_event_hears_only_later_events():
    env = new_server()
    informer = _informer(env)
    late = []

    def add_late_handler(obj):
        if not late:
            late.append("registered")
            informer.add_event_handler(on_add=lambda o: late.append(object_key(o)))

    informer.add_event_handler(on_add=add_late_handler)
    informer.start()
    env.admin.create(pod("a"))
    env.clock.run(0)
    env.admin.create(pod("b"))
    env.clock.run(0)
    # told about the cached "a" when added, then about "b"; never twice about "a"
    assert late == ["registered", "default/a", "default/b"]


def test_a_failing_handler_is_reported_and_the_next_handler_still_runs():
    env = new_server()
    errors, seen = [], []
    informer = _informer(env, on_error=lambda where, err: errors.append((where, str(err))))

    def broken(obj):
        raise RuntimeError("boom")

    informer.add_event_handler(on_add=broken)
    informer.add_event_handler(on_add=lambda o: seen.append(object_key(o)))
    informer.start()
    env.admin.create(pod("a"))
    env.clock.run(0)
    assert errors == [("informer pods handler", "boom")] and seen == ["default/a"]


def test_listing_one_namespace_gives_its_objects_in_name_order():
    env = new_server()
    env.admin.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev"}})
    for name, namespace in [("b", "default"), ("c", "dev"), ("a", "default"), ("a", "dev")]:
        env.admin.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}}, namespace)
    informer = _informer(env, "configmaps")
    informer.start()
    assert [object_key(p) for p in informer.list("default")] == ["default/a", "default/b"]
    assert [object_key(p) for p in informer.list("dev")] == ["dev/a", "dev/c"]
    assert [object_key(p) for p in informer.list()] == ["default/a", "default/b", "dev/a", "dev/c"]
