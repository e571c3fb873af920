"""``client.projects.result_urls(id)`` / ``client.projects.download(id, folder)``
over every transport (asyncio, trio both sockets, blocking), against the emulator.

A project is created and downloaded live; then a NEW client (as a restarted
process would) looks it up by id and downloads it again: the same file names
and the same bytes. The emulator stores results under a key only, so every
URL here is minted with the live path's download-URL request. A job that failed
(or whose media the safety filter withheld) is reported, not skipped; bad ids
and a project that has not finished fail as ``get()`` does.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from sogni_core.client import JobResult
from sogni_core.protocol._errors import ApiStatusError, InvalidParamsError, JobFailedError
from sogni_core.protocol.jobrequest import ImageProjectParams
from sogni_core.state import events as ev
from tests._fixtures import read_record

MODEL = "flux1-schnell-fp8"


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


async def _roundtrip(h: Any, emu: Any, tmp: Path, record: Path) -> None:
    params = ImageProjectParams(
        model_id=MODEL, positive_prompt="a lighthouse", steps=4, number_of_media=2
    )
    async with h.client(emu) as client:
        project = await h.call(client.projects.create(params))
        # not finished yet: the record is a 404, so are its results
        with pytest.raises(ApiStatusError) as info:
            await h.call(client.projects.result_urls(project.id))
        assert info.value.status == 404
        await h.call(project.wait(30))
        live = await h.call(project.download(tmp / "live"))
        assert len(live) == 2
        project_id = project.id

    # a restarted process: only the id survives
    async with h.client(emu) as client:
        results = await h.call(client.projects.result_urls(project_id.lower()))
        assert [type(r) for r in results] == [JobResult, JobResult]
        assert {r.outcome for r in results} == {"completed"}
        assert all(r.url and r.url.startswith("http") and r.fetch is None for r in results)
        assert {r.job_id for r in results} == {p.stem.split("_")[1] for p in live}
        before = len(read_record(record))
        paths = await h.call(client.projects.download(project_id, tmp / "looked"))
        assert sorted(p.name for p in paths) == sorted(p.name for p in live)
        assert _files(tmp / "looked") == _files(tmp / "live")
        assert all(len(b) > 100 for b in _files(tmp / "looked").values())
        # the keys were minted with the image endpoint, jobId = the project id
        minted = [
            e for e in read_record(record)[before:] if e.get("path") == "/v1/image/downloadUrl"
        ]
        assert len(minted) == 2, minted
        # the record itself works too, and gives the same files
        rec = await h.call(client.projects.get(project_id))
        again = await h.call(client.projects.download(rec, tmp / "from-record"))
        assert _files(tmp / "from-record") == _files(tmp / "live")
        assert len(again) == 2

        # bad ids are refused before any request
        before = len(read_record(record))
        for bad in ("", "not-a-uuid", f"../{project_id}", None):
            calls = (
                lambda bad=bad: client.projects.result_urls(bad),
                lambda bad=bad: client.projects.download(bad, tmp / "never"),
            )
            for call in calls:
                with pytest.raises(InvalidParamsError) as err:
                    await h.call(call())
                assert err.value.field in ("project_id", "project")
        sent = [
            e
            for e in read_record(record)[before:]
            if e["kind"] == "rest" and "/projects/" in e["path"]
        ]
        assert sent == []
        assert not (tmp / "never").exists()
        # an unknown project is the server's 404
        with pytest.raises(ApiStatusError) as info:
            await h.call(client.projects.download(str(uuid.uuid4()), tmp / "never"))
        assert info.value.status == 404


def test_looked_up_project_downloads_the_same_files(
    h: Any, emulator_factory: Any, tmp_path: Path
) -> None:
    record = tmp_path / "record.jsonl"
    with emulator_factory(record=record, faults="slow-workers=2") as emu:
        h.run(_roundtrip, emu, tmp_path, record)


async def _failed_job(h: Any, emu: Any, tmp: Path) -> None:
    params = ImageProjectParams(
        model_id=MODEL, positive_prompt="a lighthouse", steps=4, number_of_media=3
    )
    async with h.client(emu) as client:
        project = await h.call(client.projects.create(params))
        failed = 0
        async for event in h.events(project):
            failed += isinstance(event, ev.JobFailed)
        assert failed == 1
        try:
            await h.call(project.wait(30))
        except JobFailedError:
            pass
        live = await h.call(project.download(tmp / "live"))
        assert len(live) == 2
        project_id = project.id

    async with h.client(emu) as client:
        results = await h.call(client.projects.result_urls(project_id))
        outcomes = sorted(r.outcome for r in results)
        assert outcomes == ["completed", "completed", "failed"], results
        bad = next(r for r in results if r.outcome == "failed")
        assert bad.url is None and bad.reason
        paths = await h.call(client.projects.download(project_id, tmp / "looked"))
        assert len(paths) == 2 and bad.job_id not in {p.stem.split("_")[1] for p in paths}
        assert _files(tmp / "looked") == _files(tmp / "live")


def test_a_failed_job_is_reported(h: Any, emulator_factory: Any, tmp_path: Path) -> None:
    with emulator_factory(faults="worker-error=40") as emu:
        h.run(_failed_job, emu, tmp_path)
