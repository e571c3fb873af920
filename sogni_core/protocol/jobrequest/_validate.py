"""Parameter checks shared by the image, video and audio builders (01 §6.12.1).

Every failure is an :class:`~sogni_core.protocol.InvalidParamsError` whose
``field`` is the snake_case Python name of the parameter and whose ``rule``
says what was broken and names the SDK/wire key it corresponds to.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from sogni_core.protocol._errors import InvalidParamsError

from ._numbers import js_number_str
from ._options import ModelOptions

__all__ = [
    "camel",
    "invalid",
    "js_truthy",
    "validate_choice",
    "validate_number",
]

_CAMEL_PART = re.compile(r"_([a-z0-9])")


def camel(field: str) -> str:
    """The SDK params key of a snake_case field (``reference_image_urls -> referenceImageUrls``)."""
    special = {"disable_nsfw_filter": "disableNSFWFilter"}
    head, _, rest = field.partition("[")
    parts = head.split(".")
    wire = ".".join(special.get(p, _CAMEL_PART.sub(lambda m: m.group(1).upper(), p)) for p in parts)
    return wire + ("[" + rest if rest else "")


def invalid(field: str, rule: str) -> InvalidParamsError:
    """Build the error for ``field`` breaking ``rule``; the rule names the SDK key."""
    return InvalidParamsError(field, f"{rule} (params key {camel(field)!r})")


def js_truthy(value: float | None) -> bool:
    """JavaScript truthiness of a number parameter: ``None``, 0 and NaN are falsy."""
    return value is not None and value == value and value != 0


def _fmt(value: Any) -> str:
    return js_number_str(value) if isinstance(value, (int, float)) else str(value)


def validate_number(
    value: float,
    field: str,
    *,
    label: str,
    minimum: float | None = None,
    maximum: float | None = None,
) -> float:
    """Check a number against inclusive bounds (SDK ``validateNumber``).

    Args:
        value: the number.
        field: snake_case parameter name reported in the error.
        label: the SDK's property name used in its message (``Width``, ``strength`` ...).
        minimum: inclusive lower bound, if any.
        maximum: inclusive upper bound, if any.

    Returns:
        ``value`` unchanged.

    Raises:
        InvalidParamsError: NaN, or out of bounds.
    """
    if math.isnan(value):
        raise invalid(field, f"{label} must be a number, got {_fmt(value)}")
    if minimum is not None and value < minimum:
        raise invalid(field, f"{label} must greater or equal {_fmt(minimum)}, got {_fmt(value)}")
    if maximum is not None and value > maximum:
        raise invalid(field, f"{label} must be less or equal {_fmt(maximum)}, got {_fmt(value)}")
    return value


def validate_choice(value: str | None, field: str, options: ModelOptions) -> str | None:
    """Validate a sampler / scheduler / VAE name against the model's choices (01 §5.6).

    Args:
        value: the requested name, or ``None``.
        field: ``sampler``, ``scheduler`` or ``vae``.
        options: the model's options.

    Returns:
        ``value`` unchanged, or ``None`` (wire ``null``) when nothing was asked or
        the model offers no choice.

    Raises:
        InvalidParamsError: the model offers choices and ``value`` is not one.
    """
    choice = {"sampler": options.sampler, "scheduler": options.scheduler, "vae": options.vae}[field]
    allowed: Sequence[str] = choice.allowed if choice is not None else ()
    if not allowed or not value:
        return None
    if value not in allowed:
        label = "VAE" if field == "vae" else field
        quoted = '", "'.join(allowed)
        raise invalid(field, f'Invalid {label} {value}. Must be one of "{quoted}".')
    return value
