"""The parity corpus's shared parts: media markers, model tiers, the models list and the
per-media case builders (``make_corpus.py`` assembles the corpus from them)."""

from typing import Any


def M(kind: str, **kw: Any) -> dict[str, Any]:
    """A media file of that kind (magic bytes + padding)."""
    return {"$media": kind, **kw}


def B(mime: str, kind: str) -> dict[str, Any]:
    """A media file carrying its own MIME type (a Blob)."""
    return {"$blob": mime, "kind": kind}


tiers = {
    "legacy_none": {
        "benchmark": {"sec": 1},
        "steps": {"min": 1, "max": 10, "default": 4},
        "guidance": {"min": 0, "max": 2, "decimals": 1, "default": 1},
    },
    "legacy_sd": {
        "benchmark": {"sec": 1},
        "steps": {"min": 1, "max": 60, "default": 20},
        "guidance": {"min": 1, "max": 20, "decimals": 1, "default": 7.5},
        "sampler": {
            "allowed": [
                "Euler",
                "Euler a",
                "DPM++ 2M",
                "DPM++ SDE",
                "LCM (Latent Consistency Model)",
            ],
            "default": "Euler a",
        },
        "scheduler": {"allowed": ["Simple", "Karras", "Normal"], "default": "Karras"},
    },
    "comfy_zimage": {
        "type": "image",
        "benchmark": {"sec": 1},
        "steps": {"min": 1, "max": 20, "default": 8},
        "defaultSize": {},
        "comfySampler": {"allowed": ["euler", "res_multistep", "DPM++ 2M"], "default": "euler"},
        "comfyScheduler": {"allowed": ["simple", "beta", "SGM Uniform"], "default": "simple"},
    },
    "comfy_qwen": {
        "type": "image",
        "benchmark": {"sec": 1},
        "steps": {"min": 1, "max": 50, "default": 20},
        "defaultSize": {},
        "guidance": {"min": 1, "max": 10, "decimals": 1, "default": 4},
        "comfySampler": {"allowed": ["euler"], "default": "euler"},
        "comfyScheduler": {"allowed": ["simple"], "default": "simple"},
        "vae": {
            "allowed": ["qwen_image_vae.safetensors", "qwen_alt_vae.safetensors"],
            "default": "qwen_image_vae.safetensors",
        },
    },
    "external_image": {
        "type": "image",
        "benchmark": {"sec": 1},
        "steps": {"min": 1, "max": 1, "default": 1},
        "defaultSize": {},
    },
    "video_comfy": {
        "type": "video",
        "benchmark": {"sec": 1},
        "width": {"min": 480, "max": 1920, "default": 832},
        "height": {"min": 480, "max": 1920, "default": 480},
        "steps": {"min": 1, "max": 40, "default": 4},
        "comfySampler": {"allowed": ["euler", "uni_pc", "Euler"], "default": "euler"},
        "comfyScheduler": {"allowed": ["simple", "Beta"], "default": "simple"},
        "fps": {"allowed": [16, 32], "default": 16},
    },
    "video_external": {
        "type": "video",
        "benchmark": {"sec": 1},
        "width": {"min": 480, "max": 1920, "default": 1280},
        "height": {"min": 480, "max": 1920, "default": 720},
    },
    "audio_ace": {
        "type": "audio",
        "benchmark": {"sec": 1},
        "steps": {"min": 1, "max": 16, "default": 8},
        "duration": {"min": 10, "max": 600, "default": 30},
        "comfySampler": {"allowed": ["euler", "DPM++ 2M"], "default": "euler"},
        "comfyScheduler": {"allowed": ["simple"], "default": "simple"},
    },
    "audio_speech": {
        "type": "audio",
        "benchmark": {"sec": 1},
        "steps": {"min": 1, "max": 1, "default": 1},
    },
}
model_tiers = {
    "flux1-schnell-fp8": ("legacy_none", "image"),
    "flux1-dev-fp8": ("legacy_sd", "image"),
    "coreml-sogniXLturbo_alpha1_ad": ("legacy_sd", "image"),
    "coreml-stableDiffusion-v1-5": ("legacy_sd", "image"),
    "flux1-kontext-dev-fp8": ("legacy_none", "image"),
    "z_image_turbo_bf16": ("comfy_zimage", "image"),
    "qwen_image_edit_2511_fp8": ("comfy_qwen", "image"),
    "qwen_image_2512_fp8_lightning": ("comfy_qwen", "image"),
    "krea2_identity_edit_v1_2": ("comfy_zimage", "image"),
    "rtx_vsr_pro": ("comfy_zimage", "image"),
    "gpt-image-2": ("external_image", "image"),
    "gpt-image-2.5-flare": ("external_image", "image"),
    "sam3_image_segment_bf16": ("external_image", "image"),
    "birefnet_image_background_removal_fp16": ("external_image", "image"),
    "pixal3d_int8_i23d": ("external_image", "model"),
    "pixal3d_multiview_int8_i23d": ("external_image", "model"),
    "wan_v2.2-14b-fp8_t2v": ("video_comfy", "video"),
    "wan_v2.2-14b-fp8_t2v_lightx2v": ("video_comfy", "video"),
    "wan_v2.2-14b-fp8_i2v_lightx2v": ("video_comfy", "video"),
    "wan_v2.2-14b-fp8_s2v_lightx2v": ("video_comfy", "video"),
    "wan_v2.2-14b-fp8_animate-move_lightx2v": ("video_comfy", "video"),
    "wan_v2.2-14b-fp8_animate-replace_lightx2v": ("video_comfy", "video"),
    "ltx23-22b-fp8_t2v_distilled": ("video_comfy", "video"),
    "ltx23-22b-fp8_i2v_distilled": ("video_comfy", "video"),
    "ltx23-22b-fp8_v2v_distilled": ("video_comfy", "video"),
    "ltx23-22b-fp8_ia2v_distilled": ("video_comfy", "video"),
    "ltx2-19b-fp8_a2v": ("video_comfy", "video"),
    "seedance-2-0": ("video_external", "video"),
    "seedance-2-0-mini": ("video_external", "video"),
    "seedance-2-5": ("video_external", "video"),
    "happyhorse-1.1-r2v": ("video_external", "video"),
    "happyhorse-1.1-i2v": ("video_external", "video"),
    "happyhorse-1.1-t2v": ("video_external", "video"),
    "wan3.0-video": ("video_external", "video"),
    "minimax-h3-fl2va-fp8_t2v": ("video_comfy", "video"),
    "minimax-h3-fl2va-fp8_i2v": ("video_comfy", "video"),
    "minimax-h3-fl2va-fp8_flf2v": ("video_comfy", "video"),
    "minimax-h3-fl2va-fp8_t2v_turbo": ("video_comfy", "video"),
    "minimax-h3-ref2va-fp8_r2v": ("video_comfy", "video"),
    "minimax-h3-fastvideo-int8_ia2v_turbo": ("video_comfy", "video"),
    "flashvsr_v1.1_tiny_long_bf16": ("video_external", "video"),
    "ace_step_1.5_turbo": ("audio_ace", "audio"),
    "minimax_music3": ("audio_ace", "audio"),
    "qwen3_tts_1.7b": ("audio_speech", "audio"),
}
models = [
    {"id": mid, "name": mid, "SID": i + 1, "tier": t, "media": media}
    for i, (mid, (t, media)) in enumerate(model_tiers.items())
]


SDXL_ID = "coreml-sogniXLturbo_alpha1_ad"


def _case(media: str, prompt: str, model: str, kw: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": media,
        "modelId": model,
        "positivePrompt": kw.pop("positivePrompt", prompt),
        "numberOfMedia": kw.pop("numberOfMedia", 1),
        **kw,
    }


def img(model: str, **kw: Any) -> dict[str, Any]:
    return _case("image", "a red fox in snow", model, kw)


def vid(model: str, **kw: Any) -> dict[str, Any]:
    return _case("video", "waves at dusk", model, kw)


def aud(model: str, **kw: Any) -> dict[str, Any]:
    return _case("audio", "lofi beat", model, kw)


H = "ABCDEF0123456789" * 4
