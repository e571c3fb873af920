"""Interim copy of the spec/jobrequest.toml tables (until tools/gen_schemas.py lands).

Do not edit by hand: regenerate from spec/jobrequest.toml.
"""

from __future__ import annotations

import enum
from typing import Final

__all__ = [
    "ATTRIBUTION_MAX_METADATA_LENGTH",
    "ATTRIBUTION_MAX_OPERATION_ID_LENGTH",
    "ATTRIBUTION_MAX_VERSION_LENGTH",
    "ATTRIBUTION_WIRE_FIELDS",
    "AgentSurface",
    "AssetRequirement",
    "BIREFNET_BACKGROUND_REMOVAL_MODEL_ID",
    "COMFY_MODEL_ID_PREFIXES",
    "CUSTOM_IMAGE_SIZE_MAX",
    "CUSTOM_IMAGE_SIZE_MAX_EXTENDED",
    "CUSTOM_IMAGE_SIZE_MAX_GPT_IMAGE",
    "CUSTOM_IMAGE_SIZE_MAX_RTX_VSR",
    "CUSTOM_IMAGE_SIZE_MIN",
    "CUSTOM_IMAGE_SIZE_MIN_KREA_IDENTITY_EDIT",
    "CUSTOM_IMAGE_SIZE_MIN_RTX_VSR",
    "ControlNetMode",
    "ControlNetName",
    "DEFAULT_STARTING_IMAGE_STRENGTH",
    "EXTENDED_IMAGE_SIZE_MODEL_IDS",
    "EXTERNAL_VIDEO_FPS",
    "EXTERNAL_VIDEO_MAX_DURATION",
    "ExecutionMode",
    "FLASHVSR_MAX_SEED",
    "FLASHVSR_VIDEO_UPSCALE_MODEL_ID",
    "GPT_IMAGE_2_MODEL_ID",
    "GPT_IMAGE_MODEL_IDS",
    "HAPPYHORSE_MIN_DURATION",
    "HAPPYHORSE_R2V_MAX_REFERENCE_IMAGES",
    "HAPPYHORSE_VIDEO_MODEL_IDS",
    "IMAGE_CONTEXT_IMAGE_SLOTS",
    "KREA_IDENTITY_EDIT_MODEL_IDS",
    "LTX2_FRAME_STEP",
    "LTX2_VIDEO_MODEL_IDS",
    "LTX2_WAN_ANIMATE_MAX_DURATION",
    "MAX_CONTEXT_IMAGES_DEFAULT",
    "MAX_CONTEXT_IMAGES_GPT_IMAGE",
    "MAX_CONTEXT_IMAGES_KONTEXT",
    "MAX_CONTEXT_IMAGES_KREA_IDENTITY_EDIT",
    "MAX_CONTEXT_IMAGES_QWEN_IMAGE",
    "MINIMAX_H3_ASSETS_I2V",
    "MINIMAX_H3_ASSETS_R2V",
    "MINIMAX_H3_BALANCED_STEPS",
    "MINIMAX_H3_BASE_FRAMES",
    "MINIMAX_H3_DIMENSION_STEP",
    "MINIMAX_H3_FPS",
    "MINIMAX_H3_FRAME_STEP",
    "MINIMAX_H3_MAX_DIMENSION",
    "MINIMAX_H3_MAX_FRAMES",
    "MINIMAX_H3_MAX_PIXELS",
    "MINIMAX_H3_MAX_REFERENCE_AUDIOS",
    "MINIMAX_H3_MAX_REFERENCE_FILES",
    "MINIMAX_H3_MAX_REFERENCE_IMAGES",
    "MINIMAX_H3_MAX_REFERENCE_VIDEOS",
    "MINIMAX_H3_MIN_FRAMES",
    "MINIMAX_H3_REFERENCE_VIDEO_EPSILON",
    "MINIMAX_H3_REFERENCE_VIDEO_MAX_SECONDS",
    "MINIMAX_H3_REFERENCE_VIDEO_MIN_SECONDS",
    "MINIMAX_H3_STEPS",
    "MINIMAX_H3_TURBO_STEPS",
    "MINIMAX_H3_VIDEO_MODEL_IDS",
    "OperationScope",
    "OutpaintPosition",
    "PIXAL3D_AMBIENT_OCCLUSION_SIZE_RANGE",
    "PIXAL3D_IMAGE_TO_3D_MODEL_ID",
    "PIXAL3D_MESH_TARGET_FACES_RANGE",
    "PIXAL3D_MULTIVIEW_IMAGE_TO_3D_MODEL_ID",
    "PIXAL3D_NORMAL_MAP_SIZE_RANGE",
    "PIXAL3D_SHAPE_RESOLUTION_RANGE",
    "PIXAL3D_TEMPLATE_VARIANTS",
    "PIXAL3D_TEXTURE_SIZE_RANGE",
    "ProjectType",
    "QWEN_IMAGE_MODEL_IDS",
    "RTX_VSR_MODEL_ID",
    "SAM3_DEFAULT_THRESHOLD",
    "SAM3_IMAGE_SEGMENT_MODEL_ID",
    "SAM3_MAX_BOXES",
    "SAM3_MAX_INSTANCES",
    "SAM3_MAX_POINTS",
    "SAM3_MAX_TEXT_LENGTH",
    "SAMPLER_ALIASES",
    "SCHEDULER_ALIASES",
    "SEEDANCE_20_MAX_REFERENCE_ASSETS",
    "SEEDANCE_20_MAX_REFERENCE_AUDIOS",
    "SEEDANCE_20_MAX_REFERENCE_IMAGES",
    "SEEDANCE_20_MAX_REFERENCE_VIDEOS",
    "SEEDANCE_25_MAX_DURATION",
    "SEEDANCE_25_MAX_REFERENCE_ASSETS",
    "SEEDANCE_25_MAX_REFERENCE_AUDIOS",
    "SEEDANCE_25_MAX_REFERENCE_IMAGES",
    "SEEDANCE_25_MAX_REFERENCE_VIDEOS",
    "SEEDANCE_25_MODEL_ID",
    "SEEDANCE_MIN_DURATION",
    "SEEDANCE_VIDEO_MODEL_IDS",
    "VIDEO_ASSETS_A2V",
    "VIDEO_ASSETS_ANIMATE_MOVE",
    "VIDEO_ASSETS_ANIMATE_REPLACE",
    "VIDEO_ASSETS_FLF2V",
    "VIDEO_ASSETS_FLFA2V",
    "VIDEO_ASSETS_I2V",
    "VIDEO_ASSETS_IA2V",
    "VIDEO_ASSETS_R2V",
    "VIDEO_ASSETS_S2V",
    "VIDEO_ASSETS_T2V",
    "VIDEO_ASSETS_UPSCALE",
    "VIDEO_ASSETS_V2V",
    "VIDEO_DEFAULT_FPS",
    "VIDEO_MAX_DURATION",
    "VIDEO_MIN_DURATION",
    "VIDEO_SIZE_MIN",
    "VideoAssetKey",
    "VideoControlNetName",
    "VideoWorkflowType",
    "WAN3_ENHANCED_MODEL_ID",
    "WAN3_FPS",
    "WAN3_MAX_DURATION",
    "WAN3_MAX_REFERENCE_AUDIOS",
    "WAN3_MAX_REFERENCE_IMAGES",
    "WAN3_MAX_REFERENCE_VIDEOS",
    "WAN3_MAX_SEED",
    "WAN3_MIN_DURATION",
    "WAN3_VIDEO_MODEL_IDS",
    "WAN_ANIMATE_MODEL_IDS",
    "WAN_INTERNAL_FPS",
    "WAN_VIDEO_MODEL_IDS",
    "WorkloadKind",
]


class ProjectType(str, enum.Enum):
    """Media type of a project (01 §4.1)."""

    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"


class VideoWorkflowType(str, enum.Enum):
    """Video workflow derived from the model id (01 §4.5.2; 5.54.0 adds upscale, flfa2v)."""

    UPSCALE = "upscale"
    T2V = "t2v"
    I2V = "i2v"
    FLF2V = "flf2v"
    S2V = "s2v"
    IA2V = "ia2v"
    FLFA2V = "flfa2v"
    A2V = "a2v"
    V2V = "v2v"
    R2V = "r2v"
    ANIMATE_MOVE = "animate-move"
    ANIMATE_REPLACE = "animate-replace"


class AssetRequirement(str, enum.Enum):
    """Whether a workflow needs, allows or refuses one upload slot (01 §4.5.3)."""

    REQUIRED = "required"
    OPTIONAL = "optional"
    FORBIDDEN = "forbidden"


class VideoAssetKey(str, enum.Enum):
    """Single upload slots a video workflow can take, in requirement-table order (01 §4.5.3)."""

    REFERENCEIMAGE = "referenceImage"
    REFERENCEIMAGEEND = "referenceImageEnd"
    REFERENCEAUDIO = "referenceAudio"
    REFERENCEAUDIOIDENTITY = "referenceAudioIdentity"
    REFERENCEVIDEO = "referenceVideo"
    REFERENCEMASK = "referenceMask"


class ControlNetName(str, enum.Enum):
    """Image ControlNet names (01 §4.4 step 5)."""

    CANNY = "canny"
    DEPTH = "depth"
    INPAINT = "inpaint"
    INSTRP2P = "instrp2p"
    LINEART = "lineart"
    LINEARTANIME = "lineartanime"
    MLSD = "mlsd"
    NORMALBAE = "normalbae"
    OPENPOSE = "openpose"
    SCRIBBLE = "scribble"
    SEGMENTATION = "segmentation"
    SHUFFLE = "shuffle"
    SOFTEDGE = "softedge"
    TILE = "tile"
    INSTANTID = "instantid"


class ControlNetMode(str, enum.Enum):
    """Image ControlNet modes; wire controlMode is the index (balanced 0, prompt_priority 1, cn_priority 2)."""

    BALANCED = "balanced"
    PROMPT_PRIORITY = "prompt_priority"
    CN_PRIORITY = "cn_priority"


class VideoControlNetName(str, enum.Enum):
    """Video (LTX v2v) control names (01 §4.5.5 step 22)."""

    CANNY = "canny"
    POSE = "pose"
    DEPTH = "depth"
    DETAILER = "detailer"
    OUTPAINT = "outpaint"
    INPAINT = "inpaint"


class OutpaintPosition(str, enum.Enum):
    """Outpaint canvas anchor for LTX v2v."""

    CENTER = "center"
    TOP = "top"
    BOTTOM = "bottom"
    LEFT = "left"
    RIGHT = "right"


class WorkloadKind(str, enum.Enum):
    """Workload attribution kind."""

    DIRECT = "direct"
    AGENT_MEDIATED = "agent_mediated"
    SERVICE = "service"
    UNKNOWN = "unknown"


class OperationScope(str, enum.Enum):
    """Workload attribution operation scope."""

    TOP_LEVEL = "top_level"
    CHILD = "child"
    UNKNOWN = "unknown"


class AgentSurface(str, enum.Enum):
    """Agent surface of attributed traffic."""

    NATIVE_WEB = "native_web"
    NATIVE_MOBILE = "native_mobile"
    NATIVE_DESKTOP = "native_desktop"
    PLUGIN = "plugin"
    PERSONAL_SKILL = "personal_skill"
    MCP = "mcp"
    CLI = "cli"
    SDK = "sdk"
    OPENAI_COMPATIBLE = "openai_compatible"
    DIRECT_API = "direct_api"
    UNKNOWN = "unknown"


class ExecutionMode(str, enum.Enum):
    """Execution mode of attributed traffic."""

    BROWSER = "browser"
    DURABLE = "durable"
    SERVER = "server"
    UNKNOWN = "unknown"


LTX2_VIDEO_MODEL_IDS: Final = (
    "ltx2-19b-fp8_t2v",
    "ltx2-19b-fp8_t2v_distilled",
    "ltx23-22b-fp8_t2v_distilled",
    "ltx23-22b-fp8_t2v_dev",
    "ltx25-22b-int8_t2v_distilled",
    "ltx25-22b-int8_t2v_dev",
    "ltx2-19b-fp8_i2v",
    "ltx2-19b-fp8_i2v_distilled",
    "ltx23-22b-fp8_i2v_distilled",
    "ltx23-22b-fp8_i2v_dev",
    "ltx25-22b-int8_i2v_distilled",
    "ltx25-22b-int8_i2v_dev",
    "ltx2-19b-fp8_a2v",
    "ltx2-19b-fp8_a2v_distilled",
    "ltx23-22b-fp8_a2v_distilled",
    "ltx23-22b-fp8_a2v_dev",
    "ltx25-22b-int8_a2v_distilled",
    "ltx25-22b-int8_a2v_dev",
    "ltx2-19b-fp8_ia2v",
    "ltx2-19b-fp8_ia2v_distilled",
    "ltx23-22b-fp8_ia2v_distilled",
    "ltx23-22b-fp8_ia2v_dev",
    "ltx25-22b-int8_ia2v_distilled",
    "ltx25-22b-int8_ia2v_dev",
    "ltx2-19b-fp8_v2v",
    "ltx2-19b-fp8_v2v_distilled",
    "ltx23-22b-fp8_v2v_distilled",
    "ltx23-22b-fp8_v2v_dev",
    "ltx25-22b-int8_v2v_distilled",
    "ltx25-22b-int8_v2v_dev",
    "ltx23-22b-10eros-v1.4-fp8mixed_i2v",
)
"""LTX 2.x video models; frames snap to 1 + 8n (utils isLtx2Model)."""
WAN_VIDEO_MODEL_IDS: Final = (
    "wan_v2.2-14b-fp8_t2v",
    "wan_v2.2-14b-fp8_i2v",
    "wan_v2.2-14b-fp8_t2v_lightx2v",
    "wan_v2.2-14b-fp8_i2v_lightx2v",
    "wan_v2.2-14b-fp8_s2v_lightx2v",
    "wan_v2.2-14b-fp8_animate-move_lightx2v",
    "wan_v2.2-14b-fp8_animate-replace_lightx2v",
)
"""Wan 2.2 video models; always 16 fps internally (utils isWanModel)."""
WAN_ANIMATE_MODEL_IDS: Final = (
    "wan_v2.2-14b-fp8_animate-move_lightx2v",
    "wan_v2.2-14b-fp8_animate-replace_lightx2v",
)
"""Wan 2.2 animate models; duration up to 20 s."""
SEEDANCE_VIDEO_MODEL_IDS: Final = (
    "seedance-2-0",
    "seedance-2-0-mini",
    "seedance-2-0-fast",
    "seedance-2-5",
)
"""Seedance external-API video models (24 fps)."""
SEEDANCE_25_MODEL_ID: Final = "seedance-2-5"
"""Seedance 2.5: up to 30 s, MOV output, last-frame export, task types."""
HAPPYHORSE_VIDEO_MODEL_IDS: Final = (
    "happyhorse-1.1-t2v",
    "happyhorse-1.1-i2v",
    "happyhorse-1.1-r2v",
)
"""HappyHorse 1.1 external-API video models (image-only references)."""
WAN3_VIDEO_MODEL_IDS: Final = ("wan3.0-video", "wan3.0-spicy-video")
"""Wan 3 external-API video models (30 fps, one id for every operation)."""
WAN3_ENHANCED_MODEL_ID: Final = "wan3.0-spicy-video"
"""Wan 3.0 Enhanced (no file/link references, no watermark option)."""
MINIMAX_H3_VIDEO_MODEL_IDS: Final = (
    "minimax-h3-fl2va-fp8_t2v",
    "minimax-h3-fl2va-fp8_i2v",
    "minimax-h3-fl2va-fp8_flf2v",
    "minimax-h3-ref2va-fp8_r2v",
    "minimax-h3-fl2va-fp8_t2v_turbo",
    "minimax-h3-fl2va-fp8_i2v_turbo",
    "minimax-h3-fl2va-fp8_flf2v_turbo",
    "minimax-h3-fastvideo-int8_t2v_turbo",
    "minimax-h3-fastvideo-int8_i2v_turbo",
    "minimax-h3-fastvideo-int8_flf2v_turbo",
    "minimax-h3-fastvideo-int8_t2v_turbo_2stage",
    "minimax-h3-fastvideo-int8_i2v_turbo_2stage",
    "minimax-h3-fastvideo-int8_flf2v_turbo_2stage",
    "minimax-h3-fastvideo-int8_ia2v_turbo",
    "minimax-h3-fastvideo-int8_flfa2v_turbo",
    "minimax-h3-fastvideo-int8_a2v_turbo",
    "minimax-h3-fastvideo-int8_ia2v_turbo_2stage",
    "minimax-h3-fastvideo-int8_flfa2v_turbo_2stage",
    "minimax-h3-fastvideo-int8_a2v_turbo_2stage",
    "minimax-h3-ref2va-fp8_r2v_turbo",
    "minimax-h3-fl2va-fp8_t2v_balanced",
    "minimax-h3-fl2va-fp8_i2v_balanced",
    "minimax-h3-fl2va-fp8_flf2v_balanced",
    "minimax-h3-ref2va-fp8_r2v_balanced",
    "minimax-h3-ref2va-fp8_r2v_2stage",
    "minimax-h3-ref2va-fp8_r2v_balanced_2stage",
)
"""MiniMax H3 video models (fixed 24 fps, frames 124 + 17n)."""
FLASHVSR_VIDEO_UPSCALE_MODEL_ID: Final = "flashvsr_v1.1_tiny_long_bf16"
"""FlashVSR video upscaler."""
GPT_IMAGE_MODEL_IDS: Final = ("gpt-image-2", "gpt-image-2.5-sunburst", "gpt-image-2.5-flare")
"""GPT Image external image models."""
GPT_IMAGE_2_MODEL_ID: Final = "gpt-image-2"
"""The GPT Image 2 id (narrower quality/background choices than 2.5)."""
EXTENDED_IMAGE_SIZE_MODEL_IDS: Final = (
    "z_image_bf16",
    "z_image_turbo_bf16",
    "krea2_turbo_fp8_scaled",
    "qwen_image_edit_2511_fp8",
    "qwen_image_edit_2511_fp8_lightning",
    "qwen_image_2512_fp8",
    "qwen_image_2512_fp8_lightning",
)
"""Image models whose custom size may reach 2560 px per axis."""
KREA_IDENTITY_EDIT_MODEL_IDS: Final = (
    "krea2_identity_edit_v1_2",
    "dark_beast_krea2_identity_edit_v1_2",
)
"""Krea 2 identity-edit models (512-2048 px, 2 context images)."""
QWEN_IMAGE_MODEL_IDS: Final = (
    "qwen_image_2512_fp8",
    "qwen_image_2512_fp8_lightning",
    "qwen_image_edit_2511_fp8",
    "qwen_image_edit_2511_fp8_lightning",
)
"""Qwen Image models (3 context images)."""
COMFY_MODEL_ID_PREFIXES: Final = (
    "z_image_",
    "dark_beast_z_image_",
    "krea2_",
    "dark_beast_krea2_",
    "qwen_image_",
    "rtx_vsr_",
    "flashvsr_",
    "wan_",
    "ace_step",
    "minimax_music3",
    "qwen3_tts_",
)
"""ComfyUI model id prefixes: image keyframes get comfySampler/comfyScheduler/vae (validation isComfyModel)."""
SAM3_IMAGE_SEGMENT_MODEL_ID: Final = "sam3_image_segment_bf16"
"""SAM 3 image segmentation utility workflow."""
BIREFNET_BACKGROUND_REMOVAL_MODEL_ID: Final = "birefnet_image_background_removal_fp16"
"""BiRefNet background removal utility workflow."""
PIXAL3D_IMAGE_TO_3D_MODEL_ID: Final = "pixal3d_int8_i23d"
"""Pixal3D single-view image-to-3D workflow (glb output)."""
PIXAL3D_MULTIVIEW_IMAGE_TO_3D_MODEL_ID: Final = "pixal3d_multiview_int8_i23d"
"""Pixal3D multi-view image-to-3D workflow."""
PIXAL3D_TEMPLATE_VARIANTS: Final = ("i23d-birefnet",)
"""Closed list of Pixal3D template variants."""
RTX_VSR_MODEL_ID: Final = "rtx_vsr_pro"
"""RTX VSR image upscaler (custom size 512-15360)."""
VIDEO_ASSETS_UPSCALE: Final = (
    "forbidden",
    "forbidden",
    "forbidden",
    "forbidden",
    "required",
    "forbidden",
)
"""Asset requirements of the upscale workflow."""
VIDEO_ASSETS_T2V: Final = (
    "forbidden",
    "forbidden",
    "forbidden",
    "optional",
    "forbidden",
    "forbidden",
)
"""Asset requirements of the t2v workflow."""
VIDEO_ASSETS_I2V: Final = (
    "optional",
    "optional",
    "forbidden",
    "optional",
    "forbidden",
    "forbidden",
)
"""Asset requirements of the i2v workflow."""
VIDEO_ASSETS_FLF2V: Final = (
    "required",
    "required",
    "forbidden",
    "forbidden",
    "forbidden",
    "forbidden",
)
"""Asset requirements of the flf2v workflow."""
VIDEO_ASSETS_FLFA2V: Final = (
    "required",
    "required",
    "required",
    "forbidden",
    "forbidden",
    "forbidden",
)
"""Asset requirements of the flfa2v workflow."""
VIDEO_ASSETS_S2V: Final = (
    "required",
    "forbidden",
    "required",
    "forbidden",
    "forbidden",
    "forbidden",
)
"""Asset requirements of the s2v workflow."""
VIDEO_ASSETS_IA2V: Final = (
    "required",
    "forbidden",
    "required",
    "forbidden",
    "forbidden",
    "forbidden",
)
"""Asset requirements of the ia2v workflow."""
VIDEO_ASSETS_A2V: Final = (
    "forbidden",
    "forbidden",
    "required",
    "forbidden",
    "forbidden",
    "forbidden",
)
"""Asset requirements of the a2v workflow."""
VIDEO_ASSETS_ANIMATE_MOVE: Final = (
    "required",
    "forbidden",
    "forbidden",
    "forbidden",
    "required",
    "forbidden",
)
"""Asset requirements of the animate-move workflow."""
VIDEO_ASSETS_ANIMATE_REPLACE: Final = (
    "required",
    "forbidden",
    "forbidden",
    "forbidden",
    "required",
    "forbidden",
)
"""Asset requirements of the animate-replace workflow."""
VIDEO_ASSETS_V2V: Final = ("optional", "forbidden", "forbidden", "optional", "required", "optional")
"""Asset requirements of the v2v workflow."""
VIDEO_ASSETS_R2V: Final = (
    "optional",
    "forbidden",
    "forbidden",
    "forbidden",
    "forbidden",
    "forbidden",
)
"""Asset requirements of the r2v workflow."""
MINIMAX_H3_ASSETS_R2V: Final = (
    "optional",
    "forbidden",
    "optional",
    "forbidden",
    "optional",
    "forbidden",
)
"""Asset requirements of MiniMax H3 r2v (overrides the generic r2v row)."""
MINIMAX_H3_ASSETS_I2V: Final = (
    "optional",
    "optional",
    "forbidden",
    "forbidden",
    "forbidden",
    "forbidden",
)
"""Asset requirements of MiniMax H3 i2v (overrides the generic i2v row)."""
IMAGE_CONTEXT_IMAGE_SLOTS: Final = 16
"""hasContextImage1..N flags every image keyframe carries."""
MAX_CONTEXT_IMAGES_DEFAULT: Final = 3
"""Context images per image project for models without their own limit."""
MAX_CONTEXT_IMAGES_GPT_IMAGE: Final = 16
"""Context images for GPT Image models."""
MAX_CONTEXT_IMAGES_QWEN_IMAGE: Final = 3
"""Context images for Qwen Image models."""
MAX_CONTEXT_IMAGES_KREA_IDENTITY_EDIT: Final = 2
"""Context images for Krea 2 identity-edit models."""
MAX_CONTEXT_IMAGES_KONTEXT: Final = 2
"""Context images for any model id containing kontext."""
CUSTOM_IMAGE_SIZE_MIN: Final = 256
"""Default lower bound of a custom image width/height."""
CUSTOM_IMAGE_SIZE_MAX: Final = 2048
"""Default upper bound of a custom image width/height."""
CUSTOM_IMAGE_SIZE_MAX_EXTENDED: Final = 2560
"""Upper bound for EXTENDED_IMAGE_SIZE_MODEL_IDS."""
CUSTOM_IMAGE_SIZE_MAX_GPT_IMAGE: Final = 3840
"""Upper bound for GPT Image models."""
CUSTOM_IMAGE_SIZE_MIN_KREA_IDENTITY_EDIT: Final = 512
"""Lower bound for Krea identity-edit models (upper 2048)."""
CUSTOM_IMAGE_SIZE_MIN_RTX_VSR: Final = 512
"""Lower bound for rtx_vsr_pro."""
CUSTOM_IMAGE_SIZE_MAX_RTX_VSR: Final = 15360
"""Upper bound for rtx_vsr_pro."""
VIDEO_SIZE_MIN: Final = 480
"""Lower bound of a non-H3 video width/height (no upper bound client-side)."""
DEFAULT_STARTING_IMAGE_STRENGTH: Final = 0.5
"""startingImageStrength used when unset or 0; wire strength = 1 - it."""
VIDEO_DEFAULT_FPS: Final = 24
"""fps used to derive frames from duration when fps is unset (non-Wan-3)."""
EXTERNAL_VIDEO_FPS: Final = 24
"""fps sent by default for Seedance/HappyHorse and MiniMax H3."""
WAN3_FPS: Final = 30
"""Wan 3 fixed output fps."""
WAN_INTERNAL_FPS: Final = 16
"""Wan 2.2 frames = round(duration * 16) + 1, whatever fps says."""
LTX2_FRAME_STEP: Final = 8
"""LTX 2.x frame counts are 1 + 8n."""
VIDEO_MIN_DURATION: Final = 1
"""Minimum duration (s) for models without their own."""
VIDEO_MAX_DURATION: Final = 10
"""Maximum duration (s) for models without their own (Wan 2.2 non-animate)."""
LTX2_WAN_ANIMATE_MAX_DURATION: Final = 20
"""Maximum duration (s) for LTX 2.x and Wan animate."""
EXTERNAL_VIDEO_MAX_DURATION: Final = 15
"""Maximum duration (s) for Seedance 2.0 and HappyHorse."""
SEEDANCE_25_MAX_DURATION: Final = 30
"""Maximum duration (s) for Seedance 2.5."""
WAN3_MIN_DURATION: Final = 2
"""Minimum duration (s) for Wan 3."""
WAN3_MAX_DURATION: Final = 30
"""Maximum duration (s) for Wan 3."""
HAPPYHORSE_MIN_DURATION: Final = 3
"""Minimum duration (s) for HappyHorse."""
SEEDANCE_MIN_DURATION: Final = 4
"""Minimum duration (s) for Seedance."""
MINIMAX_H3_FPS: Final = 24
"""MiniMax H3 fixed fps."""
MINIMAX_H3_BASE_FRAMES: Final = 124
"""MiniMax H3 frame grid base: frames = 124 + 17n."""
MINIMAX_H3_FRAME_STEP: Final = 17
"""MiniMax H3 frame grid step."""
MINIMAX_H3_MIN_FRAMES: Final = 124
"""MiniMax H3 minimum frames."""
MINIMAX_H3_MAX_FRAMES: Final = 362
"""MiniMax H3 maximum frames."""
MINIMAX_H3_DIMENSION_STEP: Final = 32
"""MiniMax H3 width/height grid and minimum."""
MINIMAX_H3_MAX_DIMENSION: Final = 1344
"""MiniMax H3 maximum width/height."""
MINIMAX_H3_MAX_PIXELS: Final = 1032192
"""MiniMax H3 maximum width*height."""
MINIMAX_H3_MAX_REFERENCE_IMAGES: Final = 9
"""MiniMax H3 r2v reference images."""
MINIMAX_H3_MAX_REFERENCE_VIDEOS: Final = 3
"""MiniMax H3 r2v reference videos."""
MINIMAX_H3_MAX_REFERENCE_AUDIOS: Final = 3
"""MiniMax H3 r2v reference audios."""
MINIMAX_H3_MAX_REFERENCE_FILES: Final = 12
"""MiniMax H3 r2v reference files in total."""
MINIMAX_H3_STEPS: Final = 20
"""MiniMax H3 fixed steps."""
MINIMAX_H3_TURBO_STEPS: Final = 4
"""MiniMax H3 Turbo fixed steps."""
MINIMAX_H3_BALANCED_STEPS: Final = 8
"""MiniMax H3 Balanced fixed steps."""
MINIMAX_H3_REFERENCE_VIDEO_MIN_SECONDS: Final = 2
"""MiniMax H3 r2v: shortest reference video (s), minus epsilon."""
MINIMAX_H3_REFERENCE_VIDEO_MAX_SECONDS: Final = 15
"""MiniMax H3 r2v: longest reference video and total (s), plus epsilon."""
MINIMAX_H3_REFERENCE_VIDEO_EPSILON: Final = 0.05
"""MiniMax H3 r2v: tolerance on reference video durations (s)."""
SEEDANCE_20_MAX_REFERENCE_IMAGES: Final = 9
"""Seedance 2.0 family: image references."""
SEEDANCE_20_MAX_REFERENCE_VIDEOS: Final = 3
"""Seedance 2.0 family: video references."""
SEEDANCE_20_MAX_REFERENCE_AUDIOS: Final = 3
"""Seedance 2.0 family: audio references."""
SEEDANCE_20_MAX_REFERENCE_ASSETS: Final = 12
"""Seedance 2.0 family: references in total."""
SEEDANCE_25_MAX_REFERENCE_IMAGES: Final = 30
"""Seedance 2.5: image references."""
SEEDANCE_25_MAX_REFERENCE_VIDEOS: Final = 10
"""Seedance 2.5: video references."""
SEEDANCE_25_MAX_REFERENCE_AUDIOS: Final = 10
"""Seedance 2.5: audio references."""
SEEDANCE_25_MAX_REFERENCE_ASSETS: Final = 50
"""Seedance 2.5: references in total."""
HAPPYHORSE_R2V_MAX_REFERENCE_IMAGES: Final = 9
"""HappyHorse r2v: 1 to 9 reference images."""
WAN3_MAX_REFERENCE_IMAGES: Final = 10
"""Wan 3: loose reference images."""
WAN3_MAX_REFERENCE_VIDEOS: Final = 5
"""Wan 3: reference videos."""
WAN3_MAX_REFERENCE_AUDIOS: Final = 5
"""Wan 3: reference audio clips."""
WAN3_MAX_SEED: Final = 2147483647
"""Wan 3: largest seed."""
FLASHVSR_MAX_SEED: Final = 4294967295
"""FlashVSR: largest seed (-1 means random)."""
SAM3_MAX_POINTS: Final = 32
"""SAM 3 prompt: point limit."""
SAM3_MAX_BOXES: Final = 16
"""SAM 3 prompt: box limit."""
SAM3_MAX_TEXT_LENGTH: Final = 240
"""SAM 3 prompt: text length limit."""
SAM3_MAX_INSTANCES: Final = 16
"""SAM 3 prompt: maxInstances limit."""
SAM3_DEFAULT_THRESHOLD: Final = 0.5
"""SAM 3 prompt: threshold when unset."""
PIXAL3D_TEXTURE_SIZE_RANGE: Final = (1024, 4096)
"""Pixal3D texture_size bounds [min, max]."""
PIXAL3D_MESH_TARGET_FACES_RANGE: Final = (5000, 700000)
"""Pixal3D mesh_target_faces bounds [min, max]."""
PIXAL3D_NORMAL_MAP_SIZE_RANGE: Final = (512, 2048)
"""Pixal3D normal_map_size bounds [min, max]."""
PIXAL3D_AMBIENT_OCCLUSION_SIZE_RANGE: Final = (256, 1024)
"""Pixal3D ambient_occlusion_size bounds [min, max]."""
PIXAL3D_SHAPE_RESOLUTION_RANGE: Final = (1024, 1536)
"""Pixal3D shape_resolution bounds [min, max]."""
ATTRIBUTION_WIRE_FIELDS: Final = (
    "workloadKind",
    "agentFramework",
    "agentFrameworkVersion",
    "agentSurface",
    "agentSurfaceVersion",
    "executionMode",
    "operationScope",
    "operationId",
    "rootOperationId",
    "parentOperationId",
)
"""Workload attribution keys appended flat to jobRequest, in this order."""
ATTRIBUTION_MAX_METADATA_LENGTH: Final = 128
"""Longest agentFramework value."""
ATTRIBUTION_MAX_VERSION_LENGTH: Final = 32
"""Longest agent*Version value."""
ATTRIBUTION_MAX_OPERATION_ID_LENGTH: Final = 128
"""Longest operation id."""
SAMPLER_ALIASES: Final = (
    ("Euler", "euler"),
    ("Euler a", "euler_a"),
    ("Euler Ancestral", "euler_ancestral"),
    ("Heun", "heun"),
    ("DPM++ 2M", "dpmpp_2m"),
    ("DPM++ 2M SDE", "dpmpp_2m_sde"),
    ("DPM++ SDE", "dpmpp_sde"),
    ("DPM++ 3M SDE", "dpmpp_3m_sde"),
    ("UniPC", "uni_pc"),
    ("LCM (Latent Consistency Model)", "lcm"),
    ("LMS", "lms"),
    ("DPM 2", "dpm_2"),
    ("DPM 2 Ancestral", "dpm_2_ancestral"),
    ("DPM Fast", "dpm_fast"),
    ("DPM Adaptive", "dpm_adaptive"),
    ("DPM++ 2S Ancestral", "dpmpp_2s_ancestral"),
    ("DDPM", "ddpm"),
    ("Discrete Flow Sampler (SD3)", "dfs_sd3"),
    ("Discrete Flow Scheduler (SD3)", "dfs_sd3"),
    ("DPM Solver Multistep (DPM-Solver++)", "dpm_pp"),
    ("PNDM (Pseudo-linear multi-step)", "pndm_plms"),
)
"""Sampler display name -> alias."""
SCHEDULER_ALIASES: Final = (
    ("Simple", "simple"),
    ("Normal", "normal"),
    ("Karras", "karras"),
    ("Exponential", "exponential"),
    ("SGM Uniform", "sgm_uniform"),
    ("DDIM Uniform", "ddim_uniform"),
    ("Beta", "beta"),
    ("Linear Quadratic", "linear_quadratic"),
    ("KL Optimal", "kl_optimal"),
    ("DDIM", "ddim"),
    ("Leading", "leading"),
    ("Linear", "linear"),
)
"""Scheduler display name -> alias."""
