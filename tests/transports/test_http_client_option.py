"""``SogniClient(http_client=...)``: a caller's httpx client carries every REST
request (its hooks see them all), on all three transports, and stays the
caller's: closing the SogniClient does not close it."""

from __future__ import annotations

from typing import Any

import httpx

from sogni_core.protocol.jobrequest import ImageProjectParams


async def _through_callers_client(h: Any, emu: Any) -> None:
    seen: list[str] = []

    def hook(request: httpx.Request) -> None:
        seen.append(request.url.path)

    async def ahook(request: httpx.Request) -> None:
        hook(request)

    if h.is_async:
        http: Any = httpx.AsyncClient(event_hooks={"request": [ahook]})
    else:
        http = httpx.Client(event_hooks={"request": [hook]})
    try:
        async with h.client(emu, http_client=http) as client:
            params = ImageProjectParams(
                model_id="flux1-schnell-fp8",
                positive_prompt="a lighthouse at dusk",
                steps=4,
                number_of_media=2,
            )
            project = await h.call(client.projects.create(params))
            urls = await h.call(project.wait(20))
            assert len(urls) == 2
        # every REST request the client made went through the caller's client:
        # the catalogue, and one signed result URL per image
        assert any(path.endswith("/models/list") for path in seen), seen
        assert sum(path.endswith("/image/downloadUrl") for path in seen) == 2, seen
        assert not http.is_closed, "the caller's client was closed for them"
    finally:
        await h.call(http.aclose() if h.is_async else http.close())


def test_callers_http_client_carries_rest(h: Any, emulator_factory: Any) -> None:
    with emulator_factory() as emu:
        h.run(_through_callers_client, emu)
