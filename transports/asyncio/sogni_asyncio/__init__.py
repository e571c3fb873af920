"""sogni_asyncio: the asyncio client of the Sogni Supernet, on the sans-IO core.

Example::

    from sogni_asyncio import SogniClient
    from sogni_core.protocol.jobrequest import ImageProjectParams

    async with SogniClient(app_id="my-app", api_key=KEY) as client:
        project = await client.projects.create(
            ImageProjectParams(model_id="flux1-schnell-fp8", positive_prompt="a cat")
        )
        urls = await project.wait()
"""

from typing import TYPE_CHECKING, Any

from sogni_core.client import (
    ClientClosedError,
    ConnectTimeoutError,
    TransportError,
    WebSocketClosed,
)
from sogni_core.protocol._errors import (
    ApiError,
    ApiStatusError,
    ConnectionClosedError,
    InvalidParamsError,
    JobFailedError,
    SogniError,
)

from ._backend import WEBSOCKETS
from ._client import Account, Projects, SogniClient
from ._project import Project, ProjectEvents

if TYPE_CHECKING:
    from sogni_core.chat import ChatError

    from ._chat import Chat, ChatStream

# The chat names load sogni_core.chat (and its generated tool schemas) on
# first access, keeping ``import sogni_asyncio`` fast (PEP 562).
_LAZY = {"Chat": "._chat", "ChatStream": "._chat", "ChatError": "sogni_core.chat"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "Account",
    "ApiError",
    "ApiStatusError",
    "Chat",
    "ChatError",
    "ChatStream",
    "ClientClosedError",
    "ConnectTimeoutError",
    "ConnectionClosedError",
    "InvalidParamsError",
    "JobFailedError",
    "Project",
    "ProjectEvents",
    "Projects",
    "SogniClient",
    "SogniError",
    "TransportError",
    "WEBSOCKETS",
    "WebSocketClosed",
]
