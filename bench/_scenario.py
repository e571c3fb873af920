"""A recorded-like server -> client frame stream, shared by the benchmarks.

One *session* is what a client sees on one socket while it runs ``projects`` image
projects of ``jobs`` images each, concurrently: the greeting (``authenticated``,
``balanceUpdate``, ``swarmModels``), then per project two ``jobState queued``, per job
``initiatingModel``, ``jobStarted``, ``steps`` ``jobProgress`` frames with ``jobETA``
frames between them, and a ``jobResult``, then ``jobState jobCompleted``; plus a few
``jobTokens`` of an LLM job this client does not track. The per-project sequences are
interleaved at random (seeded, so every run and every contender sees the same bytes),
keeping each project's own order, as a server multiplexing several workers does.

Every ``jobResult`` carries a direct ``resultUrl`` (as external-API workers send), so no
contender has to mint a signed download URL over REST inside the measured loop.

Frames are built with :func:`sogni_core.protocol.frames.encode_frame` (byte-exact
``JSON.stringify``) and kept as ``bytes``: the server sends binary frames (01 §2.1).
"""

from __future__ import annotations

import base64
import random
import uuid
from collections import Counter
from typing import Any

import msgspec

from sogni_core.protocol.frames import encode_frame

__all__ = [
    "MODEL_ID",
    "Scenario",
    "build_scenario",
]

MODEL_ID = "flux1-schnell-fp8"


class Scenario(msgspec.Struct, frozen=True, kw_only=True):
    """The frames of one session and what a correct client ends up with.

    Attributes:
        frames: every frame, in arrival order.
        project_ids: the tracked projects (uppercase UUIDs).
        jobs: images per project (``numberOfMedia``).
        steps: diffusion steps per image.
        chat_job_id: id of the untracked LLM job whose ``jobTokens`` are in the stream.
    """

    frames: tuple[bytes, ...]
    project_ids: tuple[str, ...]
    jobs: int
    steps: int
    chat_job_id: str

    def mix(self) -> dict[str, int]:
        """Frame count per ``type`` (``jobState`` split by its tag)."""
        counts: Counter[str] = Counter()
        for raw in self.frames:
            envelope = msgspec.json.decode(raw)
            name = envelope["type"]
            if name == "jobState":
                payload = msgspec.json.decode(base64.b64decode(envelope["data"]))
                name = f"jobState:{payload['type']}"
            counts[name] += 1
        return dict(sorted(counts.items()))

    def params(self) -> dict[str, Any]:
        """The create params each project was submitted with (SDK spelling)."""
        return {
            "type": "image",
            "modelId": MODEL_ID,
            "positivePrompt": "a lighthouse at dusk",
            "numberOfMedia": self.jobs,
            "steps": self.steps,
            "network": "fast",
            "tokenType": "spark",
        }


def _uid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper()


def _balance() -> dict[str, Any]:
    sogni = {"settled": "120.5", "credit": "0", "debit": "0", "net": "120.5"}
    spark = {**sogni, "premiumCredit": "0"}
    return {"sogni": sogni, "spark": spark}


def _greeting(rng: random.Random) -> list[bytes]:
    account = _uid(rng)
    tokens = {
        "sogni": {"settled": "120.5", "credit": "0", "debit": "0", "net": "120.5"},
        "spark": {"settled": "40", "credit": "0", "debit": "0", "net": "40"},
    }
    authenticated = {
        "id": account,
        "clientType": "artist",
        "username": "bench",
        "address": "0x" + "ab" * 20,
        "SID": 1,
        "clientSID": 2,
        "addressSID": 3,
        "balanceVersion": 2,
        "tokens": tokens,
        "subscriptionEntitlement": {
            "active": False,
            "trialing": False,
            "trialCapped": False,
            "subscription": None,
        },
        "activeProjects": [],
        "unclaimedCompletedProjects": [],
        "isMainnet": True,
        "accountWasMigrated": False,
        "hasUnclaimedAirdrop": False,
        "firstLoginAfterMigration": False,
    }
    models = {f"model-{i:02d}": rng.randint(1, 40) for i in range(30)}
    models[MODEL_ID] = 12
    return [
        encode_frame("authenticated", authenticated).encode(),
        encode_frame("balanceUpdate", _balance()).encode(),
        encode_frame("swarmModels", models).encode(),
    ]


def _project_frames(pid: str, jobs: int, steps: int, rng: random.Random) -> list[bytes]:
    out = [
        encode_frame(
            "jobState",
            {
                "type": "queued",
                "jobID": pid,
                "queuePosition": position,
                "estimatedStartSeconds": position * 1.5,
                "queueStatus": "waiting",
            },
        ).encode()
        for position in (2, 1)
    ]
    for index in range(jobs):
        jid = _uid(rng)
        worker = f"worker-{rng.randint(1, 99):02d}"
        for kind in ("initiatingModel", "jobStarted"):
            state = {"type": kind, "jobID": pid, "imgID": jid, "workerName": worker}
            out.append(encode_frame("jobState", {**state, "jobIndex": index}).encode())
        for step in range(1, steps + 1):
            progress = {"jobID": pid, "imgID": jid, "step": step, "stepCount": steps}
            out.append(encode_frame("jobProgress", progress).encode())
            if step % 4 == 0:
                eta = {"jobID": pid, "imgID": jid, "etaSeconds": (steps - step) * 0.25}
                out.append(encode_frame("jobETA", eta).encode())
        result = {
            "jobID": pid,
            "imgID": jid,
            "performedStepCount": steps,
            "lastSeed": str(rng.getrandbits(32)),
            "triggeredNSFWFilter": False,
            "userCanceled": False,
            "resultUrl": f"https://cdn.example.invalid/{pid}/{jid}.png",
        }
        out.append(encode_frame("jobResult", result).encode())
    out.append(encode_frame("jobState", {"type": "jobCompleted", "jobID": pid}).encode())
    return out


def _token_frames(job_id: str, count: int) -> list[bytes]:
    words = ["The", " light", "house", " stands", " at", " dusk", "."]
    return [
        encode_frame(
            "jobTokens", {"jobID": job_id, "content": words[i % len(words)], "role": "assistant"}
        ).encode()
        for i in range(count)
    ]


def build_scenario(
    *, projects: int = 8, jobs: int = 4, steps: int = 20, tokens: int = 12, seed: int = 7
) -> Scenario:
    """Build one session's frames.

    Args:
        projects: concurrent image projects.
        jobs: images per project.
        steps: diffusion steps per image (one ``jobProgress`` each, a ``jobETA`` every 4).
        tokens: ``jobTokens`` frames of the untracked LLM job.
        seed: interleaving and id seed.

    Returns:
        The scenario; the same arguments always give the same bytes.
    """
    rng = random.Random(seed)
    greeting = _greeting(rng)
    pids = tuple(_uid(rng) for _ in range(projects))
    chat_id = _uid(rng)
    queues = [_project_frames(pid, jobs, steps, rng) for pid in pids]
    queues.append(_token_frames(chat_id, tokens))
    cursors = [0] * len(queues)
    body: list[bytes] = []
    live = [i for i, q in enumerate(queues) if q]
    while live:
        i = rng.choice(live)
        body.append(queues[i][cursors[i]])
        cursors[i] += 1
        if cursors[i] == len(queues[i]):
            live.remove(i)
    return Scenario(
        frames=tuple(greeting + body), project_ids=pids, jobs=jobs, steps=steps, chat_job_id=chat_id
    )
