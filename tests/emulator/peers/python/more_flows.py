"""More flows of the official Python SDK for ``flows.py`` (which runs them): hosted tools, recovery
with a new client, account, catalogue, billing, network switching, and the flows that need an
emulator started with a fault. Helpers and reporting rules are ``_harness.py``'s.
"""

import asyncio
import json
import os
from collections.abc import Callable
from typing import Any

from _harness import (
    VIDEO_MODEL,
    _finite,
    _llm_model,
    check_download,
    connect,
    describe,
    expect,
    image_params,
    pick_image_model,
    result,
)
from sogni_client import SogniClient


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
