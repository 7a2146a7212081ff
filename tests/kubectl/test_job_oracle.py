"""labkube prints Jobs byte for byte as the real kubectl 1.32 printed them (``capture_job.py``)."""

import pytest

from labkube.kubectl.describe.batch import describe_job
from labkube.kubectl.printers import columns
from labkube.kubectl.printers.columns_batch import JOB_COLUMNS
from tests.kubectl.job_cases import COMMANDS, GOLDEN, build


@pytest.fixture(scope="module")
def built():
    cluster = build()
    yield cluster
    cluster.close()


def _events_about(cluster, name):
    return [e for e in cluster.client.list("events", "default")["items"]
            if e["involvedObject"]["kind"] == "Job" and e["involvedObject"]["name"] == name]


@pytest.mark.parametrize("name", ["pi", "fails", "workers"],
                         ids=["a completed job", "a job past its backoff limit", "a running work queue"])
def test_describe_job_matches_the_real_kubectl(built, name):
    text = describe_job(built.get("job", name), _events_about(built, name), built.clock.now())
    assert text == (GOLDEN / f"describe_job_{name}.txt").read_text()


@pytest.mark.parametrize("stem", ["get_jobs", "get_jobs_wide"])
def test_get_jobs_matches_the_real_kubectl(built, monkeypatch, stem):
    monkeypatch.setitem(columns.COLUMN_SETS, "Job", JOB_COLUMNS)
    assert built.kubectl(" ".join(COMMANDS[stem])) == (GOLDEN / f"{stem}.txt").read_text()
