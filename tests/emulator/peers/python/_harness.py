"""The harness every peer flow script of the official Python SDK shares (``flows.py``,
``workflows.py``): endpoints from the environment, error capture, expectations, downloads
checked by magic bytes, Content-Type and size, and the one-JSON-line summary.

Errors are: an exception out of the flow, an ERROR-level record on the ``sogni_client`` logger
(the SDK logs failed downloads and listener errors there), an exception reported to the event
loop's exception handler (a task that failed with nobody awaiting it), a failed expectation, or
the timeout. The API key never appears in the summary.

This is our own harness code; it uses only the SDK's public API. It runs in the peer venv, not
the project venv, so it imports nothing from this repository.
"""

import asyncio
import json
import logging
import os
import struct
import sys
import time
import traceback
from collections.abc import Awaitable, Callable, Mapping
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


async def _llm_model(sogni: SogniClient) -> str | None:
    models = await asyncio.wait_for(sogni.chat.wait_for_models(20), 25)
    ids = list(models)
    result["llmModels"] = ids
    return ids[0] if expect("an LLM model is listed", ids) else None


# --- entry point ------------------------------------------------------------------------


Flows = Mapping[str, Callable[[SogniClient], Awaitable[None]]]


async def main(flows: Flows) -> None:
    _install_handlers(asyncio.get_running_loop())
    flow = flows.get(FLOW)
    if flow is None:
        record_error("usage", f"unknown flow {FLOW!r}; known: {', '.join(flows)}")
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


def run(flows: Flows) -> int:
    """Run the flow named on the command line; print the summary; 0 only without errors."""
    started = time.monotonic()
    asyncio.run(main(flows))
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
