"""The legacy request template every ``jobRequest`` starts from (01 §4.3.1-§4.3.2).

Mac workers fail on missing fields, so the SDK always sends this template in
full with the caller's values written over it. JavaScript object key order is
insertion order, and reassigning a key keeps its position; a key holding
``undefined`` is left out by ``JSON.stringify``. :data:`UNDEFINED` plays that
role here so keys keep the SDK's positions until :func:`strip_undefined`.
"""

from __future__ import annotations

import enum
from typing import Any

__all__ = ["UNDEFINED", "keyframe_template", "request_template", "strip_undefined"]


class _Undefined(enum.Enum):
    UNDEFINED = "undefined"


UNDEFINED = _Undefined.UNDEFINED
"""JavaScript ``undefined``: the key keeps its position but is not serialized."""


def keyframe_template() -> dict[str, Any]:
    """A fresh copy of the keyframe template (01 §4.3.2, in order)."""
    return {
        "stepsIsEnabled": True,
        "siRotation": 0,
        "siDragOffsetIsEnabled": True,
        "strength": 0.5,
        "siZoomScaleIsEnabled": True,
        "isEnabled": True,
        "processing": "CPU, GPU",
        "useLastImageAsGuideImageInAnimation": True,
        "guidanceScaleIsEnabled": True,
        "siImageBackgroundColor": "black",
        "cnDragOffset": [0, 0],
        "scheduler": None,
        "timeStepSpacing": None,
        "steps": 20,
        "cnRotation": 0,
        "guidanceScale": 7.5,
        "siZoomScale": 1,
        "modelID": "",
        "cnRotationIsEnabled": True,
        "negativePrompt": "",
        "startingImageZoomPanIsOn": False,
        "seed": UNDEFINED,
        "siRotationIsEnabled": True,
        "cnImageBackgroundColor": "clear",
        "strengthIsEnabled": True,
        "siDragOffset": [0, 0],
        "useLastImageAsCNImageInAnimation": False,
        "positivePrompt": "",
        "controlNetZoomPanIsOn": False,
        "cnZoomScaleIsEnabled": True,
        "currentControlNets": None,
        "stylePrompt": "",
        "cnDragOffsetIsEnabled": True,
        "frameIndex": 0,
        "startingImage": None,
        "cnZoomScale": 1,
    }


def request_template() -> dict[str, Any]:
    """A fresh copy of the top-level template (01 §4.3.1, in order); ``keyFrames`` is a slot."""
    return {
        "selectedUpscalingModel": "OFF",
        "cnVideoFramesSketch": [],
        "cnVideoFramesSegmentedSubject": [],
        "cnVideoFramesFace": [],
        "doCanvasBlending": False,
        "animationIsOn": False,
        "cnVideoFramesBoth": [],
        "cnVideoFramesDepth": [],
        "keyFrames": [],
        "previews": 5,
        "frameRate": 24,
        "generatedVideoSeconds": 10,
        "canvasIsOn": False,
        "cnVideoFrames": [],
        "disableSafety": False,
        "cnVideoFramesSegmentedBackground": [],
        "cnVideoFramesSegmented": [],
        "numberOfImages": 1,
        "cnVideoFramesPose": [],
        "jobID": "",
        "siVideoFrames": [],
    }


def strip_undefined(obj: Any) -> Any:
    """Drop every mapping key whose value is :data:`UNDEFINED`, recursively."""
    if isinstance(obj, dict):
        return {k: strip_undefined(v) for k, v in obj.items() if v is not UNDEFINED}
    if isinstance(obj, list):
        return [None if v is UNDEFINED else strip_undefined(v) for v in obj]
    return obj
