"""The emulator's estimate endpoints (01 §5.7; the TS 5.54.0 query params and body parts).

The v3 image path and its guidance/sampler/context segments, the video query
(video input, reference counts, source size, network, billingMode), the audio
query, ``benchmark`` always and ``dailyFairUse`` only for a covered subscriber,
and a 400 for every malformed segment or query value.
"""

from __future__ import annotations

from typing import Any

import pytest

from .wsclient import http_json

IMAGE = "/api/v{v}/job/estimate/spark/{net}/z_image_turbo_bf16/1/8/0/0/0/1024/1024"
VIDEO = "/api/v1/job-video/estimate/spark/wan_v2.2-14b-fp8_t2v_lightx2v/832/480/81/16"
AUDIO = "/api/v1/job-audio/estimate/spark/ace_step_1.5_xl_turbo/30/8/1"


def _get(emu: Any, path: str, *, auth: bool = True) -> tuple[int, Any]:
    headers = {"api-key": emu.api_key} if auth else {}
    return http_json(emu.rest_url, "GET", path, headers=headers)


def _usd(body: Any) -> float:
    return float(body["quote"]["project"]["costInUSD"])


def _render(body: Any) -> float:
    return float(body["benchmark"]["estimatedRenderTimeSec"])


def test_v3_segments_shape_the_benchmark(emu: Any) -> None:
    base = IMAGE.format(v=3, net="fast")
    status, plain = _get(emu, base + "/0/_/0")
    assert status == 200
    bench = plain["benchmark"]
    assert bench["estimatedTotalTimeSec"] == bench["estimatedRenderTimeSec"] > 0
    assert "dailyFairUse" not in plain  # no plan
    _, guided = _get(emu, base + "/3.5/_/0")
    assert _render(guided) == pytest.approx(2 * _render(plain))
    assert _usd(guided) == _usd(plain)  # guidance is timing, not price
    _, second_order = _get(emu, base + "/0/heun/0")
    assert _render(second_order) == pytest.approx(2 * _render(plain))
    _, context = _get(emu, base + "/0/_/2")
    assert _usd(context) > _usd(plain)
    _, v2 = _get(emu, IMAGE.format(v=2, net="fast"))
    assert _usd(v2) == _usd(plain)


def test_image_billing_mode_query(emu: Any) -> None:
    assert _get(emu, IMAGE.format(v=2, net="fast") + "?billingMode=tokens")[0] == 200
    assert _get(emu, IMAGE.format(v=2, net="fast") + "?billingMode=free")[0] == 400


def test_video_query_changes_the_price(emu: Any) -> None:
    _, plain = _get(emu, VIDEO)
    _, video_input = _get(emu, VIDEO + "?hasVideoInput=1")
    assert _usd(video_input) == pytest.approx(1.5 * _usd(plain), rel=1e-3)
    _, images = _get(emu, VIDEO + "?referenceImageCount=2")
    assert _usd(images) > _usd(plain)
    _, ref_video = _get(emu, VIDEO + "?referenceVideoCount=1&referenceVideoDurationSeconds=5")
    assert _usd(ref_video) > _usd(plain)
    _, relaxed = _get(emu, VIDEO + "?network=relaxed")
    assert _usd(relaxed) < _usd(plain)
    assert relaxed["rate"]["network"] == "relaxed"
    status, _ = _get(emu, VIDEO + "?sourceWidth=960&sourceHeight=540&billingMode=auto")
    assert status == 200


def test_audio_network_query(emu: Any) -> None:
    _, fast = _get(emu, AUDIO)
    _, relaxed = _get(emu, AUDIO + "?network=relaxed&billingMode=subscription")
    assert _usd(relaxed) < _usd(fast)
    assert "benchmark" in relaxed


def test_daily_fair_use_only_for_a_covered_subscriber(emu: Any) -> None:
    emu.set_subscription("unlimited")
    _, covered = _get(emu, VIDEO)
    assert covered["dailyFairUse"]["pct"] >= 0
    # a pct to one decimal
    assert round(covered["dailyFairUse"]["pct"], 1) == covered["dailyFairUse"]["pct"]
    for path in (
        VIDEO + "?billingMode=tokens",
        VIDEO + "?network=relaxed",
        IMAGE.format(v=2, net="relaxed"),
        AUDIO + "?network=relaxed",
    ):
        status, body = _get(emu, path)
        assert status == 200 and "dailyFairUse" not in body, path
    assert "dailyFairUse" in _get(emu, AUDIO)[1]
    assert "dailyFairUse" not in _get(emu, VIDEO, auth=False)[1]  # a guest
    emu.set_subscription("unlimited", status="expired")
    assert "dailyFairUse" not in _get(emu, VIDEO)[1]


@pytest.mark.parametrize(
    "path",
    [
        IMAGE.format(v=3, net="fast"),  # v3 without its three segments
        IMAGE.format(v=3, net="fast") + "/x/_/0",
        IMAGE.format(v=3, net="fast") + "/0/_/-1",
        IMAGE.format(v=3, net="fast") + "/0/_/1.5",
        VIDEO + "?network=slow",
        VIDEO + "?hasVideoInput=maybe",
        VIDEO + "?referenceImageCount=-1",
        VIDEO + "?referenceVideoCount=x",
        VIDEO + "?referenceVideoDurationSeconds=-2",
        VIDEO + "?referenceVideoDurationSeconds=inf",
        VIDEO + "?sourceWidth=960",
        VIDEO + "?sourceWidth=0&sourceHeight=540",
        VIDEO + "?billingMode=free",
        AUDIO + "?network=slow",
        AUDIO + "?billingMode=free",
    ],
)
def test_malformed_estimates_answer_400(emu: Any, path: str) -> None:
    assert _get(emu, path)[0] == 400
