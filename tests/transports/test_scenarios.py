"""The scenario suite, run once per transport (asyncio, trio, blocking)."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

import pytest

from sogni_core.protocol._errors import ConnectionClosedError, InvalidParamsError, JobFailedError
from sogni_core.protocol.jobrequest import ImageProjectParams, MediaInput, VideoProjectParams
from sogni_core.state import events as ev
from tests._fixtures import read_record

from .conftest import SECRET_KEY

MODEL = "flux1-schnell-fp8"
VIDEO_MODEL = "wan_v2.2-14b-fp8_t2v_lightx2v"


def _png(tag: int) -> bytes:
    # Magic bytes are all the emulator and the sniffer look at.
    return b"\x89PNG\r\n\x1a\n" + bytes([tag]) * 32


def _image(**kwargs: Any) -> ImageProjectParams:
    kwargs.setdefault("model_id", MODEL)
    kwargs.setdefault("positive_prompt", "a lighthouse at dusk")
    kwargs.setdefault("steps", 4)
    return ImageProjectParams(**kwargs)


async def _collect(h: Any, project: Any) -> list[ev.Event]:
    return [event async for event in h.events(project)]


def _check_order(events: list[ev.Event], n: int) -> None:
    kinds = [type(e) for e in events]
    assert kinds[-1] is ev.ProjectCompleted, kinds
    assert kinds.count(ev.ProjectCompleted) == 1
    completed = [e for e in events if isinstance(e, ev.JobCompleted)]
    assert len(completed) == n
    assert len({e.job_id for e in completed}) == n, "a result was delivered twice"
    progress = [e.progress for e in events if isinstance(e, ev.ProjectProgressed)]
    assert progress == sorted(progress)
    for job in {e.job_id for e in completed}:
        first = next(i for i, e in enumerate(events) if getattr(e, "job_id", None) == job)
        assert isinstance(events[first], ev.JobStarted), events[first]


# -- connect, models, account ------------------------------------------------------


async def _connect(h: Any, emu: Any) -> None:
    async with h.client(emu) as client:
        assert client.authenticated is not None
        models = await h.call(client.projects.wait_for_models(5))
        assert models.get(MODEL, 0) > 0
        options = await h.call(client.projects.model_options(MODEL))
        assert options.type == "image"
        presets = await h.call(client.projects.size_presets(MODEL))
        assert any(p.id == "square_hd" for p in presets)
        balance = await h.call(client.account.balance())
        assert balance.spark.net == "5000"
        me = await h.call(client.account.me())
        assert me.username
        rewards = await h.call(client.account.rewards())
        assert rewards.rewards == ()
        estimate = await h.call(client.projects.estimate_cost(_image()))
        assert estimate.spark > 0  # a typed CostEstimate (tests/transports/test_estimates.py)
        assert await h.call(client.switch_network("relaxed")) == "relaxed"
        assert client.network == "relaxed"


def test_connect_models_account(h: Any, emulator_factory: Any) -> None:
    with emulator_factory() as emu:
        h.run(_connect, emu)


# -- image with several media, event order, download ---------------------------------


async def _image_media(h: Any, emu: Any, tmp: Path) -> None:
    guide = tmp / "guide.png"
    guide.write_bytes(_png(1))
    params = _image(
        number_of_media=3,
        starting_image=guide,  # a path
        starting_image_strength=0.5,
        context_images=(
            _png(2),
            io.BytesIO(_png(3)),
            MediaInput(data=_png(4), content_type="image/png"),
        ),
        model_id="flux2",
    )
    async with h.client(emu) as client:
        project = await h.call(client.projects.create(params))
        seen: list[ev.Event] = []
        project.on(ev.JobCompleted, seen.append)
        events = await _collect(h, project)
        urls = await h.call(project.wait(10))
        assert len(urls) == 3
        _check_order(events, 3)
        assert len(seen) == 3
        paths = await h.call(project.download(tmp / "out"))
        assert len(paths) == 3
        for path in paths:
            assert path.read_bytes()[:4] == b"\x89PNG"
        # The emulator stored each upload under its slot, bytes intact.
        for slot, tag in (
            ("startingImage", 1),
            ("contextImage1", 2),
            ("contextImage2", 3),
            ("contextImage3", 4),
        ):
            stored = emu.store.find_upload(project.id, slot)
            assert stored is not None, slot
            assert stored.data == _png(tag)


def test_image_with_media_and_download(h: Any, emulator_factory: Any, tmp_path: Path) -> None:
    with emulator_factory() as emu:
        h.run(_image_media, emu, tmp_path)


# -- video ------------------------------------------------------------------------------


async def _video(h: Any, emu: Any, tmp: Path) -> None:
    params = VideoProjectParams(
        model_id=VIDEO_MODEL, positive_prompt="a boat", duration=1, fps=16, width=480, height=480
    )
    async with h.client(emu) as client:
        project = await h.call(client.projects.create(params))
        urls = await h.call(project.wait(30))
        assert len(urls) == 1
        (path,) = await h.call(project.download(tmp))
        assert path.suffix == ".mp4"
        assert path.read_bytes()[4:8] == b"ftyp"


def test_video(h: Any, emulator_factory: Any, tmp_path: Path) -> None:
    with emulator_factory() as emu:
        h.run(_video, emu, tmp_path)


# -- cancel -------------------------------------------------------------------------------


async def _cancel(h: Any, emu: Any) -> None:
    async with h.client(emu) as client:
        project = await h.call(client.projects.create(_image(number_of_media=2)))
        async for event in h.events(project):
            if isinstance(event, (ev.JobProgressed, ev.JobProcessing)):
                await h.call(project.cancel())
        with pytest.raises(JobFailedError):
            await h.call(project.wait(5))
        assert project.finished
        assert not project.result_urls or len(project.result_urls) < 2


def test_cancel(h: Any, emulator_factory: Any) -> None:
    with emulator_factory(faults="slow-workers=15") as emu:
        h.run(_cancel, emu)


async def _cancel_by_task(h: Any, emu: Any) -> None:
    async with h.client(emu) as client:
        project = await h.call(client.projects.create(_image()))
        if h.name == "trio":
            import trio

            with trio.move_on_after(0.3):
                await project.wait()
        else:
            import asyncio

            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(project.wait(), 0.3)
        async for _ in h.events(project):
            pass
        assert project.finished
        assert isinstance(project._end, ev.ProjectCanceled)


@pytest.mark.parametrize("name", ["asyncio", "trio"])
def test_cancelling_wait_cancels_project(name: str, emulator_factory: Any) -> None:
    from .conftest import Harness

    with emulator_factory(faults="slow-workers=15") as emu:
        Harness(name).run(_cancel_by_task, emu)


class _Interrupt(Exception):
    pass


async def _interrupt_sync_wait(h: Any, emu: Any) -> None:
    import signal

    async with h.client(emu) as client:
        project = client.projects.create(_image())
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        with pytest.raises(_Interrupt):
            project.wait()  # blocks until the alarm interrupts it
        async for _ in h.events(project):
            pass
        assert isinstance(project._end, ev.ProjectCanceled)


def test_interrupting_blocking_wait_cancels_project(emulator_factory: Any) -> None:
    import signal

    from .conftest import Harness

    def alarm(signum: int, frame: Any) -> None:
        raise _Interrupt

    previous = signal.signal(signal.SIGALRM, alarm)
    try:
        with emulator_factory(faults="slow-workers=15") as emu:
            Harness("sync").run(_interrupt_sync_wait, emu)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# -- reconnect under faults ----------------------------------------------------------------


async def _survives(h: Any, emu: Any) -> None:
    async with h.client(emu) as client:
        reconnects: list[ev.Connecting] = []
        client.on(ev.Connecting, reconnects.append)
        project = await h.call(client.projects.create(_image(number_of_media=2)))
        events = await _collect(h, project)
        urls = await h.call(project.wait(10))
        assert len(urls) == 2
        _check_order(events, 2)
        assert any(c.attempt > 0 for c in reconnects), "the fault never forced a reconnect"


@pytest.mark.parametrize(
    "faults", ["drop-at-progress=50", "drop-at-progress=95", "restart-at-progress=50"]
)
def test_reconnect_delivers_every_result_once(h: Any, emulator_factory: Any, faults: str) -> None:
    with emulator_factory(faults=faults) as emu:
        h.run(_survives, emu)


async def _noisy(h: Any, emu: Any) -> None:
    async with h.client(emu) as client:
        projects = [
            await h.call(client.projects.create(_image(number_of_media=2))) for _ in range(2)
        ]
        for project in projects:
            events = await _collect(h, project)
            assert len(await h.call(project.wait(10))) == 2
            _check_order(events, 2)


@pytest.mark.parametrize(
    "faults", ["duplicate=2", "reorder=3", "malformed=4", "drop-after=25", "rest-500=2"]
)
def test_noisy_server_still_delivers_each_result_once(
    h: Any, emulator_factory: Any, faults: str
) -> None:
    with emulator_factory(faults=faults) as emu:
        h.run(_noisy, emu)


async def _replaced(h: Any, emu: Any, code: int) -> None:
    # The close lands right after the greeting: connect() or the next verb
    # raises the typed error, never a hang or a silent reconnect.
    with pytest.raises(ConnectionClosedError) as info:
        async with h.client(emu) as client:
            for _ in range(50):
                if client._closed_error is not None:
                    break
                await h.sleep(0.1)
            await h.call(client.projects.create(_image()))
    assert info.value.code == code
    assert not info.value.recoverable


@pytest.mark.parametrize("code", [4015, 4021, 4010])
def test_terminal_close_is_a_typed_error(h: Any, emulator_factory: Any, code: int) -> None:
    with emulator_factory(faults=f"close={code}") as emu:
        h.run(_replaced, emu, code)


# -- bad params, secrets -------------------------------------------------------------------


def _recorded(path: Path) -> list[dict[str, Any]]:
    return read_record(path)


async def _bad_params(h: Any, emu: Any, record: Path, tmp: Path) -> None:
    async with h.client(emu) as client:
        await h.call(client.projects.model_options(MODEL))  # catalogue cached
        await h.sleep(0.2)  # let the greeting's follow-up traffic settle
        before = len(_recorded(record))
        with pytest.raises(InvalidParamsError) as info:
            await h.call(
                client.projects.create(_image(width=99999, height=512, starting_image=_png(1)))
            )
        assert info.value.field == "width"
        with pytest.raises(InvalidParamsError) as missing:
            await h.call(client.projects.create(_image(context_images=(_png(1), tmp / "nope.png"))))
        assert missing.value.field == "context_images[1]"
        await h.sleep(0.2)
        after = _recorded(record)[before:]
        sent = [e for e in after if e["kind"] == "rest" or e.get("dir") == "in"]
        assert sent == [], "I/O before validation"
        assert any(e["kind"] == "rest" for e in _recorded(record)[:before])  # it does record
        assert client._conn.projects == {}


def test_bad_params_rejected_before_io(h: Any, emulator_factory: Any, tmp_path: Path) -> None:
    record = tmp_path / "record.jsonl"
    with emulator_factory(record=record, faults="") as emu:
        h.run(_bad_params, emu, record, tmp_path)


def test_bad_credentials_rejected_at_construction(h: Any) -> None:
    with pytest.raises(InvalidParamsError) as info:
        h.mod.SogniClient(app_id="x")
    assert info.value.field == "api_key"
    # A key that would break (or smuggle) an HTTP header line; the message
    # must not repeat it.
    for key in ("sk-live\r\nX-Injected: 1", "sk-\x00", "sk-ключ"):
        with pytest.raises(InvalidParamsError) as bad:
            h.mod.SogniClient(api_key=key)
        assert bad.value.field == "api_key"
        assert key not in str(bad.value)
        assert "sk-" not in str(bad.value)


async def _secrets(h: Any, emu: Any) -> list[str]:
    async with h.client(emu, app_id="secret-test") as client:
        project = await h.call(client.projects.create(_image(starting_image=_png(7))))
        await h.call(project.wait(10))
        return [repr(client), repr(client._rest), repr(client._driver), repr(project), str(client)]


def test_secrets_absent_from_debug_logs_and_reprs(
    h: Any, emulator_factory: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with emulator_factory() as emu:
        reprs = h.run(_secrets, emu)
    assert any("/v1/image/uploadUrl" in r.getMessage() for r in caplog.records), (
        "no DEBUG logs seen"
    )
    text = "\n".join(r.getMessage() for r in caplog.records) + "\n".join(reprs)
    assert SECRET_KEY not in text
    assert SECRET_KEY[-12:] not in text


# -- token sessions ----------------------------------------------------------------------


async def _tokens(h: Any, emu: Any, pair: dict[str, str]) -> None:
    async with h.client(
        emu, api_key=None, token=pair["token"], refresh_token=pair["refreshToken"]
    ) as client:
        # The access token expires inside the refresh leeway: the socket
        # connect already refreshed it, and REST calls use the new one.
        assert client._rest.tokens is not None
        assert client._rest.tokens.token != pair["token"]
        me = await h.call(client.account.me())
        assert me.username == "emulator-artist"
        project = await h.call(client.projects.create(_image()))
        assert len(await h.call(project.wait(10))) == 1
        text = repr(client) + repr(client._rest) + repr(client._rest.tokens)
        assert pair["token"] not in text and pair["refreshToken"] not in text


def test_token_session_refreshed_before_expiry(h: Any, emulator_factory: Any) -> None:
    with emulator_factory() as emu:
        emu.auth.access_ttl = 30  # less than the 60 s refresh leeway
        pair = emu.auth.issue_tokens(emu.auth.default_account)
        emu.auth.access_ttl = 3600
        h.run(_tokens, emu, pair)


# -- username/password login -------------------------------------------------------------


async def _login(h: Any, emu: Any) -> None:
    from eth_account import Account
    from eth_account.messages import encode_typed_data

    from sogni_core.client import (
        AUTHENTICATION_TYPES,
        authentication_message,
        eip712_domain,
        wallet_private_key,
    )

    bodies: list[tuple[bytes, bytes]] = []
    async with h.client(emu, api_key=None, username="Alice", password="hunter2-pw!") as client:
        me = await h.call(client.account.me())
        expected = Account.from_key(wallet_private_key("alice", "hunter2-pw!")).address
        assert me.wallet_address == expected
        original = client._rest.send

        def capture(request: Any, **kwargs: Any) -> Any:
            result = original(request, **kwargs)
            if not request.url.endswith(("/v1/account/login", "/v1/account/nonce")):
                return result
            if h.is_async:

                async def keep() -> Any:
                    answer = await result
                    bodies.append((request.body, answer[2]))
                    return answer

                return keep()
            bodies.append((request.body, result[2]))
            return result

        # Losing the session logs in again (no refresh token left to use).
        client._rest.send = capture
        client._rest.tokens = None
        assert (await h.call(client.account.me())).wallet_address == expected
        project = await h.call(client.projects.create(_image()))
        assert len(await h.call(project.wait(10))) == 1
    import json

    (_, nonce_answer), (login_body, _) = bodies
    nonce = json.loads(nonce_answer)["data"]["nonce"]
    sent = json.loads(login_body)
    assert sent["walletAddress"] == expected
    signable = encode_typed_data(
        domain_data=eip712_domain(),
        message_types=AUTHENTICATION_TYPES,
        message_data=authentication_message(expected, nonce),
    )
    assert Account.recover_message(signable, signature=sent["signature"]) == expected


def test_username_password_login(
    h: Any, emulator_factory: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with emulator_factory() as emu:
        h.run(_login, emu)
    assert "hunter2-pw!" not in "\n".join(r.getMessage() for r in caplog.records)


# -- liveness check (the staleness watchdog's REST probe) ----------------------------------


async def _liveness(h: Any, emu: Any) -> None:
    async with h.client(emu) as client:
        project = await h.call(client.projects.create(_image(number_of_media=2)))
        while not any(isinstance(e, ev.JobProcessing) for e in project._history):
            await h.sleep(0.02)
        outcomes: list[Any] = []
        original = client._conn.staleness_checked

        def record(project_id: str, outcome: Any, *, now: float) -> None:
            outcomes.append(outcome)
            original(project_id, outcome, now=now)

        client._conn.staleness_checked = record
        await h.call(client._driver._check_liveness(project.id))
        assert [o.name for o in outcomes] in (["ALIVE"], ["SYNCED"])
        assert len(await h.call(project.wait(10))) == 2


def test_liveness_probe_keeps_a_live_project(h: Any, emulator_factory: Any) -> None:
    with emulator_factory(faults="slow-workers=3") as emu:
        h.run(_liveness, emu)


# -- socket event subscriptions --------------------------------------------------------------


async def _subscriptions(h: Any, emu: Any) -> None:
    async with h.client(emu, socket_event_subscriptions={"modelAvailability": False}) as client:
        updates: list[ev.SubscriptionsUpdated] = []
        client.on(ev.SubscriptionsUpdated, updates.append)
        with pytest.raises(TimeoutError):
            await h.call(client.projects.wait_for_models(1.0))
        await h.call(client.set_socket_event_subscriptions({"subscriptionLimitNotice": True}))
        for _ in range(100):
            if updates and dict(updates[-1].subscriptions).get("subscriptionLimitNotice"):
                break
            await h.sleep(0.02)
        snapshot = dict(updates[-1].subscriptions)
        assert snapshot == {"modelAvailability": False, "subscriptionLimitNotice": True}
        assert client.projects.available_models == {}


def test_socket_event_subscriptions(h: Any, emulator_factory: Any) -> None:
    with emulator_factory() as emu:
        h.run(_subscriptions, emu)


# -- concurrency ------------------------------------------------------------------------------


async def _concurrent(h: Any, emu: Any, record: Path) -> None:
    async with h.client(emu) as client:
        projects = await h.gather(
            *(lambda: client.projects.create(_image(number_of_media=3)) for _ in range(6))
        )
        results = await h.gather(*(lambda p=p: p.wait(20) for p in projects))
        assert [len(r) for r in results] == [3] * 6
        assert len({u for r in results for u in r}) == 18
    fetched = [
        e["path"] for e in _recorded(record) if e["kind"] == "rest" and "models" in e["path"]
    ]
    assert fetched.count("/api/v1/models/list") == 1, fetched
    assert fetched.count("/api/v2/models/tiers") == 1, fetched


def test_concurrent_creates_share_one_catalogue_fetch(
    h: Any, emulator_factory: Any, tmp_path: Path
) -> None:
    record = tmp_path / "record.jsonl"
    with emulator_factory(record=record) as emu:
        h.run(_concurrent, emu, record)


# -- closing ----------------------------------------------------------------------------------


async def _close_while_running(h: Any, emu: Any) -> None:
    from sogni_core.client import ClientClosedError

    async with h.client(emu) as client:
        project = await h.call(client.projects.create(_image()))
    with pytest.raises(ClientClosedError):
        await h.call(project.wait(5))
    assert isinstance(project._end, ev.ProjectFailed)
    with pytest.raises(ClientClosedError):
        await h.call(client.projects.create(_image()))
    with pytest.raises(ClientClosedError):
        await h.call(client.connect())


def test_closing_the_client_ends_waiters(h: Any, emulator_factory: Any) -> None:
    with emulator_factory(faults="slow-workers=15") as emu:
        h.run(_close_while_running, emu)
