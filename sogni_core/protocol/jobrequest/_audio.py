"""Audio keyframe keys (01 §4.6; SDK 5.54.0 ``applyAudioParams``).

Every value is passed through when given; defaults are server-side. The
server rejects speech controls on models without a node for them, so the
SDK does not filter them by model id either.
"""

from __future__ import annotations

from typing import Any

from ._media import is_given
from ._options import ModelOptions
from ._params import AudioProjectParams
from ._validate import validate_choice

__all__ = ["apply_audio_params"]


def apply_audio_params(
    base: dict[str, Any], p: AudioProjectParams, options: ModelOptions
) -> dict[str, Any]:
    """Append the audio keys to the common keyframe ``base`` (01 §4.6, in order).

    Raises:
        InvalidParamsError: the sampler or scheduler is not one the model offers.
    """
    kf = dict(base)
    for wire, value in (
        ("duration", p.duration),
        ("bpm", p.bpm),
        ("timesignature", p.timesignature),
        ("language", p.language),
        ("lyrics", p.lyrics),
        ("keyscale", p.keyscale),
        ("composerMode", p.composer_mode),
        ("promptStrength", p.prompt_strength),
        ("creativity", p.creativity),
        ("shift", p.shift),
        ("speaker", p.speaker),
        ("instruct", p.instruct),
        ("referenceText", p.reference_text),
    ):
        if value is not None:
            kf[wire] = value
    if is_given(p.reference_audio):
        kf["hasReferenceAudio"] = True
    kf["comfySampler"] = validate_choice(p.sampler, "sampler", options)
    kf["comfyScheduler"] = validate_choice(p.scheduler, "scheduler", options)
    return kf
