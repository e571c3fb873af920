"""The valid cases of the parity corpus: ``(name, params)``, or ``(name, {"params": ..., "client":
...})`` with client defaults (``make_corpus.py`` writes them to corpus.json)."""

from _corpus_base import SDXL_ID, B, H, M, aud, img, vid

cases = [
    ("flux_schnell_basic", img("flux1-schnell-fp8", steps=4, guidance=1)),
    (
        "flux_schnell_everything_common",
        img(
            "flux1-schnell-fp8",
            steps=4,
            seed=12345,
            negativePrompt="blurry",
            stylePrompt="anime",
            numberOfPreviews=3,
            numberOfMedia=2,
            disableNSFWFilter=True,
            tokenType="spark",
            outputFormat="jpg",
        ),
    ),
    (
        "flux_dev_sampler_aliases",
        img("flux1-dev-fp8", steps=20, guidance=3.5, sampler="euler", scheduler="karras"),
    ),
    (
        "sdxl_size_preset",
        img(
            "coreml-sogniXLturbo_alpha1_ad",
            steps=6,
            guidance=2,
            sizePreset="portrait_7_9",
            sampler="dpmpp_2m",
            scheduler="simple",
        ),
    ),
    (
        "sd15_starting_image_strength",
        img(
            "coreml-stableDiffusion-v1-5",
            startingImage=M("png"),
            startingImageStrength=0.3,
            steps=20,
        ),
    ),
    (
        "sd15_starting_image_uploaded_zero_strength",
        img("coreml-stableDiffusion-v1-5", startingImage=True, startingImageStrength=0),
    ),
    (
        "sd15_starting_image_blob_strength_point_85",
        img(
            "coreml-stableDiffusion-v1-5",
            startingImage=B("image/webp", "png"),
            startingImageStrength=0.85,
        ),
    ),
    ("sdxl_custom_size_implicit", img("coreml-sogniXLturbo_alpha1_ad", width=1024, height=768)),
    (
        "sdxl_custom_size_explicit",
        img("coreml-sogniXLturbo_alpha1_ad", sizePreset="custom", width=512, height=512),
    ),
    ("sdxl_custom_preset_without_dims", img("coreml-sogniXLturbo_alpha1_ad", sizePreset="custom")),
    (
        "sdxl_named_preset_ignores_dims",
        img("coreml-sogniXLturbo_alpha1_ad", sizePreset="square_hd", width=4000, height=4000),
    ),
    (
        "sdxl_sampler_lcm_display_alias",
        img(
            "coreml-sogniXLturbo_alpha1_ad",
            sampler="lcm",
            scheduler="normal",
            guidance=7.5,
            steps=30,
        ),
    ),
    (
        "zimage_comfy_extended_size",
        img(
            "z_image_turbo_bf16",
            sampler="res_multistep",
            scheduler="sgm_uniform",
            width=2560,
            height=1440,
            steps=8,
        ),
    ),
    (
        "zimage_loras",
        img(
            "z_image_turbo_bf16",
            loras=["lora-film-grain", "lora-watercolor"],
            loraStrengths=[0.8, 1.25],
            sampler="dpmpp_2m",
        ),
    ),
    ("zimage_empty_loras_omitted", img("z_image_turbo_bf16", loras=[], loraStrengths=[])),
    (
        "qwen_edit_context_images",
        img(
            "qwen_image_edit_2511_fp8",
            contextImages=[M("png"), M("jpeg"), True],
            vae="qwen_alt_vae.safetensors",
            guidance=4,
            steps=20,
        ),
    ),
    (
        "qwen_edit_context_hole",
        img("qwen_image_edit_2511_fp8", contextImages=[M("png"), False, M("webp")]),
    ),
    (
        "qwen_2512_fractional_values",
        img(
            "qwen_image_2512_fp8_lightning",
            steps=8,
            guidance=2.5,
            width=1328,
            height=1328,
            sampler="euler",
        ),
    ),
    (
        "gpt_image_2_quality_size",
        img(
            "gpt-image-2",
            gptImageQuality="high",
            gptImageBackground="opaque",
            contextImages=[M("png")],
            width=1536,
            height=1024,
        ),
    ),
    (
        "gpt_image_25_transparent_webp",
        img(
            "gpt-image-2.5-flare",
            gptImageQuality="xhigh",
            gptImageBackground="transparent",
            outputFormat="webp",
            gptImageOutputCompression=80,
        ),
    ),
    ("gpt_image_mask_media", img("gpt-image-2", contextImages=[M("png")], gptImageMask=M("png"))),
    (
        "gpt_image_mask_data_uri",
        img(
            "gpt-image-2",
            contextImages=[M("jpeg")],
            gptImageMaskUrl="data:image/png;base64,iVBORw0KGgoAAAANSUhEUg==",
        ),
    ),
    (
        "gpt_image_mask_https_url",
        img("gpt-image-2", contextImages=[True], gptImageMaskUrl="https://cdn.sogni.ai/mask.png"),
    ),
    ("gpt_image_16_context_images", img("gpt-image-2", contextImages=[M("png")] * 15 + [True])),
    (
        "kontext_two_context_images",
        img("flux1-kontext-dev-fp8", contextImages=[M("png"), M("gif")]),
    ),
    (
        "krea_identity_edit_bounds",
        img("krea2_identity_edit_v1_2", contextImages=[M("png"), True], width=512, height=2048),
    ),
    ("rtx_vsr_large_custom", img("rtx_vsr_pro", startingImage=M("jpeg"), width=8000, height=4500)),
    (
        "controlnet_canny_full",
        img(
            "coreml-stableDiffusion-v1-5",
            controlNet={
                "name": "canny",
                "image": M("png"),
                "strength": 0.7,
                "mode": "balanced",
                "guidanceStart": 0,
                "guidanceEnd": 0.8,
            },
        ),
    ),
    (
        "controlnet_openpose_prompt_priority",
        img(
            "coreml-stableDiffusion-v1-5",
            controlNet={"name": "openpose", "image": True, "mode": "prompt_priority"},
        ),
    ),
    (
        "controlnet_depth_cn_priority",
        img(
            "coreml-stableDiffusion-v1-5",
            controlNet={"name": "depth", "image": M("jpeg"), "strength": 1, "mode": "cn_priority"},
        ),
    ),
    (
        "controlnet_instantid_no_image",
        img("coreml-sogniXLturbo_alpha1_ad", controlNet={"name": "instantid"}),
    ),
    (
        "controlnet_tile_with_starting_image",
        img(
            "coreml-stableDiffusion-v1-5",
            startingImage=M("png"),
            controlNet={"name": "tile", "image": M("png"), "guidanceStart": 0.25},
        ),
    ),
    (
        "controlnet_scribble_lineart",
        img(
            "coreml-stableDiffusion-v1-5",
            controlNet={"name": "lineartanime", "image": True, "strength": 0.45, "guidanceEnd": 1},
        ),
    ),
    (
        "sam3_points_and_box",
        img(
            "sam3_image_segment_bf16",
            numberOfMedia=4,
            numberOfPreviews=2,
            startingImage=M("png"),
            sam3Prompt={
                "points": [{"x": 0.5, "y": 0.25, "label": "positive"}],
                "boxes": [{"x0": 0.1, "y0": 0.1, "x1": 0.9, "y1": 0.9}],
                "threshold": 0.4,
            },
        ),
    ),
    (
        "sam3_text_prompt",
        img(
            "sam3_image_segment_bf16",
            startingImage=True,
            sam3Prompt={
                "text": "  the dog ",
                "maxInstances": 3,
                "applyMask": True,
                "boxes": [{"x0": 0, "y0": 0, "x1": 0.5, "y1": 0.5, "label": "negative"}],
            },
        ),
    ),
    (
        "birefnet_apply_mask",
        img(
            "birefnet_image_background_removal_fp16",
            startingImage=M("jpeg"),
            applyMask=True,
            outputFormat="jpg",
        ),
    ),
    (
        "pixal3d_single_view",
        img(
            "pixal3d_int8_i23d",
            startingImage=M("png"),
            templateVariant="i23d-birefnet",
            textureSize=2048,
            shapeResolution=1536,
            numberOfPreviews=2,
        ),
    ),
    (
        "pixal3d_multiview",
        img(
            "pixal3d_multiview_int8_i23d",
            startingImage=M("png"),
            leftViewImage=M("png"),
            rightViewImage=True,
            meshTargetFaces=200000,
        ),
    ),
    (
        "attribution_child_scope",
        {
            "params": img(
                "flux1-schnell-fp8",
                attribution={"operationId": "op-1", "rootOperationId": "root-9"},
            ),
            "client": {
                "appSource": "client-app",
                "attribution": {
                    "workloadKind": "agent_mediated",
                    "agentFramework": "langchain",
                    "agentFrameworkVersion": "0.3.1",
                    "agentSurface": "mcp",
                    "executionMode": "server",
                },
            },
        },
    ),
    (
        "attribution_direct_fallback_id",
        {
            "params": img(
                "flux1-schnell-fp8",
                attribution={
                    "workloadKind": "direct",
                    "agentFramework": "dropped",
                    "executionMode": "bogus",
                },
            ),
            "client": {},
        },
    ),
    (
        "attribution_framework_override_drops_version",
        {
            "params": img(
                "flux1-schnell-fp8",
                attribution={
                    "agentFramework": "crewai",
                    "operationScope": "child",
                    "rootOperationId": "r.1",
                },
            ),
            "client": {
                "attribution": {
                    "workloadKind": "agent_mediated",
                    "agentFramework": "langchain",
                    "agentFrameworkVersion": "1.0",
                }
            },
        },
    ),
    (
        "network_billing_appsource",
        img(
            "flux1-schnell-fp8",
            network="relaxed",
            billingMode="subscription",
            appSource="my-app",
            tokenType="sogni",
        ),
    ),
    (
        "world_generation_receipt",
        img(
            "flux1-schnell-fp8",
            worldGenerationReceipt={
                "stage": "target_still",
                "sourceImageSha256": H,
                "selectionHash": H.lower(),
            },
        ),
    ),
    (
        "js_number_formatting",
        img(
            "flux1-schnell-fp8",
            steps=1e21,
            guidance=0.30000000000000004,
            seed=4294967295,
            positivePrompt="tiny 1e-7",
        ),
    ),
    (
        "unicode_prompt",
        img(
            "flux1-schnell-fp8",
            positivePrompt='caf\u00e9 \U0001f98a "quoted" back\\slash\nnew\tline \u2028 \x01 \x7f',
            negativePrompt="\u00fc\u00f1\u00ef",
        ),
    ),
    # video
    (
        "wan_t2v_lightx2v_duration",
        vid(
            "wan_v2.2-14b-fp8_t2v_lightx2v",
            duration=5,
            width=640,
            height=640,
            sampler="euler",
            scheduler="beta",
            seed=7,
            negativePrompt="static",
            steps=4,
        ),
    ),
    (
        "wan_t2v_fps32_fractional_duration",
        vid("wan_v2.2-14b-fp8_t2v_lightx2v", duration=3.3, fps=32, guidance=1),
    ),
    (
        "wan_t2v_frames_shift_teacache",
        vid(
            "wan_v2.2-14b-fp8_t2v", frames=81, shift=8, teacacheThreshold=0.3, width=832, height=480
        ),
    ),
    (
        "wan_i2v_first_last",
        vid(
            "wan_v2.2-14b-fp8_i2v_lightx2v",
            referenceImage=M("png"),
            referenceImageEnd=M("jpeg"),
            duration=4,
        ),
    ),
    (
        "wan_i2v_end_only_uploaded",
        vid("wan_v2.2-14b-fp8_i2v_lightx2v", referenceImageEnd=True, duration=2.5),
    ),
    (
        "wan_s2v",
        vid(
            "wan_v2.2-14b-fp8_s2v_lightx2v",
            referenceImage=M("png"),
            referenceAudio=M("mp3"),
            audioStart=1.5,
            audioDuration=5,
            duration=5,
        ),
    ),
    (
        "wan_animate_move",
        vid(
            "wan_v2.2-14b-fp8_animate-move_lightx2v",
            referenceImage=M("png"),
            referenceVideo=M("mp4"),
            videoStart=0.5,
            duration=12,
        ),
    ),
    (
        "wan_animate_replace_sam2",
        vid(
            "wan_v2.2-14b-fp8_animate-replace_lightx2v",
            referenceImage=M("jpeg"),
            referenceVideo=M("mov"),
            sam2Coordinates=[{"x": 0.5, "y": 0.4}, {"x": 0.25, "y": 0.75}],
            trimEndFrame=True,
            duration=6,
        ),
    ),
    (
        "ltx23_t2v_fps30",
        vid(
            "ltx23-22b-fp8_t2v_distilled",
            duration=3.7,
            fps=30,
            generateAudio=True,
            width=1280,
            height=720,
        ),
    ),
    (
        "ltx23_t2v_default_fps",
        vid("ltx23-22b-fp8_t2v_distilled", duration=5, negativePrompt="ugly"),
    ),
    (
        "ltx23_i2v_keyframe_strengths",
        vid(
            "ltx23-22b-fp8_i2v_distilled",
            referenceImage=M("png"),
            referenceImageEnd=True,
            firstFrameStrength=0.9,
            lastFrameStrength=0.6,
            duration=10,
        ),
    ),
    (
        "ltx23_v2v_canny",
        vid(
            "ltx23-22b-fp8_v2v_distilled",
            referenceVideo=M("mp4"),
            controlNet={"name": "canny", "strength": 0.8},
            detailerStrength=0.5,
            duration=4,
        ),
    ),
    (
        "ltx23_v2v_inpaint_mask",
        vid(
            "ltx23-22b-fp8_v2v_distilled",
            referenceVideo=M("mp4"),
            referenceMask=M("png"),
            controlNet={"name": "inpaint"},
        ),
    ),
    (
        "ltx23_v2v_outpaint_identity",
        vid(
            "ltx23-22b-fp8_v2v_distilled",
            referenceVideo=True,
            controlNet={"name": "outpaint", "strength": 1},
            outpaintPosition="left",
            referenceAudioIdentity=M("wav"),
            audioIdentityStrength=4,
        ),
    ),
    ("ltx2_a2v", vid("ltx2-19b-fp8_a2v", referenceAudio=M("m4a"), duration=7.3)),
    (
        "ltx23_ia2v_unknown_audio_type",
        vid(
            "ltx23-22b-fp8_ia2v_distilled",
            referenceImage=M("webp"),
            referenceAudio=M("unknown", short=True),
            duration=3,
        ),
    ),
    (
        "seedance_20_references",
        vid(
            "seedance-2-0",
            referenceImage=M("png"),
            referenceImageUrls=["https://example.com/a.png", "https://example.com/b.jpg"],
            referenceVideoUrls=["https://example.com/v.mp4"],
            referenceAudioUrls=["https://example.com/a.mp3"],
            duration=8,
            generateAudio=True,
            tokenType="spark",
            negativePrompt="dropped",
        ),
    ),
    (
        "seedance_mini_t2v_min_duration",
        vid("seedance-2-0-mini", duration=4, width=1280, height=720),
    ),
    (
        "seedance_25_reference_task",
        vid(
            "seedance-2-5",
            seedanceTaskType="reference",
            referenceImageUrls=["https://example.com/a.png"],
            referenceVideo=B("video/mp4", "mp4"),
            duration=20,
            outputFormat="mov",
            returnLastFrame=True,
        ),
    ),
    (
        "happyhorse_r2v",
        vid(
            "happyhorse-1.1-r2v",
            referenceImageUrls=[
                "https://example.com/1.png",
                "https://example.com/2.png",
                "https://example.com/3.png",
            ],
            duration=5,
        ),
    ),
    # JavaScript truthiness / undefined corner cases
    ("image_without_prompt_or_count", {"type": "image", "modelId": "flux1-schnell-fp8"}),
    ("image_zero_counts", img("flux1-schnell-fp8", numberOfMedia=0, numberOfPreviews=0, seed=0)),
    ("image_zero_width_is_not_custom", img(SDXL_ID, width=0, height=512)),
    ("image_empty_preset_with_dims", img(SDXL_ID, sizePreset="", width=768, height=1344)),
    ("image_blank_style_prompt_kept", img("flux1-schnell-fp8", stylePrompt=" ", negativePrompt="")),
    ("image_strengths_without_loras", img("z_image_turbo_bf16", loraStrengths=[0.5])),
    (
        "video_false_flags",
        vid("wan_v2.2-14b-fp8_t2v_lightx2v", trimEndFrame=False, generateAudio=False),
    ),
    (
        "wan3_frame_anchors",
        vid("wan3.0-video", referenceImage=M("png"), referenceImageEnd=M("jpeg"), duration=7.5),
    ),
    (
        "minimax_h3_flf2v_duration",
        vid(
            "minimax-h3-fl2va-fp8_flf2v",
            referenceImage=M("png"),
            referenceImageEnd=True,
            duration=7.9,
        ),
    ),
    (
        "seedance_25_first_last_frame",
        vid(
            "seedance-2-5",
            referenceImage=M("jpeg"),
            referenceImageEnd=M("png"),
            duration=30,
            width=1920,
            height=1080,
        ),
    ),
    ("happyhorse_t2v", vid("happyhorse-1.1-t2v", duration=15, width=1280, height=720)),
    ("happyhorse_i2v", vid("happyhorse-1.1-i2v", referenceImage=M("jpeg"), duration=3)),
    (
        "wan3_loose_references",
        vid(
            "wan3.0-video",
            ratio="16:9",
            promptExtend=True,
            watermark=False,
            duration=12,
            seed=42,
            referenceImageUrls=["https://example.com/x.png"],
            referenceLinkUrl="https://example.com/page",
        ),
    ),
    (
        "minimax_h3_t2v",
        vid(
            "minimax-h3-fl2va-fp8_t2v",
            duration=10,
            width=1024,
            height=576,
            steps=20,
            guidance=1,
            fps=24,
        ),
    ),
    (
        "minimax_h3_r2v_references",
        vid(
            "minimax-h3-ref2va-fp8_r2v",
            referenceImage=M("png"),
            contextImages=[M("jpeg"), True],
            referenceVideo=M("mp4"),
            referenceVideos=[M("mov")],
            referenceVideoDurations=[3, 4.5],
            referenceAudio=M("wav"),
            referenceAudios=[M("id3")],
            duration=6,
        ),
    ),
    (
        "minimax_h3_ia2v_turbo",
        vid(
            "minimax-h3-fastvideo-int8_ia2v_turbo",
            referenceImage=M("png"),
            referenceAudio=M("mp3"),
            audioStart=2,
            steps=4,
            frames=209,
        ),
    ),
    (
        "flashvsr_upscale_from_size_and_duration",
        vid(
            "flashvsr_v1.1_tiny_long_bf16",
            positivePrompt="",
            referenceVideo=B("video/quicktime", "mov"),
            width=1920,
            height=1080,
            fps=25,
            duration=10,
            detailPreference="sharper",
            processingSpeed="faster",
            seed=-1,
        ),
    ),
    (
        "seedance_audio_and_identity",
        vid(
            "seedance-2-0",
            referenceImage=M("png"),
            referenceAudio=M("mp3"),
            referenceAudioIdentity=M("wav"),
            duration=5,
        ),
    ),
    (
        "seedance_identity_sets_audio_type",
        vid(
            "seedance-2-0-mini",
            referenceVideo=M("mp4"),
            referenceAudioIdentity=M("m4a"),
            audioIdentityStrength=3.5,
            duration=6,
        ),
    ),
    (
        "minimax_h3_r2v_uploaded_slots",
        vid(
            "minimax-h3-ref2va-fp8_r2v",
            contextImages=[M("png"), True, M("webp")],
            referenceVideos=[True, M("mp4")],
            referenceAudios=[True, M("unknown")],
        ),
    ),
    (
        "minimax_h3_i2v_end_frame",
        vid("minimax-h3-fl2va-fp8_i2v", referenceImageEnd=M("jpeg"), frames=158),
    ),
    (
        "flashvsr_upscale",
        vid(
            "flashvsr_v1.1_tiny_long_bf16",
            positivePrompt="",
            referenceVideo=M("mp4"),
            upscaleResolution=1440,
            fps=30,
            frames=300,
        ),
    ),
    # audio
    (
        "ace_step_full",
        aud(
            "ace_step_1.5_turbo",
            duration=30,
            bpm=120,
            timesignature="4",
            language="en",
            lyrics="[verse]\nla la",
            keyscale="C major",
            composerMode=True,
            promptStrength=2,
            creativity=0.85,
            shift=3,
            sampler="dpmpp_2m",
            scheduler="simple",
            outputFormat="flac",
            negativePrompt="noise",
            numberOfMedia=2,
            steps=8,
            seed=99,
        ),
    ),
    ("minimax_music3_minimal", aud("minimax_music3")),
    (
        "speech_reference_audio",
        aud(
            "qwen3_tts_1.7b",
            speaker="Vivian",
            instruct="calm",
            referenceText="hello there",
            referenceAudio=M("wav"),
            sampler="euler",
        ),
    ),
]
