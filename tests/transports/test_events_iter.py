"""``project.events()`` is a plain iterator: breaking out early needs no
``aclosing()``, warns nothing (warnings are errors here) and unregisters its
queue from the project, on all three transports."""

from __future__ import annotations

import gc
import warnings
from typing import Any

from sogni_core.protocol.jobrequest import ImageProjectParams
from sogni_core.state import events as ev

MODEL = "flux1-schnell-fp8"


async def _break_early(h: Any, emu: Any) -> None:
    params = ImageProjectParams(model_id=MODEL, positive_prompt="a fox", steps=4)
    async with h.client(emu) as client:
        project = await h.call(client.projects.create(params))
        seen: list[ev.Event] = []
        if h.is_async:
            async for event in project.events():
                seen.append(event)
                break
        else:
            for event in project.events():
                seen.append(event)
                break
        gc.collect()
        assert seen, "no event before the break"
        assert project._queues == [], "the iterator's queue is still registered"
        # an explicitly closed iterator also lets go, and yields nothing more
        it = project.events()
        assert len(project._queues) == 1
        await h.call(it.aclose() if h.is_async else it.close())
        assert project._queues == []
        # a full pass still ends after the end event, then unregisters
        await h.call(project.wait(20))
        kinds: list[type] = []
        if h.is_async:
            async for event in project.events():
                kinds.append(type(event))
        else:
            for event in project.events():
                kinds.append(type(event))
        assert kinds[-1] is ev.ProjectCompleted
        assert project._queues == []
        # let the loop run finalisers (trio reports dropped async generators
        # from a system task) before the run ends
        await h.sleep(0.05)
        gc.collect()


def test_breaking_out_of_events_early(h: Any, emulator_factory: Any) -> None:
    with emulator_factory() as emu, warnings.catch_warnings():
        warnings.simplefilter("error")
        h.run(_break_early, emu)


# -- the HTTP event streams (workflows, hosted chat) -------------------------------------

LLM = "qwen3.6-35b-a3b-gguf-iq4xs"


def _httpx_client(client: Any) -> Any:
    return client._rest._client


async def _break_streams(h: Any, emu: Any) -> None:
    from tests.workflows.test_surfaces import _plan

    async with h.client(emu) as client:
        wf = await h.call(client.workflows.start(_plan(), idempotency_key="early-1"))
        stream = client.workflows.stream_events(wf.workflow_id)
        if h.is_async:
            async for _frame in stream:
                break
        else:
            for _frame in stream:
                break
        del stream  # dropped unfinished: closed in the background, no warning
        messages = [{"role": "user", "content": "write a haiku"}]
        chunks = await h.call(client.chat.hosted.create(model=LLM, messages=messages, stream=True))
        it = chunks.__aiter__() if h.is_async else iter(chunks)
        first = await h.call(it.__anext__() if h.is_async else next(it))
        assert first is not None
        await h.call(it.aclose() if h.is_async else it.close())
        if h.is_async:
            assert [c async for c in it] == []  # closed: nothing more
        # the client still works afterwards (the pool was not left wedged)
        assert (await h.call(client.account.balance())).spark.net
        # the streams ran on the transport's own pool: httpx was never needed
        assert _httpx_client(client) is None
        gc.collect()
        await h.sleep(0.1)
        gc.collect()


def test_breaking_out_of_http_streams_early(h: Any, emulator_factory: Any) -> None:
    # On every transport, trio included: the streams run on the transport's own
    # request pool (class iterators, no nested async generators left unfinished).
    with emulator_factory() as emu, warnings.catch_warnings():
        warnings.simplefilter("error")
        h.run(_break_streams, emu)
