"""Text (or image) to video with the asyncio client.

    python examples/video.py --endpoint http://127.0.0.1:8080 --api-key sogni-dev-key \
        --out out [--image start.png] "a boat on a calm sea"
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from _common import client_kwargs, parser
from sogni_asyncio import SogniClient

from sogni_core.protocol.jobrequest import VideoProjectParams
from sogni_core.state import events as ev

T2V = "wan_v2.2-14b-fp8_t2v_lightx2v"
I2V = "wan_v2.2-14b-fp8_i2v_lightx2v"


async def main() -> None:
    p = parser("Generate a short video.")
    p.add_argument("prompt")
    p.add_argument("--image", type=Path, help="reference image: switches to image-to-video")
    p.add_argument("--duration", type=float, default=2.0)
    args = p.parse_args()
    async with SogniClient(**client_kwargs(args)) as client:
        params = VideoProjectParams(
            model_id=I2V if args.image else T2V,
            positive_prompt=args.prompt,
            reference_image=args.image,  # a path: read off the event loop, uploaded
            duration=args.duration,
            fps=16,
            width=480,
            height=480,
        )
        project = await client.projects.create(params)
        project.on(ev.ProjectProgressed, lambda e: print(f"{e.progress}%"))
        await project.wait()
        for path in await project.download(args.out):
            print(path)


if __name__ == "__main__":
    asyncio.run(main())
