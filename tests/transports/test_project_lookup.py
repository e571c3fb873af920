"""``client.projects.status(id)`` / ``client.projects.get(id)`` over every
transport (asyncio, trio both sockets, blocking), against the emulator.

``status`` reads the live owner-scoped lookup ``GET /v2/projects/{id}``
(also while queued; 404 for an unknown id or another account's project; 503
retryable), ``get`` the finished record ``GET /v1/projects/{id}`` (404 until
the project finishes, 01 §4.11.1). Both check the id before any request: the
emulator's ``--record`` log shows that nothing was sent.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from sogni_core.protocol._errors import ApiStatusError, InvalidParamsError
from sogni_core.protocol._generated.enums import ProjectLookupStatus, RawProjectStatus
from sogni_core.protocol._generated.rest import ProjectRecord, ProjectStatusSnapshot
from sogni_core.protocol.jobrequest import ImageProjectParams
from sogni_core.state import events as ev
from tests._fixtures import read_record

MODEL = "flux1-schnell-fp8"


def _lookups_sent(record: Path, since: int) -> list[str]:
    """Paths of the project look-ups sent since entry ``since`` (the client's own
    background calls, such as the catalogue prefetch, are left out)."""
    return [
        e["path"]
        for e in read_record(record)[since:]
        if e["kind"] == "rest" and e["path"].startswith(("/v1/projects/", "/v2/projects/"))
    ]


async def _not_found(h: Any, call: Any) -> ApiStatusError:
    with pytest.raises(ApiStatusError) as info:
        await h.call(call())
    err = info.value
    assert err.status == 404, err
    assert err.code == 404 and err.message == "Project not found"
    return err


async def _lookups(h: Any, emu: Any, record: Path) -> None:
    async with h.client(emu) as client:
        params = ImageProjectParams(
            model_id=MODEL, positive_prompt="a lighthouse", steps=6, number_of_media=2
        )
        project = await h.call(client.projects.create(params))
        seen: ProjectStatusSnapshot | None = None
        async for event in h.events(project):
            if seen is None and isinstance(event, (ev.JobStarted, ev.JobProgressed)):
                seen = await h.call(client.projects.status(project.id))
                # not stored yet: the finished record is a 404 until the end
                await _not_found(h, lambda: client.projects.get(project.id))
        assert seen is not None, "no in-flight event"
        assert type(seen) is ProjectStatusSnapshot
        assert seen.id == project.id
        assert seen.status in (ProjectLookupStatus.QUEUED, ProjectLookupStatus.PROCESSING)
        assert seen.finished is False
        assert seen.image_count == 2 and seen.model is not None and seen.model.id == MODEL

        await h.call(project.wait(20))
        # any case finds it (the id is upper-cased on the wire)
        done = await h.call(client.projects.status(project.id.lower()))
        assert done.id == project.id
        assert done.status is ProjectLookupStatus.COMPLETED and done.finished is True
        jobs = {job.id for job in done.completed_worker_jobs}
        assert jobs == set(project.jobs), (jobs, set(project.jobs))
        assert all(job.status == "jobCompleted" for job in done.completed_worker_jobs)

        rec = await h.call(client.projects.get(project.id))
        assert type(rec) is ProjectRecord
        assert rec.id == project.id and rec.status == RawProjectStatus.COMPLETED
        assert rec.image_count == 2 and rec.step_count == 6
        assert rec.model is not None and rec.model.id == MODEL
        assert {job.id for job in rec.completed_worker_jobs} == jobs
        for job in rec.completed_worker_jobs:
            assert job.worker is not None and job.worker.name
            assert job.seed_used is not None and job.result_key
            assert job.cost_actual is not None and job.cost_actual.cost_in_token

        # an unknown id is a 404 on both
        unknown = str(uuid.uuid4()).upper()
        await _not_found(h, lambda: client.projects.status(unknown))
        await _not_found(h, lambda: client.projects.get(unknown))

        # bad ids are refused before any request
        before = len(read_record(record))
        for bad in ("", "not-a-uuid", project.id + "/x", f"../{project.id}", None):
            for method in (client.projects.status, client.projects.get):
                with pytest.raises(InvalidParamsError) as info:
                    await h.call(method(bad))
                assert info.value.field == "project_id"
        assert _lookups_sent(record, before) == []

        # another account's project is a 404, like an unknown id
        account = emu.auth.new_account("someone-else", "0x" + "7a" * 20, "else@example.invalid")
        tokens = emu.auth.issue_tokens(account)
        async with h.client(
            emu, api_key=None, token=tokens["token"], refresh_token=tokens["refreshToken"]
        ) as other:
            await _not_found(h, lambda: other.projects.status(project.id))
            mine = await h.call(client.projects.status(project.id))
            assert mine.finished is True


def test_status_and_get(h: Any, emulator_factory: Any, tmp_path: Path) -> None:
    record = tmp_path / "record.jsonl"
    with emulator_factory(record=record, faults="slow-workers=4") as emu:
        h.run(_lookups, emu, record)


async def _unavailable(h: Any, emu: Any, record: Path) -> None:
    async with h.client(emu) as client:
        unknown = str(uuid.uuid4()).upper()
        before = len(read_record(record))
        with pytest.raises(ApiStatusError) as info:
            await h.call(client.projects.status(unknown))
        assert info.value.status == 503
        # the client retried the 503 (retryable) before giving up
        assert _lookups_sent(record, before) == [f"/v2/projects/{unknown}"] * 3
        # once the server can tell, the same call answers
        await _not_found(h, lambda: client.projects.status(unknown))


def test_status_503_is_retried_then_raised(h: Any, emulator_factory: Any, tmp_path: Path) -> None:
    record = tmp_path / "record.jsonl"
    with emulator_factory(record=record, faults="rest-503=3:/v2/projects/") as emu:
        h.run(_unavailable, emu, record)
