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

from sogni_core.chat import ChatError
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

from ._chat import Chat, ChatStream
from ._client import Account, Project, ProjectEvents, Projects, SogniClient

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
    "WebSocketClosed",
]
