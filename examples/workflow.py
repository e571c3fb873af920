"""A durable two-step workflow (keyframe image -> video clip) with the asyncio client.

    python examples/workflow.py --endpoint http://127.0.0.1:8080 \
        --api-key sogni-dev-key --out out "a lighthouse at dusk"

The plan is built and validated locally (WorkflowBuilder, field-named errors), started,
and its events streamed until it finishes; the stream resumes by itself after a dropped
connection. The artifacts are then downloaded into ``--out``.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from _common import client_kwargs, parser
from sogni_asyncio import SogniClient

from sogni_core.workflows import WorkflowBuilder, bind

SUFFIX = {"image/png": ".png", "image/jpeg": ".jpg", "video/mp4": ".mp4", "audio/mpeg": ".mp3"}


async def main() -> None:
    p = parser("Run a keyframe-to-clip creative workflow.")
    p.add_argument("prompt")
    p.add_argument("--duration", type=int, default=5, help="clip length in seconds")
    args = p.parse_args()
    plan = (
        WorkflowBuilder(f"Keyframe to clip: {args.prompt}")
        .step("keyframe", "generate_image", {"prompt": args.prompt})
        .step(
            "clip",
            "generate_video",
            {"prompt": f"{args.prompt}, gentle camera move", "duration": args.duration},
            depends_on=[
                bind(
                    "keyframe",
                    "referenceImageIndices",
                    "image_index",
                    index=0,
                    media_type="image",
                    required=True,
                )
            ],
        )
        .build()
    )
    async with SogniClient(app_source="examples", **client_kwargs(args)) as client:
        workflow = await client.workflows.start(plan)
        print(f"started {workflow.workflow_id}")
        async for frame in client.workflows.stream_events(workflow.workflow_id):
            data = frame.data if isinstance(frame.data, dict) else {}
            step = (data.get("data") or {}).get("stepId", "")
            print(f"[{frame.id}] {frame.event} {step} {data.get('status') or ''}".rstrip())
        record = await client.workflows.get(workflow.workflow_id)
        print(f"{record.workflow_id}: {record.status}")
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        async with httpx.AsyncClient(timeout=60) as http:
            for artifact in record.artifacts:
                if not artifact.url:
                    continue
                response = await http.get(artifact.url)
                response.raise_for_status()
                suffix = SUFFIX.get(artifact.mime_type or "", ".bin")
                path = out / f"{artifact.step_id or 'artifact'}-{artifact.id}{suffix}"
                path.write_bytes(response.content)
                print(path)
        if record.status != "completed":
            raise SystemExit(1)


if __name__ == "__main__":
    asyncio.run(main())
