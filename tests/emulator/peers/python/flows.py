"""Drive the official Sogni Python SDK (sogni-client 5.70.0) against a local endpoint.

Run with the peer venv's interpreter (``.cache/peers/pysdk-venv/bin/python``), one flow per
process; it prints one JSON summary line on stdout and exits 0 only when the flow recorded no
error.

Usage: ``python flows.py <flow>`` with ``SOGNI_REST_URL``, ``SOGNI_SOCKET_URL`` and
``SOGNI_API_KEY`` in the environment (``FLOW_TIMEOUT_S`` optional, default 90).

Errors are: an exception out of the flow, an ERROR-level record on the ``sogni_client`` logger
(the SDK logs failed downloads and listener errors there), an exception reported to the event
loop's exception handler (a task that failed with nobody awaiting it), a failed expectation, or
the timeout. The API key never appears in the summary.

This is our own harness code; it uses only the SDK's public API. It runs in the peer venv, not
the project venv, so it imports nothing from this repository.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import struct
import sys
import time
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from sogni_client import SogniClient

FLOW = sys.argv[1] if len(sys.argv) > 1 else ""
REST = os.environ.get("SOGNI_REST_URL", "")
SOCKET = os.environ.get("SOGNI_SOCKET_URL", "")
API_KEY = os.environ.get("SOGNI_API_KEY", "")
TIMEOUT_S = float(os.environ.get("FLOW_TIMEOUT_S", "90"))
ARTIFACT_DIR = os.environ.get("FLOW_ARTIFACT_DIR", "")

IMAGE_MODEL_PREFERENCE = ("flux1-schnell-fp8", "z_image_turbo_bf16")
VIDEO_MODEL = "wan_v2.2-14b-fp8_t2v_lightx2v"
AUDIO_MODEL_PREFERENCE = ("ace_step_1.5_xl_turbo",)

errors: list[dict[str, str]] = []
warnings: list[str] = []
checks: list[dict[str, Any]] = []
artifacts: list[dict[str, str]] = []
result: dict[str, Any] = {}


def redact(text: object) -> str:
    s = str(text)
    return s.replace(API_KEY, "<api-key>") if API_KEY else s


def describe(value: object) -> str:
    if isinstance(value, BaseException):
        tb = "".join(traceback.format_exception(type(value), value, value.__traceback__))
        return redact(tb)
    try:
        return redact(json.dumps(value, default=str))
    except (TypeError, ValueError):
        return redact(repr(value))


def record_error(kind: str, value: object) -> None:
    errors.append({"kind": kind, "message": describe(value)[:4000]})


def expect(name: str, ok: object, detail: object = None) -> bool:
    checks.append({"name": name, "ok": bool(ok)})
    if not ok:
        suffix = "" if detail is None else f": {describe(detail)}"
        record_error("expectation", f"{name}{suffix}")
    return bool(ok)


class _CaptureHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            message += "\n" + describe(record.exc_info[1])
        if record.levelno >= logging.ERROR:
            record_error("sdk-error-log", message)
        elif record.levelno >= logging.WARNING:
            warnings.append(redact(message)[:2000])


def _install_handlers(loop: asyncio.AbstractEventLoop) -> None:
    sdk_logger = logging.getLogger("sogni_client")
    sdk_logger.setLevel(logging.WARNING)
    sdk_logger.addHandler(_CaptureHandler())
    sdk_logger.propagate = False

    def on_loop_exception(_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        record_error("loop-exception", exc if exc is not None else context.get("message"))

    loop.set_exception_handler(on_loop_exception)


# --- media checks -------------------------------------------------------------------------

MIME_BY_KIND = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "webp": "image/webp",
    "mp4": "video/mp4",
    "mp3": "audio/mpeg",
    "flac": "audio/flac",
    "wav": "audio/wav",
    "m4a": "audio/mp4",
}


def sniff(data: bytes) -> str:
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:3] == b"\xff\xd8\xff":
        return "jpg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav"
    if data[:4] == b"fLaC":
        return "flac"
    if data[4:8] == b"ftyp":
        return "m4a" if data[8:11].lower() == b"m4a" else "mp4"
    if data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "mp3"
    return "unknown"


def image_size(data: bytes, kind: str) -> tuple[int, int] | None:
    if kind == "png" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if kind == "jpg":
        offset = 2
        while offset + 9 < len(data):
            if data[offset] != 0xFF:
                return None
            marker = data[offset + 1]
            (length,) = struct.unpack(">H", data[offset + 2 : offset + 4])
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[offset + 5 : offset + 9])
                return width, height
            offset += 2 + length
    return None


def mp4_boxes(data: bytes) -> list[str]:
    boxes = []
    offset = 0
    while offset < len(data):
        if offset + 8 > len(data):
            raise ValueError(f"truncated box header at {offset}")
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if size == 1:
            (size,) = struct.unpack(">Q", data[offset + 8 : offset + 16])
        elif size == 0:
            size = len(data) - offset
        if size < 8:
            raise ValueError(f"bad box size {size} at {offset}")
        boxes.append(kind.decode("latin-1"))
        offset += size
    if offset != len(data):
        raise ValueError("boxes overrun the file")
    return boxes


def save_artifact(label: str, kind: str, data: bytes) -> None:
    """Keep a downloaded file for the test runner to decode (FLOW_ARTIFACT_DIR, when set)."""
    if not ARTIFACT_DIR:
        return
    slug = "".join(ch if ch.isalnum() else "-" for ch in label)
    name = f"{len(artifacts):02d}-{slug}.{kind}"
    with open(os.path.join(ARTIFACT_DIR, name), "wb") as handle:
        handle.write(data)
    artifacts.append({"label": label, "kind": kind, "file": name})


async def check_download(
    url: object, label: str, expected: str, size: tuple[int, int] | None = None
) -> dict[str, Any] | None:
    expect(f"{label}: has a result URL", isinstance(url, str) and url, url)
    if not isinstance(url, str) or not url:
        return None
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.get(url)
    data = response.content
    kind = sniff(data)
    if response.status_code == 200:
        save_artifact(label, kind, data)
    info: dict[str, Any] = {
        "url": redact(url),
        "status": response.status_code,
        "contentType": response.headers.get("content-type"),
        "length": len(data),
        "kind": kind,
    }
    expect(f"{label}: HTTP 200", response.status_code == 200, response.status_code)
    expect(f"{label}: magic bytes are {expected}", kind == expected, kind)
    mime = MIME_BY_KIND[expected]
    served = (response.headers.get("content-type") or "").split(";")[0].strip().lower()
    expect(f"{label}: Content-Type is {mime}", served == mime, served)
    if size is not None:
        actual = image_size(data, kind)
        info["size"] = actual
        expect(f"{label}: pixel size {size[0]}x{size[1]}", actual == size, actual)
    if expected == "mp4" and kind == "mp4":
        try:
            boxes = mp4_boxes(data)
            info["boxes"] = boxes
            expect(f"{label}: mp4 has moov and mdat", "moov" in boxes and "mdat" in boxes, boxes)
        except ValueError as error:
            expect(f"{label}: mp4 box structure parses", False, str(error))
    return info


# --- helpers ------------------------------------------------------------------------------


async def connect(app_id: str | None = None) -> SogniClient:
    return await SogniClient.create(
        app_id=app_id or f"sogni-core-peer-py-{FLOW}-{os.getpid()}",
        network="fast",
        api_key=API_KEY,
        rest_endpoint=REST,
        socket_endpoint=SOCKET,
    )


async def pick_image_model(sogni: SogniClient) -> str:
    models = await sogni.projects.wait_for_models(20)
    images = [m for m in models if m.get("media") == "image" and m.get("workerCount", 0) > 0]
    for model_id in IMAGE_MODEL_PREFERENCE:
        if any(m["id"] == model_id for m in images):
            return model_id
    if not expect("an image model with workers is available", images, [m["id"] for m in models]):
        raise RuntimeError("no image model")
    return str(images[0]["id"])


def image_params(model_id: str, **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "type": "image",
        "modelId": model_id,
        "positivePrompt": "A lighthouse on a cliff at dawn, oil painting",
        "negativePrompt": "blurry",
        "stylePrompt": "",
        "steps": 4,
        "guidance": 1,
        "tokenType": "spark",
        "network": "fast",
    }
    params.update(extra)
    return params


def _finite(value: object) -> bool:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return number == number and number not in (float("inf"), float("-inf"))


# --- flows --------------------------------------------------------------------------------


async def flow_connect(sogni: SogniClient) -> None:
    loop = asyncio.get_running_loop()
    connected: asyncio.Future[Any] = loop.create_future()
    api_client = sogni.api_client

    def on_connected(data: Any) -> None:
        if not connected.done():
            connected.set_result(data)

    api_client.on("connected", on_connected)
    socket = getattr(api_client, "socket", None)
    if socket is not None and getattr(socket, "is_connected", False):
        on_connected("already")
    try:
        result["connected"] = describe(await asyncio.wait_for(connected, 15))
        ok = True
    except asyncio.TimeoutError:
        ok = False
    expect("socket connects", ok)
    # The account is filled from /v1/account/me after authentication.
    await sogni.projects.wait_for_models(20)
    account = sogni.current_account
    result["username"] = account.username
    expect("current account has a username", isinstance(account.username, str) and account.username)


async def flow_models(sogni: SogniClient) -> None:
    models = await sogni.projects.wait_for_models(20)
    result["modelCount"] = len(models)
    result["media"] = sorted({str(m.get("media")) for m in models})
    expect("models list is non-empty", models)
    expect(
        "every model has id, name, workerCount and media",
        all(
            isinstance(m.get("id"), str)
            and isinstance(m.get("name"), str)
            and isinstance(m.get("workerCount"), int)
            and isinstance(m.get("media"), str)
            for m in models
        ),
        models[:3],
    )
    expect("an image model is listed", any(m.get("media") == "image" for m in models))
    expect("a video model is listed", any(m.get("media") == "video" for m in models))
    expect("Wan 2.2 t2v is listed", any(m.get("id") == VIDEO_MODEL for m in models))
    supported = await sogni.projects.get_supported_models()
    result["supportedModelCount"] = len(supported)
    expect("supported models list is non-empty", supported)


async def flow_presets(sogni: SogniClient) -> None:
    model_id = await pick_image_model(sogni)
    presets = await sogni.projects.get_size_presets("fast", model_id)
    result["modelId"] = model_id
    result["presets"] = [f"{p.get('id')}:{p.get('width')}x{p.get('height')}" for p in presets]
    expect("size presets non-empty", presets)
    expect(
        "presets have id, label, width, height, ratio",
        all(
            isinstance(p.get("id"), str)
            and isinstance(p.get("label"), str)
            and isinstance(p.get("width"), int)
            and isinstance(p.get("height"), int)
            and isinstance(p.get("ratio"), str)
            for p in presets
        ),
        presets[:2],
    )


async def flow_estimate(sogni: SogniClient) -> None:
    model_id = await pick_image_model(sogni)
    image = await sogni.projects.estimate_cost(
        network="fast",
        tokenType="spark",
        model=model_id,
        imageCount=2,
        stepCount=4,
        previewCount=0,
        cnEnabled=False,
        width=1024,
        height=1024,
    )
    result["image"] = image
    expect("image estimate has finite token cost", _finite(image.get("token")), image)
    expect("image estimate has finite spark cost", _finite(image.get("spark")), image)
    video = await sogni.projects.estimate_video_cost(
        tokenType="spark", model=VIDEO_MODEL, width=640, height=640, duration=2, fps=16, steps=4
    )
    result["video"] = video
    expect("video estimate has finite token cost", _finite(video.get("token")), video)
    audio = await sogni.projects.estimate_audio_cost(
        tokenType="spark", model=AUDIO_MODEL_PREFERENCE[0], duration=30, steps=8, numberOfMedia=1
    )
    result["audio"] = audio
    expect("audio estimate has finite token cost", _finite(audio.get("token")), audio)


async def flow_image_promise(sogni: SogniClient) -> None:
    model_id = await pick_image_model(sogni)
    project = await sogni.projects.create(
        image_params(
            model_id,
            numberOfMedia=3,
            outputFormat="jpg",
            sizePreset="custom",
            width=512,
            height=384,
            seed=1234,
        )
    )
    urls = await project.wait_for_completion(timeout=60)
    result["projectId"] = project.id
    result["status"] = project.status
    expect("project completed", project.status == "completed", project.status)
    expect("three result URLs", isinstance(urls, list) and len(urls) == 3, urls)
    expect("three jobs", len(project.jobs) == 3, len(project.jobs))
    expect(
        "every job completed",
        all(j.status == "completed" for j in project.jobs),
        [j.status for j in project.jobs],
    )
    result["downloads"] = [
        await check_download(url, f"image {i}", "jpg", (512, 384)) for i, url in enumerate(urls)
    ]
    seeds = [j.seed for j in project.jobs]
    result["seeds"] = seeds
    expect("the requested seed is used by one job", 1234 in seeds, seeds)


async def flow_image_events(sogni: SogniClient) -> None:
    model_id = await pick_image_model(sogni)
    project = await sogni.projects.create(
        image_params(
            model_id,
            numberOfMedia=2,
            outputFormat="png",
            sizePreset="custom",
            width=448,
            height=320,
        )
    )
    loop = asyncio.get_running_loop()
    done: asyncio.Future[Any] = loop.create_future()
    progress: list[int] = []
    started: list[str] = []
    completed_jobs: list[dict[str, Any]] = []

    def on_completed(urls: Any) -> None:
        if not done.done():
            done.set_result(urls)

    def on_failed(error: Any) -> None:
        if not done.done():
            done.set_exception(RuntimeError(f"project failed: {describe(error)}"))

    project.on("progress", progress.append)
    project.on("jobStarted", lambda job: started.append(job.id))
    project.on(
        "jobCompleted", lambda job: completed_jobs.append({"id": job.id, "url": job.result_url})
    )
    project.on("jobFailed", lambda job: record_error("jobFailed", job.error))
    project.on("completed", on_completed)
    project.on("failed", on_failed)
    if project.status == "completed":
        on_completed(project.result_urls)
    urls = await asyncio.wait_for(done, 60)
    result["projectId"] = project.id
    result["progress"] = progress
    result["jobStarted"] = len(started)
    expect("completed event carried two URLs", isinstance(urls, list) and len(urls) == 2, urls)
    expect("two jobCompleted events", len(completed_jobs) == 2, completed_jobs)
    expect("two jobStarted events", len(started) == 2, started)
    expect("progress events were emitted", progress, progress)
    expect("progress never decreases", progress == sorted(progress), progress)
    expect("progress ends at 100", project.progress == 100, project.progress)
    result["downloads"] = [
        await check_download(job["url"], f"image {i}", "png", (448, 320))
        for i, job in enumerate(completed_jobs)
    ]


async def flow_cancel(sogni: SogniClient) -> None:
    model_id = await pick_image_model(sogni)
    project = await sogni.projects.create(
        image_params(model_id, numberOfMedia=2, steps=40, outputFormat="png")
    )
    loop = asyncio.get_running_loop()
    started: asyncio.Future[str] = loop.create_future()
    failed: list[Any] = []

    def mark(reason: str) -> None:
        if not started.done():
            started.set_result(reason)

    project.on("jobStarted", lambda _job: mark("jobStarted"))
    project.on("progress", lambda p: mark("progress") if p > 0 else None)
    project.on("failed", failed.append)
    result["startedBy"] = await asyncio.wait_for(started, 30)
    result["statusBeforeCancel"] = project.status
    await asyncio.wait_for(project.cancel(), 15)
    await asyncio.sleep(0.5)
    result["status"] = project.status
    result["jobStatuses"] = [j.status for j in project.jobs]
    expect("project status is canceled", project.status == "canceled", project.status)
    expect(
        "no job completed after cancel",
        all(j.status != "completed" for j in project.jobs),
        result["jobStatuses"],
    )
    expect("no failed event", not failed, failed)
    expect(
        "project no longer tracked",
        all(p.id != project.id for p in sogni.projects.tracked_projects),
    )


async def flow_video(sogni: SogniClient) -> None:
    models = await sogni.projects.wait_for_models(20)
    expect("Wan 2.2 t2v is available", any(m.get("id") == VIDEO_MODEL for m in models))
    project = await sogni.projects.create(
        {
            "type": "video",
            "modelId": VIDEO_MODEL,
            "positivePrompt": "A paper boat drifting down a rainy street",
            "negativePrompt": "",
            "stylePrompt": "",
            "numberOfMedia": 1,
            "duration": 1,
            "fps": 16,
            "width": 640,
            "height": 480,  # the TS SDK rejects video sides below 480; keep both peers alike
            "steps": 4,
            "seed": 99,
            "tokenType": "spark",
            "network": "fast",
        }
    )
    urls = await project.wait_for_completion(timeout=80)
    result["projectId"] = project.id
    result["status"] = project.status
    expect("video project completed", project.status == "completed", project.status)
    expect("one video URL", isinstance(urls, list) and len(urls) == 1, urls)
    result["download"] = await check_download(urls[0] if urls else None, "video", "mp4")


async def flow_audio(sogni: SogniClient) -> None:
    models = await sogni.projects.wait_for_models(20)
    audio = [m for m in models if m.get("media") == "audio"]
    model_id = next(
        (i for i in AUDIO_MODEL_PREFERENCE if any(m["id"] == i for m in audio)),
        audio[0]["id"] if audio else None,
    )
    if not expect("an audio model is listed", model_id, [m.get("id") for m in models]):
        return
    result["modelId"] = model_id
    result["downloads"] = []
    for fmt in ("mp3", "flac", "wav"):
        project = await sogni.projects.create(
            {
                "type": "audio",
                "modelId": model_id,
                "positivePrompt": "Calm lo-fi piano with soft rain",
                "numberOfMedia": 1,
                "duration": 10,
                "steps": 8,
                "outputFormat": fmt,
                "tokenType": "spark",
                "network": "fast",
            }
        )
        urls = await project.wait_for_completion(timeout=60)
        expect(f"{fmt} audio project completed", project.status == "completed", project.status)
        result["downloads"].append(
            await check_download(urls[0] if urls else None, f"audio {fmt}", fmt)
        )


async def _llm_model(sogni: SogniClient) -> str | None:
    models = await asyncio.wait_for(sogni.chat.wait_for_models(20), 25)
    ids = list(models)
    result["llmModels"] = ids
    return ids[0] if expect("an LLM model is listed", ids) else None


async def flow_chat(sogni: SogniClient) -> None:
    model = await _llm_model(sogni)
    if model is None:
        return
    response = await asyncio.wait_for(
        sogni.chat.completions.create(
            model=model,
            messages=[
                {"role": "system", "content": "You are terse."},
                {"role": "user", "content": "Say hello to the emulator."},
            ],
            max_tokens=64,
            tokenType="spark",
        ),
        30,
    )
    expect(
        "non-streaming create returns a dict", isinstance(response, dict), type(response).__name__
    )
    if not isinstance(response, dict):
        return
    result["model"] = model
    result["content"] = response.get("content")
    result["finishReason"] = response.get("finishReason")
    result["usage"] = response.get("usage")
    expect(
        "completion has content", isinstance(response.get("content"), str) and response["content"]
    )
    expect("completion has a finish reason", isinstance(response.get("finishReason"), str))
    expect("completion has a jobID", isinstance(response.get("jobID"), str) and response["jobID"])
    usage = response.get("usage") or {}
    expect("usage has token counts", isinstance(usage.get("completion_tokens"), int), usage)


async def flow_chat_stream(sogni: SogniClient) -> None:
    model = await _llm_model(sogni)
    if model is None:
        return
    stream = await asyncio.wait_for(
        sogni.chat.completions.create(
            model=model,
            messages=[{"role": "user", "content": "Count from one to five."}],
            max_tokens=64,
            stream=True,
            tokenType="spark",
        ),
        30,
    )
    chunks = 0
    joined = ""

    async def consume() -> None:
        nonlocal chunks, joined
        async for chunk in stream:
            chunks += 1
            joined += chunk.get("content") or ""

    await asyncio.wait_for(consume(), 30)
    final = stream.final_result
    result["chunks"] = chunks
    result["content"] = joined
    result["finishReason"] = final.get("finishReason") if final else None
    expect("more than one chunk streamed", chunks > 1, chunks)
    expect("streamed text is non-empty", joined)
    expect("final_result is present", final is not None)
    expect(
        "final_result content equals the joined chunks",
        final is not None and final.get("content") == joined,
        {"final": final.get("content") if final else None, "joined": joined},
    )


async def flow_image_preset(sogni: SogniClient) -> None:
    model_id = await pick_image_model(sogni)
    presets = await sogni.projects.get_size_presets("fast", model_id)
    preset = next(
        (p for p in presets if p["width"] != p["height"]), presets[0] if presets else None
    )
    if not expect("a size preset exists", preset, presets):
        return
    assert preset is not None
    result["preset"] = preset
    # No outputFormat: the default is PNG.
    project = await sogni.projects.create(
        image_params(model_id, numberOfMedia=1, sizePreset=preset["id"])
    )
    urls = await project.wait_for_completion(timeout=60)
    expect("project completed", project.status == "completed", project.status)
    result["download"] = await check_download(
        urls[0] if urls else None, "preset image", "png", (preset["width"], preset["height"])
    )


async def flow_determinism(sogni: SogniClient) -> None:
    model_id = await pick_image_model(sogni)

    async def run(seed: int) -> tuple[int | None, bytes]:
        project = await sogni.projects.create(
            image_params(
                model_id,
                numberOfMedia=1,
                seed=seed,
                outputFormat="png",
                sizePreset="custom",
                width=320,
                height=320,
            )
        )
        await project.wait_for_completion(timeout=60)
        job = project.jobs[0]
        data = await asyncio.wait_for(job.get_result_data(), 30)  # the SDK's own download
        expect(f"seed {seed}: Job.get_result_data() returns a PNG", sniff(data) == "png")
        save_artifact(f"seed {seed}", sniff(data), data)
        return job.seed, data

    a, b, c = await run(4242), await run(4242), await run(4243)
    result["seeds"] = [a[0], b[0], c[0]]
    expect(
        "jobs report the requested seeds", result["seeds"] == [4242, 4242, 4243], result["seeds"]
    )
    expect("same seed and prompt give identical bytes", a[1] == b[1])
    expect("a different seed gives different bytes", a[1] != c[1])


async def flow_previews(sogni: SogniClient) -> None:
    model_id = await pick_image_model(sogni)
    project = await sogni.projects.create(
        image_params(model_id, numberOfMedia=1, steps=12, numberOfPreviews=3, outputFormat="jpg")
    )
    previews: list[str] = []

    def watch(job: Any) -> None:
        def updated(_keys: Any) -> None:
            url = job.preview_url
            if url and url not in previews:
                previews.append(url)

        job.on("updated", updated)

    project.on("jobStarted", watch)
    urls = await project.wait_for_completion(timeout=60)
    if project.jobs and project.jobs[0].preview_url and project.jobs[0].preview_url not in previews:
        previews.append(project.jobs[0].preview_url)
    result["previewCount"] = len(previews)
    expect("at least one preview URL was set", previews, previews)
    result["previews"] = []
    async with httpx.AsyncClient(timeout=30) as http:
        for index, url in enumerate(previews):
            response = await http.get(url)
            kind = sniff(response.content)
            if response.status_code == 200:
                save_artifact(f"preview {index}", kind, response.content)
            result["previews"].append({"status": response.status_code, "kind": kind})
            expect(
                f"preview {index}: an image downloads",
                response.status_code == 200 and kind in {"jpg", "png", "webp"},
                kind,
            )
    result["download"] = await check_download(urls[0] if urls else None, "final image", "jpg")


async def flow_concurrent(sogni: SogniClient) -> None:
    model_id = await pick_image_model(sogni)
    projects = await asyncio.gather(
        *(
            sogni.projects.create(
                image_params(
                    model_id,
                    numberOfMedia=2,
                    positivePrompt=f"Concurrent project {n}",
                    outputFormat="jpg",
                    sizePreset="custom",
                    width=256,
                    height=256,
                )
            )
            for n in (1, 2, 3)
        )
    )
    results = await asyncio.wait_for(
        asyncio.gather(*(p.wait_for_completion() for p in projects)), 60
    )
    urls = [url for group in results for url in group]
    ids = [p.id for p in projects]
    result["projectIds"] = ids
    expect("project ids are distinct", len(set(ids)) == 3, ids)
    expect("six result URLs", len(urls) == 6, len(urls))
    expect("result URLs are distinct", len(set(urls)) == len(urls), urls)
    expect(
        "every project completed",
        all(p.status == "completed" for p in projects),
        [p.status for p in projects],
    )
    result["downloads"] = [
        await check_download(url, f"image {i}", "jpg", (256, 256)) for i, url in enumerate(urls)
    ]


async def flow_project_get(sogni: SogniClient) -> None:
    model_id = await pick_image_model(sogni)
    project = await sogni.projects.create(image_params(model_id, numberOfMedia=2))
    await project.wait_for_completion(timeout=60)
    record = await sogni.projects.get(project.id)
    jobs = record.get("completedWorkerJobs") or []
    result["record"] = {"id": record.get("id"), "status": record.get("status"), "jobs": len(jobs)}
    expect("REST record has the project id", record.get("id") == project.id, record.get("id"))
    expect("REST record status is completed", record.get("status") == "completed", record)
    expect("REST record has two completed worker jobs", len(jobs) == 2, jobs)
    status = await sogni.projects.get_status(project.id)
    result["status"] = {k: status.get(k) for k in ("id", "status", "finished")}
    expect("live lookup status is completed", status.get("status") == "completed", status)
    expect("live lookup says finished", status.get("finished") is True, status)


async def flow_subscriptions(sogni: SogniClient) -> None:
    await sogni.projects.wait_for_models(20)
    await asyncio.wait_for(sogni.set_socket_event_subscriptions({"modelAvailability": False}), 10)
    await asyncio.wait_for(sogni.set_socket_event_subscriptions({"reset": True}), 10)
    expect("subscription updates were acknowledged", True)
    models = await sogni.projects.wait_for_models(20)
    expect("models still available after re-subscribing", models)


async def render_one(sogni: SogniClient, model_id: str, kind: str, **extra: Any) -> bytes | None:
    """Render one image and return its bytes (input for the upload flows)."""
    project = await sogni.projects.create(image_params(model_id, numberOfMedia=1, **extra))
    await project.wait_for_completion(timeout=60)
    data = await asyncio.wait_for(project.jobs[0].get_result_data(), 30)
    save_artifact("source image", sniff(data), data)
    if not expect(f"source image is a {kind}", sniff(data) == kind, sniff(data)):
        return None
    return bytes(data)


async def flow_img2img(sogni: SogniClient) -> None:
    model_id = await pick_image_model(sogni)
    size = {"sizePreset": "custom", "width": 512, "height": 512}
    source = await render_one(sogni, model_id, "png", outputFormat="png", **size)
    if source is None:
        return
    project = await sogni.projects.create(
        image_params(
            model_id,
            numberOfMedia=1,
            startingImage=source,
            startingImageStrength=0.6,
            outputFormat="jpg",
            **size,
        )
    )
    urls = await project.wait_for_completion(timeout=60)
    expect("img2img project completed", project.status == "completed", project.status)
    result["download"] = await check_download(
        urls[0] if urls else None, "img2img result", "jpg", (512, 512)
    )


async def flow_image_edit(sogni: SogniClient) -> None:
    models = await sogni.projects.wait_for_models(20)
    ids = {m.get("id") for m in models}
    edit_model = next(
        (i for i in ("qwen_image_edit_2511_fp8_lightning", "qwen_image_edit_2511_fp8") if i in ids),
        None,
    )
    if not expect("a Qwen image-edit model is listed", edit_model, sorted(map(str, ids))):
        return
    size = {"sizePreset": "custom", "width": 512, "height": 512}
    source = await render_one(
        sogni, await pick_image_model(sogni), "jpg", outputFormat="jpg", **size
    )
    if source is None:
        return
    project = await sogni.projects.create(
        {
            "type": "image",
            "modelId": edit_model,
            "positivePrompt": "Make the sky purple",
            "numberOfMedia": 1,
            "steps": 4,
            "guidance": 1,
            "contextImages": [source],
            "outputFormat": "png",
            "tokenType": "spark",
            "network": "fast",
            **size,
        }
    )
    urls = await project.wait_for_completion(timeout=60)
    result["modelId"] = edit_model
    expect("edit project completed", project.status == "completed", project.status)
    result["download"] = await check_download(
        urls[0] if urls else None, "edited image", "png", (512, 512)
    )


async def flow_video_i2v(sogni: SogniClient) -> None:
    models = await sogni.projects.wait_for_models(20)
    i2v = "wan_v2.2-14b-fp8_i2v_lightx2v"
    if not expect("Wan 2.2 i2v is listed", any(m.get("id") == i2v for m in models)):
        return
    frame = await render_one(
        sogni,
        await pick_image_model(sogni),
        "jpg",
        outputFormat="jpg",
        sizePreset="custom",
        width=640,
        height=480,
    )
    if frame is None:
        return
    project = await sogni.projects.create(
        {
            "type": "video",
            "modelId": i2v,
            "positivePrompt": "The lighthouse beam sweeps across the sea",
            "numberOfMedia": 1,
            "referenceImage": frame,
            "duration": 1,
            "fps": 16,
            "width": 640,
            "height": 480,
            "steps": 4,
            "tokenType": "spark",
            "network": "fast",
        }
    )
    urls = await project.wait_for_completion(timeout=80)
    expect("i2v project completed", project.status == "completed", project.status)
    result["download"] = await check_download(urls[0] if urls else None, "i2v video", "mp4")


async def flow_chat_tools(sogni: SogniClient) -> None:
    model = await _llm_model(sogni)
    if model is None:
        return
    tools = [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "description": "Current weather for a city",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "city": {"type": "string"},
                        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                    },
                    "required": ["city"],
                },
            },
        }
    ]
    messages: list[dict[str, Any]] = [
        {"role": "user", "content": "Use get_weather: what is the weather in Austin?"}
    ]
    first = await asyncio.wait_for(
        sogni.chat.completions.create(
            model=model,
            messages=messages,
            tools=tools,
            tool_choice="required",
            max_tokens=128,
            tokenType="spark",
        ),
        30,
    )
    calls = first.get("tool_calls") or []
    result["finishReason"] = first.get("finishReason")
    result["toolCalls"] = calls
    expect("finishReason is tool_calls", first.get("finishReason") == "tool_calls", first)
    expect(
        "one get_weather call",
        len(calls) == 1 and (calls[0].get("function") or {}).get("name") == "get_weather",
        calls,
    )
    args: Any = None
    try:
        args = json.loads((calls[0].get("function") or {}).get("arguments") or "null")
    except (IndexError, json.JSONDecodeError) as error:
        expect("tool arguments are JSON", False, str(error))
    expect(
        "tool arguments include the required city",
        isinstance(args, dict) and isinstance(args.get("city"), str),
        args,
    )
    if not calls:
        return
    follow_up = await asyncio.wait_for(
        sogni.chat.completions.create(
            model=model,
            messages=[
                *messages,
                {"role": "assistant", "content": None, "tool_calls": calls},
                {
                    "role": "tool",
                    "tool_call_id": calls[0]["id"],
                    "content": json.dumps({"tempC": 31, "sky": "clear"}),
                },
            ],
            tools=tools,
            max_tokens=128,
            tokenType="spark",
        ),
        30,
    )
    result["followUp"] = {k: follow_up.get(k) for k in ("content", "finishReason")}
    content = follow_up.get("content")
    expect("follow-up answers in text", isinstance(content, str) and content, follow_up)
    expect("follow-up finishes with stop", follow_up.get("finishReason") == "stop", follow_up)


async def _job_started(project: Any, timeout: float) -> None:
    started: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def mark(_job: Any) -> None:
        if not started.done():
            started.set_result(None)

    project.on("jobStarted", mark)
    await asyncio.wait_for(started, timeout)


async def flow_recover_new_client(sogni: SogniClient) -> None:
    # README "Resuming projects after a refresh or reconnect": the server hands projects back
    # to the appId that created them. Client A starts a slow render and goes away; client B,
    # same appId, must recover it (active or completed) and end with a downloadable result.
    app_id = f"sogni-core-peer-py-recover-{os.getpid()}"
    first = await asyncio.wait_for(connect(app_id), 20)
    model_id = await pick_image_model(first)
    project = await first.projects.create(
        image_params(model_id, numberOfMedia=1, steps=30, outputFormat="png")
    )
    project_id = project.id
    await _job_started(project, 30)
    await asyncio.wait_for(first.aclose(), 10)
    await asyncio.sleep(0.3)
    second = await asyncio.wait_for(connect(app_id), 20)
    try:
        recovered: asyncio.Future[str] = asyncio.get_running_loop().create_future()

        def on_recovered(kind: str) -> Callable[[Any], None]:
            def handler(items: Any) -> None:
                ids = {item.get("id") for item in items or [] if isinstance(item, dict)}
                if project_id in ids and not recovered.done():
                    recovered.set_result(kind)

            return handler

        second.projects.on("activeProjectsRecovered", on_recovered("active"))
        second.projects.on("completedProjectsRecovered", on_recovered("completed"))
        result["recoveredAs"] = await asyncio.wait_for(recovered, 20)
        tracked = next((p for p in second.projects.tracked_projects if p.id == project_id), None)
        expect("the recovered project is tracked", tracked is not None)
        if tracked is None:
            return
        expect("project.recovered is true", tracked.recovered is True, tracked.recovered)
        urls = await tracked.wait_for_completion(timeout=60)
        result["status"] = tracked.status
        expect("recovered project completed", tracked.status == "completed", tracked.status)
        result["download"] = await check_download(
            urls[0] if urls else None, "recovered image", "png"
        )
    finally:
        await asyncio.wait_for(second.aclose(), 10)


async def flow_projects_elsewhere(sogni: SogniClient) -> None:
    # README: list_projects_elsewhere() returns in-flight projects of the same account
    # rendering under another app instance.
    other = await asyncio.wait_for(connect(f"sogni-core-peer-py-elsewhere-{os.getpid()}"), 20)
    try:
        model_id = await pick_image_model(other)
        project = await other.projects.create(image_params(model_id, numberOfMedia=1, steps=30))
        await _job_started(project, 30)
        elsewhere = await sogni.projects.list_projects_elsewhere()
        result["elsewhere"] = [{"id": p.get("id"), "status": p.get("status")} for p in elsewhere]
        expect(
            "the other app instance's project is listed",
            any(p.get("id") == project.id for p in elsewhere),
            result["elsewhere"],
        )
        await project.wait_for_completion(timeout=60)
    finally:
        await asyncio.wait_for(other.aclose(), 10)


async def flow_hosted_chat(sogni: SogniClient) -> None:
    model = await _llm_model(sogni)
    if model is None:
        return
    messages = [{"role": "user", "content": "Name three colours."}]
    estimate = await sogni.chat.estimate_cost(
        model=model, messages=messages, max_tokens=64, tokenType="spark"
    )
    result["estimate"] = estimate
    expect("LLM estimate has a finite token cost", _finite(estimate.get("costInToken")), estimate)
    response = await asyncio.wait_for(
        sogni.chat.hosted.create(model=model, messages=messages, max_tokens=64), 30
    )
    choices = response.get("choices") or []
    choice = choices[0] if choices else {}
    message = choice.get("message") or {}
    result["response"] = {
        "id": response.get("id"),
        "object": response.get("object"),
        "finish": choice.get("finish_reason"),
        "content": message.get("content"),
    }
    expect("object is chat.completion", response.get("object") == "chat.completion", response)
    expect("response has an id", isinstance(response.get("id"), str) and response["id"])
    content = message.get("content")
    expect(
        "first choice has assistant text",
        message.get("role") == "assistant" and isinstance(content, str) and content,
        choice,
    )
    expect("first choice has a finish_reason", isinstance(choice.get("finish_reason"), str))


async def flow_account(sogni: SogniClient) -> None:
    me = await sogni.account.me()
    status = await sogni.account.get_subscription_status()
    result["subscription"] = {"active": status.get("active"), "status": status.get("status")}
    expect(
        "subscription status has active and status",
        isinstance(status.get("active"), bool) and isinstance(status.get("status"), str),
        status,
    )
    usage = await sogni.account.get_subscription_usage()
    result["usageKeys"] = sorted(usage)
    expect("subscription usage is an object", isinstance(usage, dict), usage)
    plans = await sogni.account.get_subscription_plans()
    result["planCount"] = len(plans)
    expect("subscription plans is a list", isinstance(plans, list), plans)
    rewards = await sogni.account.rewards()
    result["rewardCount"] = len(rewards)
    expect("rewards is a list", isinstance(rewards, list), rewards)
    history = await sogni.account.transaction_history(
        status="completed", address=me.get("walletAddress"), limit=10
    )
    entries = history.get("entries")
    result["transactions"] = len(entries) if isinstance(entries, list) else None
    expect("transaction history has entries[]", isinstance(entries, list), history)


async def flow_catalog(sogni: SogniClient) -> None:
    await sogni.projects.wait_for_models(20)
    fast = await sogni.projects.get_available_models("fast")
    result["fastModels"] = len(fast)
    expect('get_available_models("fast") is non-empty', fast, fast[:3])
    expect(
        "fast models have id and workerCount",
        all(isinstance(m.get("id"), str) and isinstance(m.get("workerCount"), int) for m in fast),
        fast[:3],
    )
    options = await sogni.projects.get_model_options(VIDEO_MODEL)
    result["videoOptionKeys"] = sorted(options) if isinstance(options, dict) else None
    expect("get_model_options returns a dict", isinstance(options, dict), options)
    loras = await sogni.projects.available_loras()
    result["loras"] = {
        "count": len(loras.get("loras") or []),
        "models": len(loras.get("models") or []),
    }
    expect(
        "LoRA catalog has loras[] and models[]",
        isinstance(loras.get("loras"), list) and isinstance(loras.get("models"), list),
        loras,
    )


async def flow_billing(sogni: SogniClient) -> None:
    # Spending Spark on a render lowers the Spark balance (REST), and the socket's
    # balanceUpdate keeps current_account.balance in step.
    model_id = await pick_image_model(sogni)
    before = await sogni.account.refresh_balance()
    quote = await sogni.projects.estimate_cost(
        network="fast",
        tokenType="spark",
        model=model_id,
        imageCount=2,
        stepCount=4,
        previewCount=0,
        cnEnabled=False,
        width=512,
        height=512,
    )
    project = await sogni.projects.create(
        image_params(model_id, numberOfMedia=2, sizePreset="custom", width=512, height=512)
    )
    await project.wait_for_completion(timeout=60)
    await asyncio.sleep(0.3)
    pushed = float((sogni.current_account.balance.get("spark") or {}).get("net", "nan"))
    after = await sogni.account.refresh_balance()
    spent = float(before["spark"]["net"]) - float(after["spark"]["net"])
    result["balance"] = {
        "before": before["spark"]["net"],
        "after": after["spark"]["net"],
        "pushedBeforeRefresh": pushed,
        "spent": spent,
        "quotedSpark": quote.get("spark"),
    }
    expect("Spark balance went down", spent > 0, result["balance"])
    expect(
        "SOGNI balance unchanged by a Spark render",
        before["sogni"]["net"] == after["sogni"]["net"],
        {"before": before["sogni"], "after": after["sogni"]},
    )
    expect(
        "balanceUpdate pushed the new Spark balance before the REST refresh",
        abs(pushed - float(after["spark"]["net"])) < 1e-9,
        result["balance"],
    )


async def flow_switch_network(sogni: SogniClient) -> None:
    # changeNetwork to relaxed, render there with a relaxed-only model, and switch back.
    await sogni.projects.wait_for_models(20)
    switched = await asyncio.wait_for(sogni.account.switch_network("relaxed"), 15)
    result["switched"] = switched
    expect("switch_network resolves to relaxed", switched == "relaxed", switched)
    network = sogni.current_account.network
    expect("current_account.network is relaxed", network == "relaxed", network)
    relaxed = await sogni.projects.get_available_models("relaxed")
    coreml = next(
        (
            m
            for m in relaxed
            if str(m.get("id", "")).startswith("coreml-") and m.get("workerCount", 0) > 0
        ),
        None,
    )
    listed = [f"{m.get('id')}:{m.get('workerCount')}" for m in relaxed]
    if not expect("a CoreML model has relaxed workers", coreml, listed):
        return
    assert coreml is not None
    project = await sogni.projects.create(
        image_params(
            coreml["id"],
            numberOfMedia=1,
            steps=8,
            guidance=7,
            network="relaxed",
            outputFormat="jpg",
            sizePreset="custom",
            width=512,
            height=512,
        )
    )
    urls = await project.wait_for_completion(timeout=60)
    expect("relaxed project completed", project.status == "completed", project.status)
    result["download"] = await check_download(
        urls[0] if urls else None, "relaxed image", "jpg", (512, 512)
    )
    back = await asyncio.wait_for(sogni.account.switch_network("fast"), 15)
    expect("switch_network back resolves to fast", back == "fast", back)


# --- flows for an emulator started with a fault (see FAULT_FLOWS in _harness.py) ----------


def _track_connection(sogni: SogniClient) -> list[str]:
    events: list[str] = []

    def recorder(name: str) -> Callable[[Any], None]:
        return lambda _data: events.append(name)

    for name in ("connecting", "connected", "disconnected"):
        sogni.api_client.on(name, recorder(name))
    return events


async def flow_job_failure(sogni: SogniClient) -> None:
    # Emulator: --faults worker-error=50 (the worker fails the job at 50 %).
    model_id = await pick_image_model(sogni)
    project = await sogni.projects.create(image_params(model_id, numberOfMedia=1, steps=8))
    seen: dict[str, Any] = {"failed": None, "jobFailed": None}
    project.on("failed", lambda error: seen.__setitem__("failed", error))
    project.on("jobFailed", lambda job: seen.__setitem__("jobFailed", job.error))
    rejection: BaseException | None = None
    try:
        await project.wait_for_completion(timeout=60)
    except Exception as error:  # the expected outcome: the SDK's ProjectError
        rejection = error
    await asyncio.sleep(0.2)
    result.update(status=project.status, failed=seen["failed"], jobFailed=seen["jobFailed"])
    result["rejection"] = f"{type(rejection).__name__}: {rejection}" if rejection else None
    expect("wait_for_completion raised", rejection is not None)
    expect("project status is failed", project.status == "failed", project.status)
    failed, job_failed = seen["failed"], seen["jobFailed"]
    expect(
        "failed event carried an error",
        isinstance(failed, dict) and isinstance(failed.get("message"), str),
        failed,
    )
    expect(
        "jobFailed event carried an error",
        isinstance(job_failed, dict) and isinstance(job_failed.get("message"), str),
        job_failed,
    )


async def flow_nsfw(sogni: SogniClient) -> None:
    # Emulator: --faults nsfw (every result trips the safety filter).
    model_id = await pick_image_model(sogni)
    project = await sogni.projects.create(image_params(model_id, numberOfMedia=1))
    urls = await project.wait_for_completion(timeout=60)
    job = project.jobs[0] if project.jobs else None
    result["urls"] = urls
    result["status"] = project.status
    result["job"] = (
        {
            "status": job.status,
            "isNSFW": job.is_nsfw,
            "resultUrl": job.result_url,
            "hasResultMedia": job.has_result_media,
        }
        if job
        else None
    )
    expect("project completed", project.status == "completed", project.status)
    expect("job is flagged NSFW", job is not None and job.is_nsfw is True, result["job"])
    expect("job has no result URL", job is not None and not job.result_url, result["job"])
    expect(
        "job has no result media", job is not None and job.has_result_media is False, result["job"]
    )


async def _survives_connection_loss(sogni: SogniClient, fmt: str, label: str) -> None:
    events = _track_connection(sogni)
    model_id = await pick_image_model(sogni)
    project = await sogni.projects.create(
        image_params(model_id, numberOfMedia=1, steps=12, outputFormat=fmt)
    )
    outcome: Any
    try:
        outcome = await project.wait_for_completion(timeout=60)
    except Exception as error:  # reported through the expectation below
        outcome = error
    result["connectionEvents"] = events
    result["status"] = project.status
    expect(
        "the socket dropped and reconnected",
        "connecting" in events and "connected" in events,
        events,
    )
    expect(
        f"project completed after the {label}",
        project.status == "completed",
        {"status": project.status, "outcome": describe(outcome)},
    )
    if isinstance(outcome, list):
        result["download"] = await check_download(
            outcome[0] if outcome else None, f"image after {label}", fmt
        )


async def flow_drop_reconnect(sogni: SogniClient) -> None:
    # Emulator: --faults drop-at-progress=30 (TCP abort of the owner's socket mid-render).
    await _survives_connection_loss(sogni, "jpg", "reconnect")


async def flow_restart_recovery(sogni: SogniClient) -> None:
    # Emulator: --faults restart-at-progress=40 (close 1012, projects handed back on reconnect).
    await _survives_connection_loss(sogni, "png", "restart")


async def flow_balance(sogni: SogniClient) -> None:
    balance = await sogni.account.refresh_balance()
    result["balance"] = balance
    for token in ("sogni", "spark"):
        entry = balance.get(token) or {}
        expect(f"{token} balance has a numeric net", _finite(entry.get("net")), entry)
        expect(f"{token} balance has a numeric settled", _finite(entry.get("settled")), entry)
    current = sogni.current_account.balance or {}
    expect(
        "current_account.balance updated",
        (current.get("spark") or {}).get("net") == (balance.get("spark") or {}).get("net"),
        current,
    )


FLOWS: dict[str, Callable[[SogniClient], Awaitable[None]]] = {
    "connect": flow_connect,
    "models": flow_models,
    "presets": flow_presets,
    "estimate": flow_estimate,
    "image-promise": flow_image_promise,
    "image-events": flow_image_events,
    "cancel": flow_cancel,
    "video": flow_video,
    "audio": flow_audio,
    "chat": flow_chat,
    "chat-stream": flow_chat_stream,
    "balance": flow_balance,
    "image-preset": flow_image_preset,
    "determinism": flow_determinism,
    "previews": flow_previews,
    "concurrent": flow_concurrent,
    "project-get": flow_project_get,
    "subscriptions": flow_subscriptions,
    "img2img": flow_img2img,
    "image-edit": flow_image_edit,
    "video-i2v": flow_video_i2v,
    "chat-tools": flow_chat_tools,
    "recover-new-client": flow_recover_new_client,
    "projects-elsewhere": flow_projects_elsewhere,
    "hosted-chat": flow_hosted_chat,
    "account": flow_account,
    "catalog": flow_catalog,
    "billing": flow_billing,
    "switch-network": flow_switch_network,
    "job-failure": flow_job_failure,
    "nsfw": flow_nsfw,
    "drop-reconnect": flow_drop_reconnect,
    "restart-recovery": flow_restart_recovery,
}


async def main() -> None:
    _install_handlers(asyncio.get_running_loop())
    flow = FLOWS.get(FLOW)
    if flow is None:
        record_error("usage", f"unknown flow {FLOW!r}; known: {', '.join(FLOWS)}")
        return
    for name, value in (
        ("SOGNI_REST_URL", REST),
        ("SOGNI_SOCKET_URL", SOCKET),
        ("SOGNI_API_KEY", API_KEY),
    ):
        if not value:
            record_error("usage", f"{name} is not set")
    if errors:
        return
    sogni: SogniClient | None = None
    try:
        sogni = await asyncio.wait_for(connect(), 20)
        await asyncio.wait_for(flow(sogni), TIMEOUT_S)
    except Exception as error:  # the summary reports it; the exit code fails the run
        record_error("exception", error)
    finally:
        if sogni is not None:
            try:
                await asyncio.wait_for(sogni.aclose(), 10)
            except Exception as error:
                record_error("close", error)
    await asyncio.sleep(0.2)  # let failed fire-and-forget tasks reach the exception handler


def run() -> int:
    started = time.monotonic()
    asyncio.run(main())
    summary = {
        "flow": FLOW,
        "ok": not errors,
        "sdk": "sogni-client==5.70.0",
        "python": sys.version.split()[0],
        "durationMs": round((time.monotonic() - started) * 1000),
        "errors": errors,
        "warnings": warnings,
        "checks": checks,
        "artifacts": artifacts,
        "result": result,
    }
    sys.stdout.write(json.dumps(summary, default=str) + "\n")
    sys.stdout.flush()
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(run())
