"""`grade batch --dask-scheduler`: the same grading on a Dask cluster (a LocalCluster here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader import cli
from grader.batch.gradebook import FILENAME, Gradebook
from grader.sandbox.secure import unavailable
from tests.test_batch import RUBRICS, WRONG_SOFTMAX, make_folder, make_zip

pytestmark = pytest.mark.slow  # every test here starts processes


@pytest.fixture(scope="module")
def cluster():
    """A LocalCluster with one worker process, or a skip when distributed cannot start."""
    distributed = pytest.importorskip("distributed", reason="distributed is not installed")
    try:
        local = distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None
        )
    except Exception as exc:  # noqa: BLE001 - any failure to start is a reason to skip
        pytest.skip(f"a Dask LocalCluster cannot start here: {exc}")
    yield local
    local.close()


def test_dask_grades_like_local(tmp_path: Path, cluster) -> None:
    """Grading on the cluster gives the same scores as grading here, refusals included."""
    subs = tmp_path / "subs"
    make_folder(subs / "alice")
    make_folder(subs / "bob", softmax=WRONG_SOFTMAX)
    make_zip(subs / "carol.zip", prefix="../")
    local, remote = tmp_path / "local", tmp_path / "remote"
    base = ["batch", str(subs), "--rubrics", str(RUBRICS), "--no-export"]

    assert 0 == cli.main([*base, "--out", str(local)])
    code = cli.main([*base, "--out", str(remote), "--dask-scheduler", cluster.scheduler_address])

    assert 0 == code
    with Gradebook(local / FILENAME) as a, Gradebook(remote / FILENAME) as b:
        here = {r.student: (r.outcome, r.score, r.report) for r in a.rows()}
        there = {r.student: (r.outcome, r.score, r.report) for r in b.rows()}
    assert {k: v[:2] for k, v in here.items()} == {k: v[:2] for k, v in there.items()}
    assert "refused" == there["carol"][0]
    for student in ("alice", "bob"):
        assert _cases(here[student][2]) == _cases(there[student][2])
    # the workers grade in the same (default) sandbox mode as this machine
    expected = "local" if unavailable() else "secure"
    assert expected == here["alice"][2]["sandbox"] == there["alice"][2]["sandbox"]


def _cases(report):
    """Every case of a report without its timing."""
    return [
        {k: v for k, v in case.items() if k != "seconds"}
        for exercise in report["exercises"]
        for case in exercise["cases"]
    ]


class _FakeClient:
    """Answers `run` like a client whose one worker has another grader version."""

    def __init__(self, answer: object) -> None:
        self.answer = answer

    def run(self, function, on_error="raise"):
        """What each worker returned."""
        return {"tcp://10.0.0.5:40000": self.answer}


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        pytest.param("0.0.9", "runs grader 0.0.9, this is", id="older version"),
        pytest.param(ModuleNotFoundError("grader"), "cannot import grader", id="not installed"),
    ],
)
def test_worker_with_another_version_is_refused(answer: object, expected: str) -> None:
    """A worker without the same grader version stops the batch before anything is sent."""
    from grader.batch.dask import _check_versions
    from grader.errors import UsageError

    with pytest.raises(UsageError) as caught:
        _check_versions(_FakeClient(answer))

    assert "Dask worker tcp://10.0.0.5:40000" in str(caught.value)
    assert expected in str(caught.value)
