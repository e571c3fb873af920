"""``sogni_core.client.record_results``: per job of a stored project record,
the same decision the live path makes for a ``jobResult`` (direct URL in the
live key order, canceled/withheld without media, else the live
``FetchResultUrl`` request), and jobs without media reported, not dropped.

The live requests are taken from a ``ProjectMachine`` replaying the same record
(``feed_rest_record``, what ``apply_rest_project`` runs), so the two paths are
compared, not restated.
"""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from sogni_core.client import JobResult, record_media, record_results
from sogni_core.protocol._generated.rest import ProjectRecord
from sogni_core.state import events as ev
from sogni_core.state._adapters import feed_rest_record
from sogni_core.state._rules import ProjectSpec
from sogni_core.state.project import ProjectMachine

PID = "547587E4-4422-41E1-83A9-858F18C35973"


def _record(*jobs: dict[str, Any], **extra: Any) -> ProjectRecord:
    raw = {
        "id": PID.lower(),
        "status": "completed",
        "model": {"id": "m"},
        "completedWorkerJobs": list(jobs),
        **extra,
    }
    return msgspec.convert(raw, ProjectRecord)


def _job(job_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": job_id, "imgID": job_id, "status": "jobCompleted", **fields}


def _live_fetches(record: ProjectRecord, media: Any, fmt: str | None) -> list[ev.FetchResultUrl]:
    """The FetchResultUrl actions the live path emits when it replays the record."""
    spec = ProjectSpec(id=PID, media=media, number_of_media=3, output_format=fmt)
    machine = ProjectMachine(spec, now=0.0)
    raw = msgspec.to_builtins(record)
    out = feed_rest_record(machine, raw, 0.0, include_in_flight=True)
    return [e for e in out if isinstance(e, ev.FetchResultUrl)]


@pytest.mark.parametrize(
    ("media", "fmt"),
    [
        ("image", None),
        ("image", "jpg"),
        ("image", "webp"),
        ("video", "mp4"),
        ("audio", "flac"),
        ("audio", None),
        ("model", None),
    ],
)
def test_the_requests_are_the_live_ones(media: str, fmt: str | None) -> None:
    rec = _record(
        _job("j1", resultKey="k1", **({"outputFormat": fmt} if fmt else {})),
        _job("j2", resultKey="k2", **({"outputFormat": fmt} if fmt else {})),
        _job("j3", resultUrl="https://direct/3"),
    )
    mine = [r.fetch for r in record_results(rec, media=media) if r.fetch is not None]
    live = _live_fetches(rec, media, fmt)
    assert len(live) == 2
    assert mine == live


def test_direct_url_wins_in_the_live_key_order() -> None:
    rec = _record(
        _job("J1", imageUrl="https://i/1", resultUrl="https://r/1", resultKey="k"),
        _job("J2", videoFile="https://v/2", imageFile="https://f/2"),
        _job("J3", videoUrl="https://v/3", videoFile="https://vf/3"),
    )
    got = record_results(rec, media="video")
    assert [r.url for r in got] == ["https://r/1", "https://f/2", "https://v/3"]
    assert all(r.outcome == "completed" and r.fetch is None for r in got)


def test_a_key_gets_the_live_request_per_media() -> None:
    rec = _record(_job("j1", resultKey="k1", outputFormat="jpg"))
    (img,) = record_results(rec)
    assert img.fetch == ev.FetchResultUrl(
        project_id=PID,
        job_id="J1",
        media="image",
        path="/v1/image/downloadUrl",
        query=(
            ("jobId", PID),
            ("imageId", "J1"),
            ("type", "complete"),
            ("contentType", "image/jpeg"),
        ),
    )
    assert img.url is None and img.extension == "jpg"
    (vid,) = record_results(rec, media="video")
    assert vid.fetch is not None and vid.fetch.path == "/v1/media/downloadUrl"
    assert vid.fetch.query == (("jobId", PID), ("id", "J1"), ("type", "complete"))
    rec_audio = _record(_job("j1", resultKey="k1", outputFormat="wav"))
    (aud,) = record_results(rec_audio, media="audio")
    assert aud.fetch is not None and ("contentType", "audio/wav") in aud.fetch.query
    assert aud.extension == "wav"
    (no_fmt,) = record_results(_record(_job("j1", resultKey="k")), media="video")
    assert no_fmt.extension == "mp4"


def test_jobs_without_media_are_reported() -> None:
    rec = _record(
        _job("A", triggeredNSFWFilter=True),
        _job("B", triggeredNSFWFilter=True, nsfwDetected=True, resultKey="k"),
        _job("C", reason="artistCanceled"),
        {"id": "D", "status": "jobError", "reason": "genfailure"},
        {"id": "E", "status": "jobStarted"},
        workerJobs=[_job("A", triggeredNSFWFilter=True), {"id": "F", "status": "queued"}],
    )
    got = {r.job_id: r for r in record_results(rec)}
    assert {k: r.outcome for k, r in got.items()} == {
        "A": "withheld",
        "B": "completed",  # filter off: delivered, only labelled
        "C": "canceled",
        "D": "failed",
        "E": "unfinished",
        "F": "unfinished",
    }
    assert got["B"].fetch is not None
    assert got["D"].reason == "genfailure" and got["D"].url is None
    canceled = _record({"id": "X", "status": "queued"}, status="cancelled")
    assert [r.outcome for r in record_results(canceled)] == ["canceled"]


@pytest.mark.parametrize("media", ["image", "video", "audio"])
def test_record_media_from_the_catalogue(media: str) -> None:
    catalogue = [{"id": "other", "media": "video"}, {"id": "m", "media": media}]
    assert record_media("m", catalogue) == media
    assert record_media("unknown", catalogue) == "image"
    assert record_media("m", [{"id": "m", "media": "hologram"}]) == "image"


def test_results_are_typed() -> None:
    (r,) = record_results(_record(_job("j", resultUrl="https://x/y")))
    assert type(r) is JobResult
