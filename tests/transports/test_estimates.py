"""Cost estimates over every transport (asyncio, trio both sockets, blocking).

``client.projects.estimate_cost`` / ``estimate_enhancement_cost`` return the
core's typed :class:`~sogni_core.protocol.rest.CostEstimate`; the emulator's
``--record`` log shows the exact path and query each one sent (the core's
builder decides them, tests/protocol/test_estimate.py checks its rules and
tests/parity/test_estimate_parity.py compares them with the official TS SDK).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from sogni_core.protocol._errors import InvalidParamsError
from sogni_core.protocol.jobrequest import (
    AudioProjectParams,
    ImageProjectParams,
    VideoProjectParams,
)
from sogni_core.protocol.rest import CostEstimate, VideoEstimateOptions
from tests._fixtures import read_record

MODEL = "flux1-schnell-fp8"
VIDEO_MODEL = "wan_v2.2-14b-fp8_t2v_lightx2v"
AUDIO_MODEL = "ace_step_1.5_xl_turbo"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 32


def _image(**kwargs: Any) -> ImageProjectParams:
    kwargs.setdefault("model_id", MODEL)
    kwargs.setdefault("positive_prompt", "a lighthouse at dusk")
    kwargs.setdefault("steps", 4)
    return ImageProjectParams(**kwargs)


def _estimates_sent(record: Path, since: int) -> list[dict[str, Any]]:
    return [
        e for e in read_record(record)[since:] if e["kind"] == "rest" and "/estimate/" in e["path"]
    ]


async def _one(h: Any, record: Path, call: Any) -> tuple[CostEstimate, dict[str, Any]]:
    # ``call`` is a thunk: the blocking transport runs the request when it is called.
    before = len(read_record(record))
    estimate = await h.call(call())
    assert type(estimate) is CostEstimate
    for amount in (estimate.token, estimate.usd, estimate.spark, estimate.sogni):
        assert isinstance(amount, Decimal) and amount > 0
    sent = _estimates_sent(record, before)
    assert len(sent) == 1, sent
    assert sent[0]["status"] == 200
    return estimate, sent[0]


async def _estimates(h: Any, emu: Any, record: Path) -> None:
    async with h.client(emu) as client:
        # image v2, explicit size
        v2, sent = await _one(
            h, record, lambda: client.projects.estimate_cost(_image(width=512, height=768))
        )
        assert sent["path"] == f"/api/v2/job/estimate/spark/fast/{MODEL}/1/4/0/0/0/512/768"
        assert sent["query"] == {}
        assert v2.estimated_render_seconds is not None and v2.estimated_render_seconds > 0
        assert v2.estimated_total_seconds == v2.estimated_render_seconds
        assert v2.daily_fair_use_pct is None  # no plan
        # the amounts are the server's decimal strings, digit for digit
        assert str(v2.spark) == sent["response"]["quote"]["project"]["costInSpark"]

        # image v3: a size preset, a sampler, guidance and context images
        presets = await h.call(client.projects.size_presets(MODEL))
        preset = next(p for p in presets if p.id == "square_hd")
        sampler = (await h.call(client.projects.model_options(MODEL))).sampler.allowed[0]
        v3, sent = await _one(
            h,
            record,
            lambda: client.projects.estimate_cost(
                _image(
                    size_preset="square_hd",
                    sampler=sampler,
                    guidance=3.5,
                    context_images=(PNG, PNG),
                    number_of_media=2,
                    starting_image_strength=0.35,
                    token_type="sogni",
                    billing_mode="tokens",
                )
            ),
        )
        assert sent["path"] == (
            f"/api/v3/job/estimate/sogni/fast/{MODEL}/2/4/0/0/0.65/"
            f"{preset.width}/{preset.height}/3.5/{sampler}/2"
        )
        assert sent["query"] == {"billingMode": "tokens"}
        # guidance doubles the emulator's benchmarked render time
        assert v3.estimated_render_seconds is not None and v2.estimated_render_seconds
        assert v3.estimated_render_seconds > v2.estimated_render_seconds

        # video: steps and count segments, video input and a reference count in the query
        video = VideoProjectParams(
            model_id=VIDEO_MODEL, width=640, height=640, duration=2, fps=16, steps=4
        )
        plain, sent = await _one(h, record, lambda: client.projects.estimate_cost(video))
        assert sent["path"] == f"/api/v1/job-video/estimate/spark/{VIDEO_MODEL}/640/640/33/16/4/1"
        assert sent["query"] == {"network": "fast"}
        with_input, sent = await _one(
            h,
            record,
            lambda: client.projects.estimate_cost(
                VideoProjectParams(
                    model_id=VIDEO_MODEL,
                    width=640,
                    height=640,
                    duration=2,
                    fps=16,
                    reference_video_urls=("https://example.invalid/v.mp4",),
                ),
                video_options=VideoEstimateOptions(reference_image_count=2),
            ),
        )
        assert sent["path"] == f"/api/v1/job-video/estimate/spark/{VIDEO_MODEL}/640/640/33/16"
        assert sent["query"] == {
            "hasVideoInput": "1",
            "referenceImageCount": "2",
            "network": "fast",
        }
        assert with_input.usd > plain.usd

        # audio, and the enhancement estimate
        audio, sent = await _one(
            h,
            record,
            lambda: client.projects.estimate_cost(
                AudioProjectParams(model_id=AUDIO_MODEL, duration=30, steps=8, number_of_media=2)
            ),
        )
        assert sent["path"] == f"/api/v1/job-audio/estimate/spark/{AUDIO_MODEL}/30/8/2"
        assert sent["query"] == {"network": "fast"}
        _, sent = await _one(h, record, lambda: client.projects.estimate_enhancement_cost("heavy"))
        assert sent["path"] == f"/api/v2/job/estimate/spark/fast/{MODEL}/1/5/0/0/0.51/0/0"

        # an unpinned project is quoted on the connection's network
        assert await h.call(client.switch_network("relaxed")) == "relaxed"
        relaxed, sent = await _one(h, record, lambda: client.projects.estimate_cost(video))
        assert sent["query"] == {"network": "relaxed"}
        assert relaxed.usd < plain.usd


def test_typed_estimates(h: Any, emulator_factory: Any, tmp_path: Path) -> None:
    record = tmp_path / "record.jsonl"
    with emulator_factory(record=record) as emu:
        h.run(_estimates, emu, record)


async def _fair_use(h: Any, emu: Any, record: Path) -> None:
    async with h.client(emu) as client:
        covered, _ = await _one(
            h, record, lambda: client.projects.estimate_cost(_image(width=1024, height=1024))
        )
        assert covered.daily_fair_use_pct is not None and covered.daily_fair_use_pct >= 0
        tokens, sent = await _one(
            h, record, lambda: client.projects.estimate_cost(_image(billing_mode="tokens"))
        )
        assert sent["query"] == {"billingMode": "tokens"}
        assert tokens.daily_fair_use_pct is None


def test_daily_fair_use_for_a_subscriber(h: Any, emulator_factory: Any, tmp_path: Path) -> None:
    record = tmp_path / "record.jsonl"
    with emulator_factory(record=record) as emu:
        emu.set_subscription("unlimited")
        h.run(_fair_use, emu, record)


async def _bad_estimates(h: Any, emu: Any, record: Path) -> None:
    async with h.client(emu) as client:
        await h.sleep(0.2)  # let the greeting's follow-up traffic settle
        before = len(read_record(record))
        for call, field in (
            (lambda: client.projects.estimate_cost(_image(steps=-1)), "steps"),
            (lambda: client.projects.estimate_cost(_image(token_type="gold")), "token_type"),
            (
                lambda: client.projects.estimate_cost(
                    VideoProjectParams(model_id=VIDEO_MODEL, width=640, height=640, fps=16)
                ),
                "duration",
            ),
            (
                lambda: client.projects.estimate_cost(
                    AudioProjectParams(model_id=AUDIO_MODEL, duration=30),
                    video_options=VideoEstimateOptions(reference_video_count=1),
                ),
                "video_options",
            ),
            (lambda: client.projects.estimate_enhancement_cost("extreme"), "strength"),
            # a bad count is caught before the preset look-up
            (
                lambda: client.projects.estimate_cost(
                    _image(size_preset="square_hd", number_of_media=0)
                ),
                "number_of_media",
            ),
        ):
            with pytest.raises(InvalidParamsError) as info:
                await h.call(call())
            assert info.value.field == field
        assert [e for e in read_record(record)[before:] if e["kind"] == "rest"] == []
        # an unknown preset id needs the look-up, and then sends no estimate
        with pytest.raises(InvalidParamsError) as info:
            await h.call(client.projects.estimate_cost(_image(size_preset="no_such_preset")))
        assert info.value.field == "size_preset"
        sent = [e["path"] for e in read_record(record)[before:] if e["kind"] == "rest"]
        assert sent == [f"/api/v1/size-presets/network/fast/model/{MODEL}"]


def test_bad_estimate_params_are_rejected_before_io(
    h: Any, emulator_factory: Any, tmp_path: Path
) -> None:
    record = tmp_path / "record.jsonl"
    with emulator_factory(record=record) as emu:
        h.run(_bad_estimates, emu, record)
