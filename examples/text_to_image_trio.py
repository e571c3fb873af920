"""Text to image with the trio client.

    python examples/text_to_image_trio.py --endpoint http://127.0.0.1:8080 \
        --api-key sogni-dev-key --out out "a lighthouse at dusk"
"""

from __future__ import annotations

import trio
from _common import client_kwargs, parser
from sogni_trio import SogniClient

from sogni_core.protocol.jobrequest import ImageProjectParams


async def main() -> None:
    p = parser("Generate images from a prompt (trio).")
    p.add_argument("prompt")
    p.add_argument("--count", type=int, default=1)
    args = p.parse_args()
    async with SogniClient(app_source="examples", **client_kwargs(args)) as client:
        params = ImageProjectParams(
            model_id=args.model, positive_prompt=args.prompt, number_of_media=args.count, steps=4
        )
        project = await client.projects.create(params)
        await project.wait()
        for path in await project.download(args.out):
            print(path)


if __name__ == "__main__":
    trio.run(main)
