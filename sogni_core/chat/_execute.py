"""Client-side execution of the direct media tools as projects (wire reference 02 §4.4, §4.8, §4.9).

:func:`tool_project` maps one validated :class:`~sogni_core.chat.tools.SogniToolCall`
of ``generate_image``, ``edit_image``, ``generate_video``, ``sound_to_video``,
``video_to_video`` or ``generate_music`` to the project parameters the
projects API submits; the transports create the project, wait, and turn its
result URLs into the tool message with :func:`tool_result`.

Media arguments address the per-request :class:`MediaContext` by index
(02 §4.4): a non-negative index is a generated result of that media type
(0-based, in generation order), a negative one an upload (``-1`` the first).
``video_to_video.videoSourceIndex`` and ``sound_to_video``'s
``audioSourceIndex``/``sourceImageIndex`` count uploads from 0 (02 §4.4
exceptions; ``-1`` still means the first upload). Context entries are raw
bytes, inline ``data:`` URIs or http(s) URLs; for a URL the core raises
:class:`MediaFetchRequired` and the caller retries with the downloaded bytes
(the pure core does no I/O).

Model selection (02 §4.9): the ``model``/``videoModel`` selector is looked up
in a per-tool table (exact, then normalised: trimmed, lower-cased, ``_`` and
spaces as ``-``); an unknown selector passes through as a raw model id. With
no selector the first preferred id that has workers wins, else the model of
that media type with most workers.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import msgspec

from sogni_core.protocol._errors import InvalidParamsError, SogniError
from sogni_core.protocol.jobrequest import (
    AudioProjectParams,
    ImageProjectParams,
    MediaInput,
    ProjectParams,
    VideoProjectParams,
    WorkloadAttributionInput,
)
from sogni_core.protocol.rest import Attribution

from .tools import DIRECT_TOOL_NAMES, SogniToolCall

__all__ = [
    "MediaContext",
    "MediaFetchRequired",
    "ToolExecutionProgress",
    "ToolExecutionResult",
    "add_results",
    "auto_media_context",
    "project_attribution",
    "resolve_model",
    "round_attribution",
    "tool_project",
    "tool_result",
]

_IMAGE_TABLE: Final = {
    "gpt-image-2": "gpt-image-2",
    "z-turbo": "z_image_turbo_bf16",
    "z-image": "z_image_bf16",
    "krea-2-turbo": "krea2_turbo_fp8_scaled",
    "krea2-turbo": "krea2_turbo_fp8_scaled",
    "chroma-v46-flash": "chroma-v.46-flash_fp8",
    "chroma1-hd": "chroma1-hd_fp8_scaled",
    "chroma-hd": "chroma1-hd_fp8_scaled",
    "qwen-2512": "qwen_image_2512_fp8",
    "qwen-2512-lightning": "qwen_image_2512_fp8_lightning",
    "flux1-schnell": "flux1-schnell-fp8",
}
_EDIT_TABLE: Final = {
    "gpt-image-2": "gpt-image-2",
    "qwen-lightning": "qwen_image_edit_2511_fp8_lightning",
    "qwen": "qwen_image_edit_2511_fp8",
    "krea-identity-edit": "krea2_identity_edit_v1_2",
    "dark-beast-krea2-identity-edit": "dark_beast_krea2_identity_edit_v1_2",
}
_T2V_TABLE: Final = {
    "ltx25": "ltx25-22b-int8_t2v_distilled",
    "ltx23": "ltx23-22b-fp8_t2v_distilled",
    "wan22": "wan_v2.2-14b-fp8_t2v_lightx2v",
    "seedance2": "seedance-2-0",
    "seedance2-mini": "seedance-2-0-mini",
    "seedance2-fast": "seedance-2-0-fast",
    "seedance2-5": "seedance-2-5",
    "minimax-h3": "minimax-h3-fl2va-fp8_t2v",
    "minimax-h3-t2v": "minimax-h3-fl2va-fp8_t2v",
    "minimax-h3-turbo": "minimax-h3-fl2va-fp8_t2v_turbo",
    "minimax-h3-t2v-turbo": "minimax-h3-fl2va-fp8_t2v_turbo",
    "happyhorse": "happyhorse-1.1-t2v",
    "happyhorse1.1": "happyhorse-1.1-t2v",
}
_I2V_TABLE: Final = {
    "ltx25": "ltx25-22b-int8_i2v_distilled",
    "ltx23": "ltx23-22b-fp8_i2v_distilled",
    "wan22": "wan_v2.2-14b-fp8_i2v_lightx2v",
    "seedance2": "seedance-2-0",
    "seedance2-mini": "seedance-2-0-mini",
    "seedance2-fast": "seedance-2-0-fast",
    "seedance2-5": "seedance-2-5",
    "minimax-h3": "minimax-h3-fl2va-fp8_i2v",
    "minimax-h3-i2v": "minimax-h3-fl2va-fp8_i2v",
    "minimax-h3-flf2v": "minimax-h3-fl2va-fp8_flf2v",
    "minimax-h3-turbo": "minimax-h3-fl2va-fp8_i2v_turbo",
    "minimax-h3-i2v-turbo": "minimax-h3-fl2va-fp8_i2v_turbo",
    "happyhorse": "happyhorse-1.1-i2v",
    "happyhorse1.1": "happyhorse-1.1-i2v",
}
_SOUND_TABLE: Final = {
    "wan-s2v": "wan_v2.2-14b-fp8_s2v_lightx2v",
    "ltx23-ia2v": "ltx23-22b-fp8_ia2v_distilled",
    "ltx23-a2v": "ltx23-22b-fp8_a2v_distilled",
    "ltx25-ia2v": "ltx25-22b-int8_ia2v_distilled",
    "ltx25-a2v": "ltx25-22b-int8_a2v_distilled",
    "seedance2": "seedance-2-0",
    "seedance2-5": "seedance-2-5",
}
_V2V_TABLE: Final = {
    "ltx25": "ltx25-22b-int8_v2v_distilled",
    "ltx23": "ltx23-22b-fp8_v2v_distilled",
    "seedance2": "seedance-2-0",
    "seedance2-5": "seedance-2-5",
}
# Client-side preferences (02 §4.8.4: LTX 2.3 is preferred, not 2.5).
_PREFERRED: Final = {
    "image": ("z_image_turbo_bf16", "flux1-schnell-fp8", "chroma-v.46-flash_fp8"),
    "edit": ("qwen_image_edit_2511_fp8_lightning", "qwen_image_edit_2511_fp8", "gpt-image-2"),
    "t2v": ("ltx23-22b-fp8_t2v_distilled",),
    "i2v": ("ltx23-22b-fp8_i2v_distilled",),
    "ia2v": ("ltx23-22b-fp8_ia2v_distilled", "wan_v2.2-14b-fp8_s2v_lightx2v"),
    "a2v": ("ltx23-22b-fp8_a2v_distilled",),
    "v2v": ("ltx23-22b-fp8_v2v_distilled",),
    "audio": (
        "ace_step_1.5_xl_turbo",
        "ace_step_1.5_xl_sft",
        "ace_step_1.5_turbo",
        "ace_step_1.5_sft",
        "minimax_music3",
    ),
}
_KIND_MARKERS: Final[dict[str, Callable[[str], bool]]] = {
    "image": lambda m: "2v" not in m and not m.startswith(("ace_step", "minimax_music")),
    "edit": lambda m: m == "gpt-image-2" or "edit" in m or "kontext" in m,
    "t2v": lambda m: "_t2v" in m or m.startswith("seedance-2"),
    "i2v": lambda m: "_i2v" in m or m.startswith("seedance-2"),
    "ia2v": lambda m: "_ia2v" in m or "_s2v" in m,
    "a2v": lambda m: "_a2v" in m,
    "v2v": lambda m: "_v2v" in m or m.startswith("seedance-2"),
    "audio": lambda m: m.startswith("ace_step") or m == "minimax_music3",
}
_DATA_URI = re.compile(r"data:([^;,]+);base64,(.*)", re.IGNORECASE | re.DOTALL)
_OUTPUT_FORMATS: Final = frozenset({"png", "jpg", "webp"})


class MediaFetchRequired(SogniError):
    """A media input is a URL: the caller downloads it and retries.

    Attributes:
        url: the URL to download.
        field: the argument that refers to it.
    """

    def __init__(self, url: str, field: str) -> None:
        super().__init__(f"{field}: download {url.split('?', 1)[0]} first")
        self.url = url
        self.field = field


class MediaContext(msgspec.Struct, frozen=True, kw_only=True):
    """Media a conversation can address by index (02 §4.4).

    Each entry is raw bytes, an inline ``data:`` URI or an http(s) URL (a
    result URL; :func:`tool_project` asks for it with :class:`MediaFetchRequired`).

    Attributes:
        images, videos, audio: generated results, in generation order.
        uploaded_images, uploaded_videos, uploaded_audio: the user's uploads.
    """

    images: tuple[bytes | str, ...] = ()
    videos: tuple[bytes | str, ...] = ()
    audio: tuple[bytes | str, ...] = ()
    uploaded_images: tuple[bytes | str, ...] = ()
    uploaded_videos: tuple[bytes | str, ...] = ()
    uploaded_audio: tuple[bytes | str, ...] = ()


class ToolExecutionProgress(msgspec.Struct, frozen=True, kw_only=True):
    """Progress of one executed tool call (02 §4.8.3).

    Attributes:
        status: ``creating``, ``queued``, ``processing``, ``completed`` or ``failed``.
        percent: 0-100.
        result_urls: the results, on ``completed``.
    """

    status: str
    percent: int = 0
    result_urls: tuple[str, ...] = ()


class ToolExecutionResult(msgspec.Struct, frozen=True, kw_only=True):
    """The outcome of one executed tool call (02 §4.8.2).

    Attributes:
        tool_call_id: the call's id.
        tool_name: the tool.
        success: whether it produced media.
        result_urls: the result URLs.
        content: the JSON text to send back as the ``tool`` message.
        error: the error text on failure.
    """

    tool_call_id: str
    tool_name: str
    success: bool
    result_urls: tuple[str, ...] = ()
    content: str = ""
    error: str | None = None

    def to_message(self) -> dict[str, Any]:
        """The ``{"role": "tool", ...}`` message answering the call."""
        return {
            "role": "tool",
            "content": self.content,
            "tool_call_id": self.tool_call_id,
            "name": self.tool_name,
        }


def tool_result(
    call: SogniToolCall,
    *,
    result_urls: Sequence[str] = (),
    model: str | None = None,
    error: str | None = None,
) -> ToolExecutionResult:
    """Build the result of an executed call; ``content`` is the compact JSON the
    SDK sends (``{"success":true,"media_type":..,"urls":..,"model":..,"prompt":..}``
    or ``{"success":false,"error":..}``)."""
    if error is not None:
        content = msgspec.json.encode({"success": False, "error": error}).decode()
        return ToolExecutionResult(
            tool_call_id=call.id, tool_name=call.name, success=False, content=content, error=error
        )
    body = {
        "success": True,
        "media_type": _media_type(call.name),
        "urls": list(result_urls),
        "model": model,
        "prompt": call.arguments.get("prompt"),
    }
    return ToolExecutionResult(
        tool_call_id=call.id,
        tool_name=call.name,
        success=True,
        result_urls=tuple(result_urls),
        content=msgspec.json.encode(body).decode(),
    )


def _media_type(tool: str) -> str:
    if tool in ("generate_image", "edit_image"):
        return "image"
    return "audio" if tool == "generate_music" else "video"


def _normalise(selector: str) -> str:
    return re.sub(r"[_\s]+", "-", selector.strip().lower())


def resolve_model(
    kind: str,
    selector: str | None,
    available: Mapping[str, int],
    table: Mapping[str, str] | None = None,
) -> str:
    """Pick the model id for one tool run (02 §4.9.2-§4.9.3).

    Args:
        kind: ``image``, ``edit``, ``t2v``, ``i2v``, ``ia2v``, ``a2v``, ``v2v`` or ``audio``.
        selector: the tool's ``model``/``videoModel`` value, if any.
        available: model id -> online workers (``swarmModels``).
        table: the selector table of the tool.

    Raises:
        InvalidParamsError: no suitable model has workers (field ``model``).
    """
    if selector and selector.strip():
        table = table or {}
        return table.get(selector) or table.get(_normalise(selector)) or selector
    live = [m for m, n in available.items() if n > 0]
    for model in _PREFERRED[kind]:
        if model in live:
            return model
    fitting = sorted((m for m in live if _KIND_MARKERS[kind](m)), key=lambda m: -available[m])
    if not fitting:
        raise InvalidParamsError("model", f"no {kind} model has workers right now")
    return fitting[0]


def _media(value: bytes | str, field: str, fetched: Mapping[str, bytes]) -> bytes | MediaInput:
    if isinstance(value, bytes):
        return value
    url = value.strip()
    if url.lower().startswith(("http://", "https://")):
        if url in fetched:
            return fetched[url]
        raise MediaFetchRequired(url, field)
    m = _DATA_URI.fullmatch(url)
    if m is None:
        raise InvalidParamsError(field, "media must be bytes, a data: URI or an http(s) URL")
    try:
        data = base64.b64decode(re.sub(r"\s+", "", m.group(2)), validate=True)
    except ValueError:
        raise InvalidParamsError(field, "Invalid base64 payload") from None
    return MediaInput(data=data, content_type=m.group(1).strip().lower())


def _index(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise InvalidParamsError(field, f"{field} must contain only integer media indices")
    return int(value)


def _pick(
    ctx: MediaContext | None,
    fetched: Mapping[str, bytes],
    kind: str,
    index: Any,
    field: str,
    *,
    uploads_from_zero: bool = False,
) -> bytes | MediaInput:
    """Resolve one media index against the context (02 §4.4)."""
    if ctx is None:
        raise InvalidParamsError(
            field, f"Indexed {kind} arguments require a media context for client-side execution"
        )
    i = _index(index, field)
    generated = {"image": ctx.images, "video": ctx.videos, "audio": ctx.audio}[kind]
    uploaded = {
        "image": ctx.uploaded_images,
        "video": ctx.uploaded_videos,
        "audio": ctx.uploaded_audio,
    }[kind]
    if uploads_from_zero:
        pool, pos = uploaded, (i if i >= 0 else -i - 1)
    elif i >= 0:
        pool, pos = generated, i
    else:
        pool, pos = uploaded, -i - 1
    if pos >= len(pool):
        raise InvalidParamsError(
            field, f"{kind} media index {i} is unavailable in the media context"
        )
    return _media(pool[pos], field, fetched)


def _legacy(
    args: Mapping[str, Any], key: str, fetched: Mapping[str, bytes]
) -> bytes | MediaInput | None:
    value = args.get(key)
    return _media(value, key, fetched) if isinstance(value, str) and value.strip() else None


def _size(args: Mapping[str, Any]) -> dict[str, Any]:
    if args.get("width") and args.get("height"):
        return {"width": args["width"], "height": args["height"]}
    return {}


def _image_options(args: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    quality = args.get("gpt_image_quality", args.get("gptImageQuality"))
    if isinstance(quality, str) and quality.strip():
        out["gpt_image_quality"] = quality.strip().lower()
    fmt = args.get("output_format", args.get("outputFormat"))
    if isinstance(fmt, str):
        fmt = "jpg" if fmt.strip().lower() == "jpeg" else fmt.strip().lower()
        if fmt in _OUTPUT_FORMATS:
            out["output_format"] = fmt
    return out


def tool_project(
    call: SogniToolCall,
    *,
    available_models: Mapping[str, int],
    media_context: MediaContext | None = None,
    number_of_media: int | None = None,
    token_type: str | None = None,
    network: str | None = None,
    fetched: Mapping[str, bytes] | None = None,
) -> tuple[ProjectParams, str]:
    """Map a direct media tool call to project parameters (02 §4.8.4).

    Args:
        call: a validated call of one of :data:`DIRECT_TOOL_NAMES`.
        available_models: model id -> workers, for model selection.
        media_context: the media the indices address.
        number_of_media: override for ``numberOfVariations`` (1-16).
        token_type: ``sogni`` | ``spark``.
        network: ``fast`` | ``relaxed``.
        fetched: downloaded bytes of the http(s) URLs used so far.

    Returns:
        ``(params, model_id)``.

    Raises:
        MediaFetchRequired: a media input is an http(s) URL not in
            ``fetched``; download it and call again (the core does no I/O).
        InvalidParamsError: a hosted-only tool, a missing or unavailable
            media input, or no usable model - all before any I/O.
    """
    if call.name not in DIRECT_TOOL_NAMES:
        raise InvalidParamsError(
            "function.name",
            f"Tool '{call.name}' must be executed via hosted chat or a durable chat run",
        )
    a = call.arguments
    fetched = fetched or {}
    count = number_of_media or a.get("numberOfVariations") or 1
    base: dict[str, Any] = {
        "positive_prompt": a.get("prompt"),
        "number_of_media": int(count),
        "token_type": token_type,
        "network": network,
    }
    if a.get("seed") is not None:
        base["seed"] = int(a["seed"])
    negative = a.get("negative_prompt", a.get("negativePrompt"))
    params: ProjectParams
    if call.name == "generate_image":
        model = resolve_model("image", a.get("model"), available_models, _IMAGE_TABLE)
        extra: dict[str, Any] = {**_size(a), **_image_options(a)}
        if extra.get("width"):
            extra["size_preset"] = "custom"
        if a.get("sourceImageIndex") is not None:
            extra["starting_image"] = _pick(
                media_context, fetched, "image", a["sourceImageIndex"], "sourceImageIndex"
            )
            extra["starting_image_strength"] = a.get("starting_image_strength", 0.5)
        params = ImageProjectParams(model_id=model, negative_prompt=negative, **base, **extra)
    elif call.name == "edit_image":
        model = resolve_model("edit", a.get("model"), available_models, _EDIT_TABLE)
        inputs: list[bytes | MediaInput] = []
        if a.get("sourceImageIndex") is not None:
            inputs.append(
                _pick(media_context, fetched, "image", a["sourceImageIndex"], "sourceImageIndex")
            )
        legacy = _legacy(a, "source_image_url", fetched)
        if legacy is not None:
            inputs.append(legacy)
        for j, url in enumerate(a.get("reference_image_urls") or ()):
            if isinstance(url, str) and url.strip():
                inputs.append(_media(url, f"reference_image_urls[{j}]", fetched))
        if not inputs and media_context is not None and media_context.uploaded_images:
            inputs = [_media(v, "uploaded_images", fetched) for v in media_context.uploaded_images]
        if not inputs:
            raise InvalidParamsError(
                "sourceImageIndex", "edit_image needs a source image (an index or an upload)"
            )
        limit = 16 if model == "gpt-image-2" else 2 if "krea2" in model else 3
        extra = {**_size(a), **_image_options(a)}
        if extra.get("width"):
            extra["size_preset"] = "custom"
        params = ImageProjectParams(
            model_id=model,
            negative_prompt=negative,
            context_images=tuple(inputs[:limit]),
            **base,
            **extra,
        )
    elif call.name == "generate_music":
        model = resolve_model("audio", a.get("model"), available_models)
        sig = a.get("timesignature", a.get("timesig"))
        params = AudioProjectParams(
            model_id=model,
            duration=a.get("duration"),
            bpm=a.get("bpm"),
            keyscale=a.get("keyscale") or None,
            lyrics=a.get("lyrics") or None,
            language=a.get("language") or None,
            timesignature=None if sig is None else str(round(sig)) if _num(sig) else str(sig),
            output_format=a.get("output_format") or None,
            **base,
        )
    else:
        params, model = _video_project(
            call, a, base, negative, available_models, media_context, fetched
        )
    return params, model


def _num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _video_project(
    call: SogniToolCall,
    a: Mapping[str, Any],
    base: dict[str, Any],
    negative: Any,
    available: Mapping[str, int],
    ctx: MediaContext | None,
    fetched: Mapping[str, bytes],
) -> tuple[VideoProjectParams, str]:
    duration = a["duration"] if _num(a.get("duration")) else 5
    extra: dict[str, Any] = {**_size(a), "duration": duration}
    if isinstance(a.get("generateAudio"), bool):
        extra["generate_audio"] = a["generateAudio"]
    selector = a.get("videoModel")
    if call.name == "generate_video":
        chosen = selector.strip().lower() if isinstance(selector, str) else ""
        if chosen == "minimax-h3-r2v":
            # 02 §4.8.4: reference-to-video runs only on the hosted executor
            raise InvalidParamsError(
                "videoModel",
                "generate_video with videoModel 'minimax-h3-r2v' is not supported by direct "
                "tool execution; run it through hosted chat or create the video project directly",
            )
        has_refs = bool(a.get("referenceImageIndices") or a.get("reference_image_url"))
        if has_refs and chosen in ("minimax-h3-t2v", "minimax-h3-t2v-turbo"):
            raise InvalidParamsError(
                "videoModel",
                f"{chosen} does not accept reference images; use the matching MiniMax H3 i2v "
                "or flf2v project workflow",
            )
        refs = list(a.get("referenceImageIndices") or ())
        images = [
            _pick(ctx, fetched, "image", r, f"referenceImageIndices[{j}]")
            for j, r in enumerate(refs)
        ]
        legacy = _legacy(a, "reference_image_url", fetched)
        if legacy is not None:
            if images:
                raise InvalidParamsError(
                    "reference_image_url",
                    "Use either referenceImageIndices with a media context or legacy inline "
                    "reference_image_url arguments, not both",
                )
            images = [legacy]
        kind = "i2v" if images else "t2v"
        model = resolve_model(kind, selector, available, _I2V_TABLE if images else _T2V_TABLE)
        if images:
            extra["reference_image"] = images[0]
        if len(images) > 1:
            extra["reference_image_end"] = images[1]
    elif call.name == "sound_to_video":
        if a.get("audioSourceIndex") is not None:
            audio = _pick(
                ctx,
                fetched,
                "audio",
                a["audioSourceIndex"],
                "audioSourceIndex",
                uploads_from_zero=True,
            )
        else:
            legacy_audio = _legacy(a, "reference_audio_url", fetched)
            if legacy_audio is None:
                raise InvalidParamsError(
                    "audioSourceIndex", "sound_to_video needs a driving audio track"
                )
            audio = legacy_audio
        image: bytes | MediaInput | None = None
        if a.get("sourceImageIndex") is not None:
            image = _pick(
                ctx,
                fetched,
                "image",
                a["sourceImageIndex"],
                "sourceImageIndex",
                uploads_from_zero=True,
            )
        else:
            image = _legacy(a, "reference_image_url", fetched)
        kind = "ia2v" if image is not None else "a2v"
        model = resolve_model(kind, selector, available, _SOUND_TABLE)
        extra.update(reference_audio=audio, audio_duration=duration)
        if image is not None:
            extra["reference_image"] = image
    else:  # video_to_video
        if a.get("videoSourceIndex") is not None:
            video = _pick(
                ctx,
                fetched,
                "video",
                a["videoSourceIndex"],
                "videoSourceIndex",
                uploads_from_zero=True,
            )
        else:
            legacy_video = _legacy(a, "reference_video_url", fetched)
            if legacy_video is None:
                raise InvalidParamsError("videoSourceIndex", "video_to_video needs a source video")
            video = legacy_video
        model = resolve_model("v2v", selector, available, _V2V_TABLE)
        extra["reference_video"] = video
        if a.get("sourceImageIndex") is not None:
            extra["reference_image"] = _pick(
                ctx, fetched, "image", a["sourceImageIndex"], "sourceImageIndex"
            )
    external = model.startswith(("seedance-", "happyhorse-"))
    if negative and model.startswith("minimax-h3"):
        raise InvalidParamsError(
            "negativePrompt", "MiniMax H3 has no negative-prompt input; put exclusions in prompt"
        )
    if negative and not external:
        extra["negative_prompt"] = negative
    return VideoProjectParams(model_id=model, **base, **extra), model


_RESULT_KIND: Final = {
    "generate_image": "images",
    "edit_image": "images",
    "generate_video": "videos",
    "sound_to_video": "videos",
    "video_to_video": "videos",
    "generate_music": "audio",
}


def auto_media_context(
    messages: Sequence[Mapping[str, Any]], base: MediaContext | None = None
) -> MediaContext:
    """The tool loop's starting context (02 §2.13): ``base`` plus every
    non-blank ``image_url.url`` of the messages, in order, as uploaded images."""
    uploads: list[bytes | str] = []
    for message in messages:
        content = message.get("content")
        if not isinstance(content, list):
            continue
        for part in content:
            image = part.get("image_url") if isinstance(part, Mapping) else None
            url = image.get("url") if isinstance(image, Mapping) else None
            if isinstance(url, str) and url.strip():
                uploads.append(url.strip())
    base = base or MediaContext()
    return msgspec.structs.replace(base, uploaded_images=(*base.uploaded_images, *uploads))


def add_results(media: MediaContext, results: Sequence[ToolExecutionResult]) -> MediaContext:
    """Append each successful direct tool's result URLs to the generated list
    of its media type (02 §2.13), so later rounds can address them by index."""
    lists: dict[str, list[bytes | str]] = {
        "images": list(media.images),
        "videos": list(media.videos),
        "audio": list(media.audio),
    }
    for result in results:
        kind = _RESULT_KIND.get(result.tool_name)
        if result.success and kind is not None:
            lists[kind].extend(result.result_urls)
    return msgspec.structs.replace(
        media,
        images=tuple(lists["images"]),
        videos=tuple(lists["videos"]),
        audio=tuple(lists["audio"]),
    )


_WORKLOAD_FIELDS: Final = (
    "workload_kind",
    "agent_framework",
    "agent_framework_version",
    "agent_surface",
    "agent_surface_version",
    "execution_mode",
    "operation_scope",
    "operation_id",
    "root_operation_id",
    "parent_operation_id",
)


def _attributed(base: Attribution | None) -> bool:
    return base is not None and any(getattr(base, f) for f in _WORKLOAD_FIELDS)


def round_attribution(base: Attribution | None, root_id: str, index: int) -> Attribution | None:
    """Attribution of one tool-loop round (02 §2.13): round 0 is the top-level
    operation ``root_id``; later rounds are its children (own id = the job id).
    Unattributed calls stay unattributed."""
    if base is None or not _attributed(base):
        return base
    if index == 0:
        return msgspec.structs.replace(
            base,
            operation_id=root_id,
            operation_scope="top_level",
            root_operation_id=None,
            parent_operation_id=None,
        )
    return msgspec.structs.replace(
        base,
        operation_id=None,
        operation_scope="child",
        root_operation_id=root_id,
        parent_operation_id=root_id,
    )


def project_attribution(base: Attribution | None, root_id: str) -> WorkloadAttributionInput | None:
    """The child attribution of a media project run by the tool loop (02 §2.13)."""
    if base is None or not _attributed(base):
        return None
    return WorkloadAttributionInput(
        workload_kind=base.workload_kind,
        agent_framework=base.agent_framework,
        agent_framework_version=base.agent_framework_version,
        agent_surface=base.agent_surface,
        agent_surface_version=base.agent_surface_version,
        execution_mode=base.execution_mode,
        operation_scope="child",
        root_operation_id=root_id,
        parent_operation_id=root_id,
    )
