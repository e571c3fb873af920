"""What ``projects.create()`` does to the params before building anything (01 §4.2)."""

from __future__ import annotations

import base64
import binascii
import re

import msgspec

from . import _families as F
from ._media import is_given
from ._params import ImageProjectParams, MediaInput, ProjectParams
from ._validate import invalid

__all__ = ["normalize_params"]

_PNG_DATA_URI = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)\Z")
_MAX_MASK_BASE64 = -(-(50 * 1024 * 1024 * 4) // 3)  # Math.ceil(50 MiB * 4 / 3)


def normalize_params(p: ProjectParams) -> ProjectParams:
    """Apply the SDK's pre-build normalization.

    Segmentation workflows make one mask (one media, no previews, PNG); 3D
    artifact workflows have no previews; a GPT Image mask given as a PNG data
    URI becomes an uploaded ``image/png`` mask.

    Raises:
        InvalidParamsError: a malformed or duplicate GPT Image mask.
    """
    if isinstance(p, ImageProjectParams):
        if F.segmentation_model(p.model_id):
            p = msgspec.structs.replace(
                p, number_of_media=1, number_of_previews=0, output_format="png"
            )
        if F.model_artifact_model(p.model_id):
            p = msgspec.structs.replace(p, number_of_previews=0)
        url = p.gpt_image_mask_url
        if F.gpt_image_model(p.model_id) and url is not None and url.startswith("data:"):
            if is_given(p.gpt_image_mask):
                raise invalid(
                    "gpt_image_mask_url", "Provide one GPT Image mask, not both media and URL"
                )
            match = _PNG_DATA_URI.match(url)
            if not match or len(match.group(1)) >= _MAX_MASK_BASE64:
                raise invalid(
                    "gpt_image_mask_url", "GPT Image mask must be a PNG data URI smaller than 50 MB"
                )
            try:
                data = base64.b64decode(match.group(1), validate=True)
            except binascii.Error:
                raise invalid(
                    "gpt_image_mask_url", "GPT Image mask data URI is not valid base64"
                ) from None
            p = msgspec.structs.replace(
                p,
                gpt_image_mask=MediaInput(data=data, content_type="image/png"),
                gpt_image_mask_url=None,
            )
    return p
