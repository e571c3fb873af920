"""Drive the official Sogni Python SDK (sogni-client 5.70.0) against a local endpoint.

Run with the peer venv's interpreter (``.cache/peers/pysdk-venv/bin/python``), one flow per
process; it prints one JSON summary line on stdout and exits 0 only when the flow recorded no
error.

Usage: ``python flows.py <flow>`` with ``SOGNI_REST_URL``, ``SOGNI_SOCKET_URL`` and
``SOGNI_API_KEY`` in the environment (``FLOW_TIMEOUT_S`` optional, default 90).

The reporting rules and helpers are ``_harness.py``'s; the account, catalogue, recovery and
fault flows are in ``more_flows.py``. Our own code, the SDK's public API only.
"""

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from _harness import (
    AUDIO_MODEL_PREFERENCE,
    VIDEO_MODEL,
    _finite,
    _llm_model,
    check_download,
    describe,
    expect,
    image_params,
    pick_image_model,
    record_error,
    result,
    run,
    save_artifact,
    sniff,
)
from more_flows import (
    flow_account,
    flow_balance,
    flow_billing,
    flow_catalog,
    flow_chat_tools,
    flow_drop_reconnect,
    flow_hosted_chat,
    flow_job_failure,
    flow_nsfw,
    flow_projects_elsewhere,
    flow_recover_new_client,
    flow_restart_recovery,
    flow_switch_network,
)
from sogni_client import SogniClient

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


if __name__ == "__main__":
    sys.exit(run(FLOWS))
