"""SSE decoding parity with the official TS SDK's ``parseCreativeWorkflowSseChunk`` (02 §5.5).

The SDK's workflow parser is not a WHATWG decoder (it trims blocks, keeps ids
per block, JSON-parses data), but on the well-formed streams the Sogni server
emits - ``id:``/``event:``/``data:`` lines with one space, blank-line separated
- it must agree with :class:`SSEDecoder` on every frame's id, event and data.
The SDK is the shared node peer (``tests/_peers.py``), installed on first use.
"""

from __future__ import annotations

import json
import random

from sogni_core.protocol.sse import SSEDecoder
from tests._peers import run_with_sdk

_HARNESS = r"""
const sdk = require(process.argv[1]);
const streams = JSON.parse(require('fs').readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(streams.map((s) => sdk.parseCreativeWorkflowSseChunk(s))));
"""


def _stream(rng: random.Random) -> str:
    blocks = []
    for seq in range(rng.randint(1, 6)):
        lines = [f"id: {seq + 1}"]
        if rng.random() < 0.6:
            lines.append(f"event: {rng.choice(['workflow_status', 'step_completed', 'x'])}")
        payload = {
            "workflowId": f"wf_{rng.randint(0, 99)}",
            "sequence": seq + 1,
            "status": rng.choice(["running", "completed", "waiting_for_user"]),
            "message": "".join(rng.choice("ab é☃:{}") for _ in range(rng.randint(0, 8))),
        }
        text = json.dumps(payload, ensure_ascii=False, indent=rng.choice([None, 1]))
        lines.extend(f"data: {part}" for part in text.split("\n"))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n\n"


def test_workflow_frames_agree_with_sdk_parser() -> None:
    rng = random.Random(7)
    streams = [_stream(rng) for _ in range(60)]
    streams.append(
        'id: 7\nevent: workflow_status\ndata: {"workflowId":"wf_1","status":"completed"}\n\n'
    )
    theirs = run_with_sdk(_HARNESS, streams)
    total = 0
    for stream, frames in zip(streams, theirs, strict=True):
        decoder = SSEDecoder()
        raw = stream.encode()
        ours = [e for i in range(len(raw)) for e in decoder.feed(raw[i : i + 1])]
        ours += decoder.finish()
        assert len(ours) == len(frames), stream
        for event, frame in zip(ours, frames, strict=True):
            assert event.id == frame["id"]
            assert event.event == frame["event"]
            assert json.loads(event.data) == frame["data"]
            total += 1
    assert total > 60
