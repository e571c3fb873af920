"""Cost estimates of image, video and audio projects, sans-IO (01 §5.7; TS SDK 5.54.0).

The official SDK quotes a project with plain GETs on the socket host
(``estimateCost``, ``estimateEnhancementCost``, ``estimateVideoCost``,
``estimateAudioCost``). Here the same decisions are data: project params in,
an :class:`EstimateCall` (spec endpoint name, path segments already in
JavaScript number text, query pairs in the SDK's order) out; the parsed
:class:`~sogni_core.protocol._generated.rest.EstimationResponse` in, a typed
:class:`CostEstimate` out. A transport does::

    inputs = estimate_inputs(params, network=connection_network)   # checks, no I/O
    presets = await size_presets(...) if inputs.size_presets else None
    options = await model_options(...) if inputs.model_options else None
    call = build_estimate(params, network=connection_network,
                          size_presets=presets, model_options=options)
    response = await rest.call(call.endpoint, path_params=call.path_params, query=call.query)
    estimate = parse_cost_estimate(response)

Image (01 §5.7.1, TS ``estimateCost``): segments ``tokenType`` (default
``spark``), ``network``, ``model``, ``imageCount``, ``stepCount``,
``previewCount``, ``cnEnabled`` (1/0), the denoise amount ``1 -
startingImageStrength`` (``0`` when the strength is falsy), then width and
height from the size preset, else the explicit size, else ``0/0``. When a
sampler is given or context images are counted the v3 endpoint adds
``guidance`` (or 0), the validated sampler (or ``_``) and the context-image
count. Query: ``gptImageQuality``, ``outputFormat``, ``billingMode``.

Video (01 §5.7.2, TS ``estimateVideoCost``): ``tokenType``, ``model``,
``width``, ``height``, ``frames`` (explicit, else computed from the duration
and frame rate by the job builder's own
:func:`~sogni_core.protocol.jobrequest.calculate_video_frames`), ``fps``; then
``steps`` and ``numberOfMedia`` when steps are given, else ``0`` and the
count when it is not 1. Query, in order: ``sourceWidth``/``sourceHeight``
(as a pair), ``hasVideoInput=1`` (a reference video or reference-video URL,
or asked for), ``referenceImageCount``, ``referenceVideoCount``,
``referenceVideoDurationSeconds``, ``network``, ``billingMode``.

Audio (01 §5.7.3, TS ``estimateAudioCost``): ``tokenType``, ``model``,
``duration``, ``steps``, ``numberOfMedia``; query ``network``, ``billingMode``.

Where project params and the SDK's estimate requests differ, the choice made:

* ``network``: the project's pinned network, else the connection's (the job
  renders there); the TS image estimate defaults to ``fast`` instead.
* ``steps``/``number_of_previews`` unset: ``0`` (the server's model default;
  the TS video estimate sends ``0`` the same way). ``number_of_media`` unset: 1.
* ``size_preset="custom"`` is the job builder's "explicit width/height", so it
  is not looked up.
* A sampler the model has no choices for: ``_`` (the TS SDK pushes ``null``,
  an empty path segment).
* Video estimate-only facts (FlashVSR source size, reference counts) are not
  project params: pass them as :class:`VideoEstimateOptions`.

Every rule is checked before any I/O; a break raises
:class:`~sogni_core.protocol.InvalidParamsError` naming the field.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Final

import msgspec

from sogni_core.protocol._errors import RemoteProtocolError
from sogni_core.protocol.jobrequest._media import is_given
from sogni_core.protocol.jobrequest._numbers import js_number_str
from sogni_core.protocol.jobrequest._params import (
    AudioProjectParams,
    ImageProjectParams,
    ProjectParams,
    VideoProjectParams,
)
from sogni_core.protocol.jobrequest._validate import invalid, js_truthy, validate_choice

if TYPE_CHECKING:
    from sogni_core.protocol._generated.rest import EstimationResponse, SizePreset
    from sogni_core.protocol.jobrequest._options import ModelOptions

__all__ = [
    "CostEstimate",
    "EstimateCall",
    "EstimateInputs",
    "VideoEstimateOptions",
    "build_enhancement_estimate",
    "build_estimate",
    "estimate_inputs",
    "parse_cost_estimate",
]

# TS TokenType, SupernetType and BillingMode (spec/enums.toml).
_TOKEN_TYPES: Final = ("sogni", "spark")
_NETWORKS: Final = ("fast", "relaxed")
_BILLING_MODES: Final = ("auto", "subscription", "tokens")
# Characters a raw (not URI-encoded) image-estimate segment cannot carry.
_RAW_UNSAFE: Final = frozenset("/?#%")


class VideoEstimateOptions(msgspec.Struct, frozen=True, kw_only=True):
    """Estimate-only facts of a video project that its params do not carry (TS 5.54.0).

    Attributes:
        source_width: FlashVSR source width, sent with ``source_height`` as a pair.
        source_height: FlashVSR source height.
        has_video_input: price with the Seedance video-input band even without a
            reference video in the params (``hasVideoInput=1``).
        reference_image_count: image references the job will submit.
        reference_video_count: reference videos of a MiniMax H3 r2v job.
        reference_video_duration_seconds: their combined duration, in seconds.
    """

    source_width: float | None = None
    source_height: float | None = None
    has_video_input: bool = False
    reference_image_count: int | None = None
    reference_video_count: int | None = None
    reference_video_duration_seconds: float | None = None


class EstimateInputs(msgspec.Struct, frozen=True, kw_only=True):
    """What :func:`build_estimate` needs fetched for one project.

    Attributes:
        network: the network the estimate quotes (also the size-preset lookup's).
        size_presets: the model's size presets on ``network`` are needed.
        model_options: the model's options are needed (a sampler to validate).
    """

    network: str
    size_presets: bool = False
    model_options: bool = False


class EstimateCall(msgspec.Struct, frozen=True, kw_only=True):
    """One estimate request as data: a ``spec/rest.toml`` endpoint and its values.

    Attributes:
        endpoint: ``image_estimate_v2``, ``image_estimate_v3``, ``video_estimate``,
            ``video_estimate_steps`` or ``audio_estimate``.
        path_params: placeholder -> segment text (JavaScript number formatting).
        query: ``(key, value)`` pairs in the SDK's order (absent ones left out).
    """

    endpoint: str
    path_params: dict[str, str]
    query: tuple[tuple[str, str], ...] = ()


class CostEstimate(msgspec.Struct, frozen=True, kw_only=True):
    """The price of a project, as the TS SDK's ``CostEstimation`` reports it.

    Amounts are :class:`~decimal.Decimal` built from the server's decimal
    strings (``quote.project``; JSON numbers from their shortest text), so no
    digit is lost to binary floats: ``format(estimate.spark, "f")`` is the text
    the server sent (``str()`` may switch to exponent form, ``1E-7``). The TS
    SDK returns the strings themselves.

    Attributes:
        token: cost in the project's token type (``costInToken``).
        usd: cost in US dollars (``costInUSD``).
        spark: cost in Spark points (``costInSpark``).
        sogni: cost in SOGNI tokens (``costInSogni``).
        estimated_render_seconds: live-benchmarked render seconds of one unit
            of work (``benchmark.estimatedRenderTimeSec``); ``None`` when the
            server has no samples for these settings yet.
        estimated_total_seconds: render seconds plus the average queue wait
            (``benchmark.estimatedTotalTimeSec``), when known.
        daily_fair_use_pct: percent of the subscriber's daily fair-use capacity
            the project would draw (``dailyFairUse.pct``); ``None`` for guests,
            token billing, Relaxed and projects the plan does not cover.
    """

    token: Decimal
    usd: Decimal
    spark: Decimal
    sogni: Decimal
    estimated_render_seconds: float | None = None
    estimated_total_seconds: float | None = None
    daily_fair_use_pct: float | None = None


# ---------------------------------------------------------------------------------------------
# checks


def _num(
    value: float,
    field: str,
    *,
    minimum: float | None = 0.0,
    positive: bool = False,
    integer: bool = False,
) -> str:
    """JS text of a finite number >= ``minimum`` (> 0 when ``positive``; whole when ``integer``)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise invalid(field, f"must be a number, got {type(value).__name__}")
    if not math.isfinite(value):
        raise invalid(field, f"must be a finite number, got {js_number_str(value)}")
    if positive and value <= 0:
        raise invalid(field, f"must be greater than 0, got {js_number_str(value)}")
    if minimum is not None and value < minimum:
        raise invalid(
            field, f"must be greater or equal {js_number_str(minimum)}, got {js_number_str(value)}"
        )
    if integer and not float(value).is_integer():
        raise invalid(field, f"must be a whole number, got {js_number_str(value)}")
    return js_number_str(value)


def _choice(value: str | None, field: str, allowed: tuple[str, ...]) -> str | None:
    if value is None:
        return None
    if value not in allowed:
        raise invalid(field, f"must be one of {', '.join(allowed)}, got {value!r}")
    return value


def _model(p: ProjectParams, *, raw: bool) -> str:
    model = p.model_id
    if not isinstance(model, str) or not model:
        raise invalid("model_id", "must be a non-empty model id")
    if raw and _RAW_UNSAFE.intersection(model):
        raise invalid("model_id", "must not contain '/', '?', '#' or '%' (a raw path segment)")
    return model


def _common(p: ProjectParams, network: str | None) -> tuple[str, str, str | None]:
    """Token type, network and billing mode of any estimate."""
    token = _choice(p.token_type, "token_type", _TOKEN_TYPES) or "spark"
    net = _choice(p.network, "network", _NETWORKS) or _choice(network, "network", _NETWORKS)
    billing = _choice(p.billing_mode, "billing_mode", _BILLING_MODES)
    return token, net or "fast", billing


def _count(p: ProjectParams) -> str:
    count = p.number_of_media
    return "1" if count is None else _num(count, "number_of_media", minimum=1, integer=True)


# ---------------------------------------------------------------------------------------------
# builders


def estimate_inputs(
    params: ProjectParams,
    *,
    network: str | None,
    video_options: VideoEstimateOptions | None = None,
) -> EstimateInputs:
    """Check ``params`` and say which look-ups :func:`build_estimate` needs.

    Every rule that needs no look-up is checked here, so a transport can call
    this before any request and fetch only what is needed.

    Args:
        params: the project parameters.
        network: the connection's network (``None`` before the server named one).
        video_options: estimate-only facts of a video project.

    Returns:
        The quoted network and whether size presets / model options are needed
        (image projects only: a size preset other than ``custom``; a sampler).

    Raises:
        InvalidParamsError: what :func:`build_estimate` raises, except an
            unknown size preset or sampler (those need the look-ups).
    """
    _dispatch(params, network, None, None, video_options, lookups=False)
    _, net, _ = _common(params, network)
    if not isinstance(params, ImageProjectParams):
        return EstimateInputs(network=net)
    return EstimateInputs(
        network=net,
        size_presets=_preset_id(params) is not None,
        model_options=bool(params.sampler),
    )


def _check_type(params: object) -> None:
    if not isinstance(params, (ImageProjectParams, VideoProjectParams, AudioProjectParams)):
        raise invalid("params", "must be Image/Video/AudioProjectParams")


def _preset_id(p: ImageProjectParams) -> str | None:
    preset = p.size_preset
    return preset if preset and preset != "custom" else None


def build_estimate(
    params: ProjectParams,
    *,
    network: str | None,
    size_presets: Iterable[SizePreset] | None = None,
    model_options: ModelOptions | None = None,
    video_options: VideoEstimateOptions | None = None,
) -> EstimateCall:
    """Turn project params into the estimate request the TS SDK 5.54.0 sends.

    Args:
        params: an image, video or audio project.
        network: the connection's network, quoted when the project pins none.
        size_presets: the model's size presets on the quoted network; needed
            when :func:`estimate_inputs` says so.
        model_options: the model's options (for the sampler); needed when
            :func:`estimate_inputs` says so.
        video_options: estimate-only facts of a video project.

    Returns:
        The :class:`EstimateCall`.

    Raises:
        InvalidParamsError: a parameter breaks a rule (``field`` names it): an
            unknown size preset (``size_preset``), a sampler the model does not
            offer (``sampler``), a negative, fractional or non-finite count, a
            video without width/height or without frames/duration, an audio
            project without duration, an unknown token type, network or
            billing mode; or a needed look-up was not passed.
    """
    return _dispatch(params, network, size_presets, model_options, video_options, lookups=True)


def _dispatch(
    params: ProjectParams,
    network: str | None,
    size_presets: Iterable[SizePreset] | None,
    model_options: ModelOptions | None,
    video_options: VideoEstimateOptions | None,
    *,
    lookups: bool,
) -> EstimateCall:
    _check_type(params)
    if video_options is not None and not isinstance(params, VideoProjectParams):
        raise invalid("video_options", "only video projects take video estimate options")
    if isinstance(params, ImageProjectParams):
        return _image(params, network, size_presets, model_options, lookups=lookups)
    if isinstance(params, VideoProjectParams):
        return _video(params, network, video_options or VideoEstimateOptions())
    assert isinstance(params, AudioProjectParams)
    return _audio(params, network)


def _image(
    p: ImageProjectParams,
    network: str | None,
    size_presets: Iterable[SizePreset] | None,
    model_options: ModelOptions | None,
    *,
    lookups: bool = True,
) -> EstimateCall:
    # lookups=False (estimate_inputs): check everything else, leave preset and sampler.
    token, net, billing = _common(p, network)
    model = _model(p, raw=True)
    strength = p.starting_image_strength
    if strength is not None:
        _num(strength, "starting_image_strength")
    path = {
        "tokenType": token,
        "network": net,
        "model": model,
        "imageCount": _count(p),
        "stepCount": "0" if p.steps is None else _num(p.steps, "steps"),
        "previewCount": (
            "0"
            if p.number_of_previews is None
            else _num(p.number_of_previews, "number_of_previews", integer=True)
        ),
        "cnEnabled": "1" if p.control_net is not None else "0",
        # 01 §5.7.1 segment 8: the denoise amount, 0 for a falsy strength.
        "denoiseStrength": js_number_str(1 - strength)
        if strength is not None and js_truthy(strength)
        else "0",
    }
    preset_id = _preset_id(p)
    if preset_id is not None and not lookups:
        path["width"], path["height"] = "0", "0"
    elif preset_id is not None:
        if size_presets is None:
            raise invalid("size_presets", "the model's size presets are needed for size_preset")
        preset = next((s for s in size_presets if s.id == preset_id), None)
        if preset is None:
            raise invalid("size_preset", f"Invalid size preset {preset_id!r}")
        path["width"], path["height"] = js_number_str(preset.width), js_number_str(preset.height)
    elif js_truthy(p.width) and js_truthy(p.height):
        assert p.width is not None and p.height is not None
        path["width"], path["height"] = _num(p.width, "width"), _num(p.height, "height")
    else:
        # One falsy side sends 0/0 (as the SDK), but a given value must still be a number.
        for field, value in (("width", p.width), ("height", p.height)):
            if value is not None:
                _num(value, field)
        path["width"], path["height"] = "0", "0"
    endpoint = "image_estimate_v2"
    if p.sampler or p.context_images is not None:
        endpoint = "image_estimate_v3"
        guidance = p.guidance
        text = "0" if guidance is None else _num(guidance, "guidance", minimum=None)
        path["guidance"] = text if js_truthy(guidance) else "0"
        sampler = None
        if p.sampler and lookups:
            if model_options is None:
                raise invalid("model_options", "the model's options are needed for sampler")
            sampler = validate_choice(p.sampler, "sampler", model_options)
        if sampler is not None and _RAW_UNSAFE.intersection(sampler):
            raise invalid("sampler", "must not contain '/', '?', '#' or '%'")
        path["sampler"] = sampler or "_"
        path["contextImages"] = str(len(p.context_images or ()))
    query = [
        (key, value)
        for key, value in (
            ("gptImageQuality", p.gpt_image_quality),
            ("outputFormat", p.output_format),
            ("billingMode", billing),
        )
        if value
    ]
    return EstimateCall(endpoint=endpoint, path_params=path, query=tuple(query))


def _video_fps(p: VideoProjectParams) -> float:
    """The job builder's frame rate (01 §4.5.5): given, else 30 for Wan 3, else 24."""
    from sogni_core.protocol._generated import jobrequest as T
    from sogni_core.protocol.jobrequest import _families as F

    if p.fps is not None:
        return p.fps
    return float(T.WAN3_FPS if F.wan3_model(p.model_id) else T.VIDEO_DEFAULT_FPS)


def _video(p: VideoProjectParams, network: str | None, o: VideoEstimateOptions) -> EstimateCall:
    from sogni_core.protocol.jobrequest._families import calculate_video_frames
    from sogni_core.protocol.jobrequest._video_refs import reference_urls

    token, net, billing = _common(p, network)
    model = _model(p, raw=False)
    if p.width is None or p.height is None:
        raise invalid("width" if p.width is None else "height", "a video estimate needs a size")
    fps = _video_fps(p)
    fps_text = _num(fps, "fps", positive=True)
    if p.frames is not None and js_truthy(p.frames):
        frames = _num(p.frames, "frames", minimum=1, integer=True)
    elif p.duration is not None:
        _num(p.duration, "duration", positive=True)
        frames = js_number_str(calculate_video_frames(model, p.duration, fps))
    else:
        raise invalid("duration", "a video estimate needs frames or duration")
    path = {
        "tokenType": token,
        "model": model,
        "width": _num(p.width, "width", minimum=1),
        "height": _num(p.height, "height", minimum=1),
        "frames": frames,
        "fps": fps_text,
    }
    count = _count(p)
    endpoint = "video_estimate"
    if p.steps is not None:
        endpoint = "video_estimate_steps"
        path["steps"], path["numberOfMedia"] = _num(p.steps, "steps"), count
    elif count != "1":
        endpoint = "video_estimate_steps"
        path["steps"], path["numberOfMedia"] = "0", count
    query: list[tuple[str, str]] = []
    if (o.source_width is None) != (o.source_height is None):
        field = "source_height" if o.source_height is None else "source_width"
        raise invalid(f"video_options.{field}", "source_width and source_height go together")
    if o.source_width is not None and o.source_height is not None:
        query.append(("sourceWidth", _num(o.source_width, "video_options.source_width")))
        query.append(("sourceHeight", _num(o.source_height, "video_options.source_height")))
    if (
        o.has_video_input
        or is_given(p.reference_video)
        or bool(reference_urls(p.reference_video_urls))
    ):
        query.append(("hasVideoInput", "1"))
    for key, field, value, integer in (
        ("referenceImageCount", "reference_image_count", o.reference_image_count, True),
        ("referenceVideoCount", "reference_video_count", o.reference_video_count, True),
        (
            "referenceVideoDurationSeconds",
            "reference_video_duration_seconds",
            o.reference_video_duration_seconds,
            False,
        ),
    ):
        if value is not None:
            query.append((key, _num(value, f"video_options.{field}", integer=integer)))
    query.append(("network", net))
    if billing:
        query.append(("billingMode", billing))
    return EstimateCall(endpoint=endpoint, path_params=path, query=tuple(query))


def _audio(p: AudioProjectParams, network: str | None) -> EstimateCall:
    token, net, billing = _common(p, network)
    model = _model(p, raw=False)
    if p.duration is None:
        raise invalid("duration", "an audio estimate needs a duration")
    path = {
        "tokenType": token,
        "model": model,
        "duration": _num(p.duration, "duration", positive=True),
        "steps": "0" if p.steps is None else _num(p.steps, "steps"),
        "numberOfMedia": _count(p),
    }
    query = [("network", net)]
    if billing:
        query.append(("billingMode", billing))
    return EstimateCall(endpoint="audio_estimate", path_params=path, query=tuple(query))


def build_enhancement_estimate(strength: str, *, token_type: str = "spark") -> EstimateCall:
    """The estimate of enhancing one image (TS ``estimateEnhancementCost``, 01 §5.7.1).

    An image estimate on ``fast`` of ``flux1-schnell-fp8``: one image, 5 steps,
    no previews, no ControlNet, ``startingImageStrength`` 0.15 / 0.35 / 0.49
    for ``light`` / ``medium`` / ``heavy`` (denoise segment 0.85 / 0.65 / 0.51).

    Args:
        strength: ``light``, ``medium`` or ``heavy``.
        token_type: ``spark`` (default) or ``sogni``.

    Returns:
        The :class:`EstimateCall` (``image_estimate_v2``).

    Raises:
        InvalidParamsError: an unknown strength or token type.
    """
    from sogni_core.protocol._generated import rest as R

    strengths: Mapping[str, float] = R.ENHANCEMENT_STRENGTHS
    if strength not in strengths:
        raise invalid("strength", f"must be one of {', '.join(strengths)}, got {strength!r}")
    params = ImageProjectParams(
        model_id=R.ENHANCEMENT_MODEL_ID,
        network=R.ENHANCEMENT_NETWORK,
        token_type=_choice(token_type, "token_type", _TOKEN_TYPES),
        number_of_media=1,
        steps=R.ENHANCEMENT_STEPS,
        number_of_previews=0,
        starting_image_strength=strengths[strength],
    )
    return _image(params, None, None, None)


# ---------------------------------------------------------------------------------------------
# response


def _amount(value: Any, key: str) -> Decimal:
    if isinstance(value, str):
        try:
            amount = Decimal(value)
        except InvalidOperation:
            amount = Decimal("NaN")
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    else:
        raise RemoteProtocolError(f"estimate quote.project.{key} is missing or not a number")
    if not amount.is_finite():
        raise RemoteProtocolError(f"estimate quote.project.{key} is not a finite decimal")
    return amount


def parse_cost_estimate(response: EstimationResponse) -> CostEstimate:
    """Read the :class:`CostEstimate` out of an estimate response (TS ``CostEstimation``).

    Args:
        response: the parsed body of an image, video or audio estimate
            (``parse_endpoint_response`` of the :class:`EstimateCall`'s endpoint).

    Returns:
        The amounts of ``quote.project`` as decimals, the benchmark's render
        and total seconds and the daily fair-use share when the server sent them.

    Raises:
        RemoteProtocolError: an amount is missing or is not a finite decimal.
    """
    project = response.quote.project
    benchmark = response.benchmark
    fair_use = response.daily_fair_use
    return CostEstimate(
        token=_amount(project.cost_in_token, "costInToken"),
        usd=_amount(project.cost_in_usd, "costInUSD"),
        spark=_amount(project.cost_in_spark, "costInSpark"),
        sogni=_amount(project.cost_in_sogni, "costInSogni"),
        estimated_render_seconds=None if benchmark is None else benchmark.estimated_render_time_sec,
        estimated_total_seconds=None if benchmark is None else benchmark.estimated_total_time_sec,
        daily_fair_use_pct=None if fair_use is None else fair_use.pct,
    )
