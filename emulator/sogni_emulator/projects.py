"""Project and job records: parsing ``jobRequest`` and the REST/recovery shapes.

A project is one ``jobRequest`` (wire reference 01 §4.1); its jobs are the
media items, each with a server-assigned ``imgID``.  This module holds the
state only; :mod:`.workers` drives it.
"""

from __future__ import annotations

import asyncio
import base64
import random
import uuid
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ._frames import encode_payload
from .auth import Account
from .cost import JobCost, JobShape

__all__ = ["JobRun", "ProjectRun", "RequestError", "parse_job_request"]

# RawProject status (01 §4.11.2) and RawJob status values.
PROJECT_FINISHED = frozenset({"completed", "errored", "cancelled"})


class RequestError(Exception):
    """A ``jobRequest`` the emulator refuses (answered with a project ``jobError``)."""

    def __init__(self, code: int | str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class JobRun:
    """One media item of a project."""

    img_id: str
    index: int
    seed: int
    worker: str
    status: str = "created"
    reason: str | None = None
    step: int = 0
    step_count: int = 0
    create_time: int = 0
    start_time: int | None = None
    end_time: int | None = None
    nsfw: bool = False
    result_key: str | None = None
    cost: JobCost | None = None
    attempt: int = 1

    @property
    def finished(self) -> bool:
        return self.status in ("jobCompleted", "jobError")


@dataclass
class ProjectRun:
    """One project as the emulator tracks it."""

    id: str
    account: Account
    app_id: str
    network: str
    request: dict[str, Any]
    kind: str
    model_id: str
    prompt: str
    negative_prompt: str
    count: int
    steps: int
    previews: int
    width: int
    height: int
    output_format: str
    token_type: str
    disable_safety: bool
    frames: int = 0
    fps: float = 0.0
    duration: float = 0.0
    seed: int | None = None
    cn: bool = False
    context_images: int = 0
    has_guide_image: bool = False
    external: bool = False
    status: str = "pending"
    reason: str | None = None
    create_time: int = 0
    update_time: int = 0
    end_time: int | None = None
    jobs: list[JobRun] = field(default_factory=list)
    task: asyncio.Task[None] | None = None
    queue_position: int = 0
    subscription_billed: bool = False  # billingMode "subscription": not debited
    waiting: bool = False  # a projectQueue waitingReason is outstanding
    missed: bool = False  # some event could not be delivered (owner offline)
    claimed: bool = False  # handed back in authenticated.unclaimedCompletedProjects
    rng: random.Random = field(default_factory=random.Random, repr=False)

    @property
    def finished(self) -> bool:
        return self.status in PROJECT_FINISHED

    def shape(self) -> JobShape:
        """Pricing inputs of one job of this project."""
        return JobShape(
            model_id=self.model_id,
            network=self.network,
            steps=self.steps,
            previews=self.previews,
            width=self.width,
            height=self.height,
            cn=self.cn,
            context_images=self.context_images,
            frames=self.frames,
            fps=self.fps,
            duration=self.duration,
            count=self.count,
        )

    def new_uuid(self) -> str:
        """A deterministic uppercase UUID v4 from the project's RNG."""
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4)).upper()

    # -- REST and recovery shapes (01 §4.11.2; RecoveredProject) ------------------

    def _artist(self) -> dict[str, Any]:
        return {
            "id": self.account.id,
            "clientSID": self.account.sid,
            "address": self.account.address,
            "addressSID": self.account.sid,
            "name": self.account.username,
            "username": self.account.username,
        }

    def raw_job(self, job: JobRun) -> dict[str, Any]:
        raw: dict[str, Any] = {
            "id": job.img_id,
            "SID": str(job.index + 1),
            "imgID": job.img_id,
            "worker": {"id": job.worker, "name": job.worker, "username": job.worker},
            "createTime": job.create_time,
            "startTime": job.start_time,
            "updateTime": job.end_time or job.start_time or job.create_time,
            "endTime": job.end_time,
            "status": job.status,
            "reason": job.reason,
            "performedSteps": job.step,
            "stepCount": job.step_count,
            "triggeredNSFWFilter": job.nsfw,
            "seedUsed": job.seed,
            "costActual": job.cost.wire() if job.cost is not None else None,
            "network": self.network,
            "txId": None,
        }
        if job.result_key is not None:
            raw["resultKey"] = job.result_key
        return raw

    def _cost_actual(self) -> dict[str, str]:
        """Sum of the finished jobs' costs, as ``costActual`` strings (01 §4.11.2)."""
        costs = [job.cost for job in self.jobs if job.cost is not None]
        if not costs:
            return {}
        total = JobCost(
            render_sec=sum((c.render_sec for c in costs), Decimal(0)),
            usd=sum((c.usd for c in costs), Decimal(0)),
            token=sum((c.token for c in costs), Decimal(0)),
            spark=sum((c.spark for c in costs), Decimal(0)),
        )
        return total.wire()

    def raw(self, model_name: str, model_sid: int) -> dict[str, Any]:
        """The RawProject / RecoveredProject record."""
        completed = [self.raw_job(j) for j in self.jobs if j.finished]
        return {
            "id": self.id,
            "SID": zlib.crc32(self.id.encode()) % 10_000_000,
            "appId": self.app_id,
            "artist": self._artist(),
            "model": {"id": self.model_id, "SID": model_sid, "name": model_name, "type": self.kind},
            "jobType": self.kind,
            "imageCount": self.count,
            "stepCount": self.steps,
            "previewCount": self.previews,
            "hasGuideImage": self.has_guide_image,
            "denoiseStrength": "0",
            "costEstimate": {},
            "costActual": self._cost_actual(),
            "createTime": self.create_time,
            "updateTime": self.update_time,
            "endTime": self.end_time,
            "status": self.status,
            "reason": self.reason,
            "network": self.network,
            "txId": None,
            "tokenType": self.token_type,
            "width": self.width,
            "height": self.height,
            "workerJobs": [self.raw_job(j) for j in self.jobs],
            "completedWorkerJobs": completed,
            "clientRequestData": base64.b64encode(encode_payload(self.request)).decode("ascii"),
            **({"modelType": self.kind} if self.kind in ("video", "audio") else {}),
        }


def _num(value: Any, default: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return default
    try:
        return float(value)
    except ValueError:
        return default


def parse_job_request(payload: Any) -> dict[str, Any]:
    """Pull the fields the emulator needs out of a ``jobRequest`` (01 §4.3).

    Returns:
        A flat dict: ``jobID``, ``modelId``, ``prompt``, ``steps``...

    Raises:
        RequestError: the payload lacks ``jobID`` or a keyframe with ``modelID``.
    """
    if not isinstance(payload, dict) or not isinstance(payload.get("jobID"), str):
        raise RequestError(400, "jobRequest needs a jobID")
    frames = payload.get("keyFrames")
    keyframe = frames[0] if isinstance(frames, list) and frames else None
    if not isinstance(keyframe, dict) or not isinstance(keyframe.get("modelID"), str):
        raise RequestError(400, "jobRequest needs keyFrames[0].modelID")
    context = sum(1 for i in range(1, 17) if keyframe.get(f"hasContextImage{i}") is True)
    seed = keyframe.get("seed")
    return {
        "jobID": payload["jobID"].upper(),
        "modelId": keyframe["modelID"],
        "prompt": str(keyframe.get("positivePrompt") or ""),
        "negativePrompt": str(keyframe.get("negativePrompt") or ""),
        "steps": int(_num(keyframe.get("steps"))),
        "count": max(1, int(_num(payload.get("numberOfImages"), 1))),
        "previews": max(0, int(_num(payload.get("previews")))),
        "sizePreset": keyframe.get("sizePreset"),
        "width": int(_num(keyframe.get("width"))),
        "height": int(_num(keyframe.get("height"))),
        "frames": int(_num(keyframe.get("frames"))),
        "fps": _num(keyframe.get("fps")),
        "duration": _num(keyframe.get("duration")),
        "seed": int(_num(seed)) if seed is not None else None,
        "outputFormat": str(payload.get("outputFormat") or ""),
        "tokenType": payload.get("tokenType") if payload.get("tokenType") == "spark" else "sogni",
        "network": payload.get("network")
        if payload.get("network") in ("fast", "relaxed")
        else None,
        "disableSafety": payload.get("disableSafety") is True,
        "cn": bool(keyframe.get("currentControlNetsJob")),
        "contextImages": context,
        "hasGuideImage": keyframe.get("hasStartingImage") is True,
    }
