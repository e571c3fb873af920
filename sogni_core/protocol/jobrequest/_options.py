"""Model options: the part of a model's tier the job-request builder needs (01 §5.5).

The SDK fetches ``GET /api/v1/models/list`` and ``GET /api/v2/models/tiers``
before every project; here those two documents are inputs. Only the tier
kind and the sampler/scheduler/VAE choices influence the job request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from sogni_core.protocol._errors import InvalidParamsError
from sogni_core.protocol._generated import jobrequest as T

__all__ = ["Choice", "ModelOptions", "model_options_for", "model_options_from_tier"]

_SAMPLER_ALIASES = dict(T.SAMPLER_ALIASES)
_SCHEDULER_ALIASES = dict(T.SCHEDULER_ALIASES)


class Choice(msgspec.Struct, frozen=True, kw_only=True):
    """Allowed values of one string option (aliases already applied).

    Attributes:
        allowed: accepted values; empty means "no choice" (wire ``null``).
        default: the tier's default, or ``None``.
    """

    allowed: tuple[str, ...] = ()
    default: str | None = None


class ModelOptions(msgspec.Struct, frozen=True, kw_only=True):
    """What the builder needs to know about a model.

    Attributes:
        type: ``image``, ``video`` or ``audio``; must match the project type.
        sampler: sampler choices.
        scheduler: scheduler choices.
        vae: VAE choices (ComfyUI image tiers only).
    """

    type: str
    sampler: Choice | None = None
    scheduler: Choice | None = None
    vae: Choice | None = None


def _choice(raw: Any, aliases: Mapping[str, str] | None = None) -> Choice:
    if not raw:
        return Choice()

    def alias(value: Any) -> Any:
        if aliases is None or not isinstance(value, str):
            return value
        return aliases.get(value) or value

    default = raw.get("default")
    return Choice(
        allowed=tuple(alias(v) for v in raw.get("allowed", ())),
        default=None if default is None else alias(default),
    )


def model_options_from_tier(tier: Mapping[str, Any]) -> ModelOptions:
    """Map one raw tier of ``/api/v2/models/tiers`` to :class:`ModelOptions`.

    A tier with no ``type`` key is a legacy image tier (``sampler``/``scheduler``);
    ``type: "image"`` is a ComfyUI image tier (``comfySampler``/``comfyScheduler``/
    ``vae``); ``video`` and ``audio`` tiers use the ``comfy*`` keys.

    Args:
        tier: the raw tier object.

    Returns:
        The options.

    Raises:
        InvalidParamsError: the tier kind is unknown (field ``model_id``).
    """
    kind = tier.get("type", None) if "type" in tier else None
    if "type" not in tier:
        return ModelOptions(
            type="image",
            sampler=_choice(tier.get("sampler"), _SAMPLER_ALIASES),
            scheduler=_choice(tier.get("scheduler"), _SCHEDULER_ALIASES),
        )
    if kind == "image":
        return ModelOptions(
            type="image",
            sampler=_choice(tier.get("comfySampler"), _SAMPLER_ALIASES),
            scheduler=_choice(tier.get("comfyScheduler"), _SCHEDULER_ALIASES),
            vae=_choice(tier["vae"]) if tier.get("vae") else None,
        )
    if kind == "video":
        return ModelOptions(
            type="video",
            sampler=_choice(tier.get("comfySampler"), _SAMPLER_ALIASES),
            scheduler=_choice(tier.get("comfyScheduler"), _SCHEDULER_ALIASES),
        )
    if kind == "audio":
        # Audio tiers without a sampler (speech models) offer no choice at all.
        return ModelOptions(
            type="audio",
            sampler=_choice(tier["comfySampler"], _SAMPLER_ALIASES)
            if tier.get("comfySampler")
            else None,
            scheduler=_choice(tier["comfyScheduler"], _SCHEDULER_ALIASES)
            if tier.get("comfyScheduler")
            else None,
        )
    raise InvalidParamsError("model_id", f"Unsupported model tier type {kind!r}")


def model_options_for(
    model_id: str,
    models: Sequence[Mapping[str, Any]],
    tiers: Mapping[str, Mapping[str, Any]],
) -> ModelOptions:
    """Resolve a model's options from the models list and the tiers document.

    Args:
        model_id: the project's ``model_id``.
        models: ``GET /api/v1/models/list`` (objects with ``id`` and ``tier``).
        tiers: ``GET /api/v2/models/tiers`` (tier name -> raw tier).

    Returns:
        The model's options.

    Raises:
        InvalidParamsError: unknown model or tier (field ``model_id``).
    """
    model = next((m for m in models if m.get("id") == model_id), None)
    if model is None:
        raise InvalidParamsError("model_id", f"Model {model_id} not supported (wire modelID)")
    tier = tiers.get(model.get("tier", ""))
    if not tier:
        raise InvalidParamsError(
            "model_id", f'Unable to find model tier "{model.get("tier")}" for {model_id}'
        )
    return model_options_from_tier(tier)
