"""Watch every typed event of a project and of the connection.

python examples/events.py --endpoint http://127.0.0.1:8080 --api-key sogni-dev-key "a cat"
"""

from __future__ import annotations

import asyncio

from _common import client_kwargs, parser
from sogni_asyncio import SogniClient

from sogni_core.protocol.jobrequest import ImageProjectParams
from sogni_core.state import events as ev


async def main() -> None:
    p = parser("Print the event stream of one project.")
    p.add_argument("prompt")
    p.add_argument("--count", type=int, default=2)
    args = p.parse_args()
    async with SogniClient(**client_kwargs(args)) as client:
        client.on(ev.Connecting, lambda e: print("connecting, attempt", e.attempt))
        client.on(ev.ServerNotice, lambda e: print("server:", e.name))
        models = await client.projects.wait_for_models()
        print(f"{len(models)} models online")
        project = await client.projects.create(
            ImageProjectParams(
                model_id=args.model,
                positive_prompt=args.prompt,
                number_of_media=args.count,
                steps=4,
            )
        )
        async for event in project.events():
            print(event)
        print(await project.wait())


if __name__ == "__main__":
    asyncio.run(main())
