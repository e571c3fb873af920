"""Cost model: estimates (01 §5.7) and the actual charge of finished jobs.

Emulator pricing, documented in ``spec/catalogue/limits.toml``: a job costs
``render seconds x costPerRenderSecUSD x network multiplier`` where render
seconds come from the model's ``sec_per_step`` scaled by steps, pixels,
frames or duration.  Token amounts derive from USD: ``token = sogni = usd /
tokenMarkePriceUSD`` and ``spark = usd x sparkPerUSD``.  LLM jobs cost
``tokens / 1e6 x price_per_mtok_{in,out}``.

Estimates (TS 5.54.0) also carry ``benchmark`` (render seconds of one unit:
the cost model's seconds, doubled for classifier-free guidance above 1 and
for second-order samplers; no queue wait, so the total equals the render
time) and, for an active subscriber quoting Fast without token billing,
``dailyFairUse.pct`` (the project's USD over a daily capacity of
``rate.dailyFairUseUSD``, default 2 USD, to one decimal).  Estimate-only
video facts change the price: video input (Seedance band) x1.5, each
reference image +0.3 render s, reference-video seconds priced as output
frames at the job's rate.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .auth import format_amount
from .catalogue import Catalogue

__all__ = ["JobCost", "JobShape", "estimate_response", "job_cost", "llm_cost"]

#: Daily fair-use capacity in USD when ``rate.dailyFairUseUSD`` is not set.
_DAILY_FAIR_USE_USD = 2.0
#: Samplers that evaluate the model twice per step (timing only).
_SECOND_ORDER_SAMPLERS = frozenset(
    {"heun", "dpm_2", "dpm_2_ancestral", "dpmpp_sde", "dpmpp_2s_ancestral", "dpmpp_2m_sde"}
)


@dataclass(frozen=True)
class JobShape:
    """What a media job asks for, enough to price it."""

    model_id: str
    network: str = "fast"
    steps: int = 0
    previews: int = 0
    width: int = 0
    height: int = 0
    cn: bool = False
    context_images: int = 0
    frames: int = 0
    fps: float = 0.0
    duration: float = 0.0
    count: int = 1
    # Estimate-only facts (01 §5.7.1 v3 segments, §5.7.2 query; TS 5.54.0).
    guidance: float = 0.0
    sampler: str = ""
    video_input: bool = False
    reference_images: int = 0
    reference_video_seconds: float = 0.0


@dataclass(frozen=True)
class JobCost:
    """Cost of one job, as decimal amounts."""

    render_sec: Decimal
    usd: Decimal
    token: Decimal
    spark: Decimal

    def amount(self, token_type: str) -> Decimal:
        return self.spark if token_type == "spark" else self.token

    def wire(self, count: int = 1) -> dict[str, str]:
        """``costActual``-style strings for ``count`` jobs."""
        n = Decimal(count)
        return {
            "costInRenderSec": _fmt(self.render_sec * n),
            "costInUSD": _fmt(self.usd * n),
            "costInToken": _fmt(self.token * n),
            "costInSpark": _fmt(self.spark * n),
            "costInSogni": _fmt(self.token * n),
        }


def _q(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.00000001"), rounding=ROUND_HALF_UP)


def _fmt(value: Decimal) -> str:
    return format_amount(_q(value))


def _rate(catalogue: Catalogue) -> dict[str, Any]:
    return dict(catalogue.limits.get("rate", {}))


def _steps_default(catalogue: Catalogue, model_id: str) -> int:
    tier = catalogue.tier_of(model_id) or {}
    steps = tier.get("steps") or {}
    return int(steps.get("default", 1)) if isinstance(steps, dict) else 1


def job_cost(catalogue: Catalogue, shape: JobShape) -> JobCost:
    """Price one job (one image, clip or track) of a project."""
    entry = catalogue.model(shape.model_id)
    sec_per_step = entry.sec_per_step if entry is not None else 1.0
    media = entry.media if entry is not None else "image"
    steps = shape.steps or _steps_default(catalogue, shape.model_id)
    if entry is not None and entry.external:
        steps = 1
    if media == "video":
        # Reference-video input is billed as output frames at the job's rate.
        frames = (shape.frames or 81) + shape.reference_video_seconds * (shape.fps or 16.0)
        pixels = (shape.width or 832) * (shape.height or 480)
        render = sec_per_step * steps * (frames / 81.0) * (pixels / (832 * 480))
        render += 0.3 * shape.reference_images
        if shape.video_input:
            render *= 1.5
    elif media == "audio":
        render = sec_per_step * steps * ((shape.duration or 30.0) / 30.0)
    else:
        pixels = (shape.width or 1024) * (shape.height or 1024)
        render = sec_per_step * steps * (pixels / (1024 * 1024))
        render += 0.05 * shape.previews + (0.5 if shape.cn else 0.0) + 0.3 * shape.context_images
    rate = _rate(catalogue)
    multiplier = float(rate.get(f"{shape.network}CostMultiplier", 1.0))
    usd = Decimal(str(render)) * Decimal(str(rate.get("costPerRenderSecUSD", 0.0004)))
    usd *= Decimal(str(multiplier))
    token = usd / Decimal(str(rate.get("tokenMarkePriceUSD", 0.01)))
    spark = usd * Decimal(str(rate.get("sparkPerUSD", 200)))
    # Amounts are settled at 8 decimals, so the debit equals the reported cost.
    return JobCost(Decimal(str(round(render, 6))), _q(usd), _q(token), _q(spark))


def _benchmark(one: JobCost, shape: JobShape) -> dict[str, Any]:
    render = float(one.render_sec)
    if shape.guidance > 1:
        render *= 2.0  # classifier-free guidance: a conditional and an unconditional pass
    if shape.sampler in _SECOND_ORDER_SAMPLERS:
        render *= 2.0
    render = round(render, 3)
    return {
        "estimatedRenderTimeSec": render,
        "medianRenderTimeSec": render,
        "sampleCount": 20,
        "confidence": 0.9,
        "estimatedWaitTimeSec": 0,
        "estimatedTotalTimeSec": render,
    }


def estimate_response(
    catalogue: Catalogue, shape: JobShape, *, fair_use: bool = False
) -> dict[str, Any]:
    """The ``EstimationResponse`` of the estimate endpoints (01 §5.7, TS 5.54.0).

    Args:
        catalogue: models and rates.
        shape: what is quoted.
        fair_use: the caller is a subscriber whose plan covers the project
            (active plan, Fast, not token billing): add ``dailyFairUse``.
    """
    one = job_cost(catalogue, shape)
    entry = catalogue.model(shape.model_id)
    rate = _rate(catalogue)
    steps = shape.steps or _steps_default(catalogue, shape.model_id)
    project = one.wire(shape.count)
    project["calculatedStepCount"] = str(steps * shape.count)
    job = one.wire(1)
    job["calculatedStepCount"] = str(steps)
    body: dict[str, Any] = {
        "request": {
            "model": shape.model_id,
            "name": entry.name if entry is not None else shape.model_id,
            "imageCount": shape.count,
            "stepCount": steps,
            "previewCount": shape.previews,
            "cnEnabled": shape.cn,
            "denoiseStrength": 0,
            "time": int(time.time() * 1000),
        },
        "rate": {
            "costPerBaseHQRenderInUSD": str(rate.get("costPerBaseHQRenderInUSD", 0)),
            "tokenMarkePriceUSD": str(rate.get("tokenMarkePriceUSD", 0)),
            "costPerRenderSecUSD": str(rate.get("costPerRenderSecUSD", 0)),
            "costPerRenderSecToken": _fmt(
                Decimal(str(rate.get("costPerRenderSecUSD", 0)))
                / Decimal(str(rate.get("tokenMarkePriceUSD", 1)))
            ),
            "network": shape.network,
            "networkCostMultiplier": str(rate.get(f"{shape.network}CostMultiplier", 1)),
        },
        "quote": {
            "model": {
                "weight": "1",
                "secPerStep": str(entry.sec_per_step if entry is not None else 1.0),
                "secPerPreview": "0.05",
                "secForCN": "0.5",
            },
            "job": job,
            "project": project,
        },
        "benchmark": _benchmark(one, shape),
    }
    if fair_use:
        capacity = float(rate.get("dailyFairUseUSD", _DAILY_FAIR_USE_USD))
        pct = float(one.usd) * shape.count / capacity * 100
        body["dailyFairUse"] = {"pct": math.floor(pct * 10 + 0.5) / 10}
    return body


def llm_cost(
    catalogue: Catalogue, model_id: str, input_tokens: int, output_tokens: int
) -> dict[str, Any]:
    """LLM cost in the ``LLMJobCost`` / estimate-quote shape (02 §2.7, §2.12), as numbers."""
    info = catalogue.llm_models.get(model_id, {})
    usd = (
        input_tokens * float(info.get("price_per_mtok_in", 0.1))
        + output_tokens * float(info.get("price_per_mtok_out", 0.4))
    ) / 1_000_000
    rate = _rate(catalogue)
    token = usd / float(rate.get("tokenMarkePriceUSD", 0.01))
    spark = usd * float(rate.get("sparkPerUSD", 200))

    def r(x: float) -> float:
        return math.floor(x * 1e8 + 0.5) / 1e8

    return {
        "costInUSD": r(usd),
        "costInSogni": r(token),
        "costInSpark": r(spark),
        "costInToken": r(token),
        "inputTokens": input_tokens,
        "outputTokens": output_tokens,
    }
