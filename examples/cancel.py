"""Cancel a running project: explicitly, or by cancelling the task awaiting it.

python examples/cancel.py --endpoint http://127.0.0.1:8080 --api-key sogni-dev-key "a cat"
"""

from __future__ import annotations

import asyncio

from _common import client_kwargs, parser
from sogni_asyncio import JobFailedError, SogniClient

from sogni_core.protocol.jobrequest import ImageProjectParams
from sogni_core.state import events as ev


async def main() -> None:
    p = parser("Start two projects and cancel both.")
    p.add_argument("prompt")
    args = p.parse_args()
    async with SogniClient(**client_kwargs(args)) as client:
        params = ImageProjectParams(model_id=args.model, positive_prompt=args.prompt, steps=4)

        # 1. Explicit cancel once the render is under way.
        first = await client.projects.create(params)
        async for event in first.events():
            if isinstance(event, (ev.JobProcessing, ev.JobProgressed)):
                await first.cancel()
        try:
            await first.wait()
        except JobFailedError as exc:
            print("first:", exc)

        # 2. A timeout around wait() cancels the remote project too.
        second = await client.projects.create(params)
        try:
            await asyncio.wait_for(second.wait(), 0.2)
        except asyncio.TimeoutError:
            print("second: wait() cancelled, project canceled remotely")


if __name__ == "__main__":
    asyncio.run(main())
