"""Fixtures for the emulator tests: a fresh in-thread emulator per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sogni_emulator import Emulator

from .wsclient import WsClient


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator.run_in_thread(seed=7, owner_grace=2.0) as emulator:
        yield emulator


@pytest.fixture
def connect(emu: Emulator) -> Iterator[Any]:
    """Open authenticated sockets; all are closed at teardown."""
    clients: list[WsClient] = []

    def open_client(**kwargs: Any) -> WsClient:
        kwargs.setdefault("headers", {"api-key": emu.api_key})
        client = WsClient(emu.socket_url, **kwargs)
        clients.append(client)
        return client

    yield open_client
    for client in clients:
        client.close()


def greet(client: WsClient) -> list[tuple[str, Any]]:
    """Consume the greeting (up to socketEventSubscriptionsUpdated)."""
    return client.recv_until(lambda t, _p: t == "socketEventSubscriptionsUpdated")


def image_request(prompt: str = "a lighthouse", **overrides: Any) -> dict[str, Any]:
    """A minimal jobRequest of the shape the SDKs send (01 §4.3)."""
    keyframe: dict[str, Any] = {
        "modelID": overrides.pop("modelID", "flux1-schnell-fp8"),
        "positivePrompt": prompt,
        "negativePrompt": "",
        "stylePrompt": "",
        "steps": overrides.pop("steps", 4),
        "guidanceScale": 1,
        "sizePreset": overrides.pop("sizePreset", "square"),
    }
    keyframe.update(overrides.pop("keyframe", {}))
    request: dict[str, Any] = {
        "keyFrames": [keyframe],
        "previews": 0,
        "disableSafety": False,
        "numberOfImages": 1,
        "jobID": str(uuid.uuid4()).upper(),
        "outputFormat": "png",
    }
    request.update(overrides)
    return request


def until_completed(project_id: str) -> Any:
    def done(type_: str, payload: Any) -> bool:
        return (
            isinstance(payload, dict)
            and payload.get("jobID") == project_id
            and (
                (type_ == "jobState" and payload.get("type") == "jobCompleted")
                or (type_ == "jobError" and "imgID" not in payload)
            )
        )

    return done
