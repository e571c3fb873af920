"""The catalogue data is consistent and maps cleanly through the SDKs' tier rules (01 §5.5)."""

from __future__ import annotations

import pytest
from sogni_emulator.catalogue import catalogue_dir, load_catalogue

CAT = load_catalogue()

# Model ids used by the official TS SDK README and examples (feature surface).
README_MODELS = [
    "flux1-schnell-fp8",
    "coreml-cyberrealistic_v70_768",
    "gpt-image-2",
    "seedance-2-0",
    "wan_v2.2-14b-fp8_t2v_lightx2v",
    "wan_v2.2-14b-fp8_i2v_lightx2v",
    "wan_v2.2-14b-fp8_s2v_lightx2v",
    "wan_v2.2-14b-fp8_animate-move_lightx2v",
    "wan_v2.2-14b-fp8_animate-replace_lightx2v",
    "z_image_turbo_bf16",
    "qwen_image_edit_2511_fp8",
    "ltx23-22b-fp8_t2v_distilled",
    "ace_step_1.5_xl_turbo",
]


def test_catalogue_dir_is_the_repository_copy_in_editable_installs():
    assert (catalogue_dir() / "tiers.toml").is_file()


@pytest.mark.parametrize("model_id", README_MODELS)
def test_readme_models_present(model_id):
    assert CAT.model(model_id) is not None


def test_llm_model_present():
    assert "qwen3.6-35b-a3b-gguf-iq4xs" in CAT.llm_models


def test_ids_and_sids_unique():
    sids = [m.sid for m in CAT.models.values()]
    assert len(set(sids)) == len(sids)


def _check_range(r, name):
    assert r["min"] <= r["default"] <= r["max"], name


def _check_choice(c, name):
    assert isinstance(c["allowed"], list), name
    assert not c["allowed"] or c["default"] in c["allowed"], name


@pytest.mark.parametrize("model_id", sorted(CAT.models))
def test_tier_matches_media_and_is_well_formed(model_id):
    entry = CAT.models[model_id]
    tier = CAT.tiers[entry.tier]
    kind = tier.get("type")
    expected = {"image": (None, "image"), "video": ("video",), "audio": ("audio",)}[entry.media]
    assert kind in expected
    if entry.media != "video":
        _check_range(tier["steps"], "steps")  # mapRange(tier.steps) must not throw
    else:
        _check_range(tier["width"], "width")
        _check_range(tier["height"], "height")
        assert tier["fps"]["default"] in tier["fps"]["allowed"]
    for key in ("guidance", "duration", "bpm", "shift", "promptStrength", "creativity"):
        if key in tier:
            _check_range(tier[key], key)
    for key in (
        "sampler",
        "scheduler",
        "comfySampler",
        "comfyScheduler",
        "timesignature",
        "language",
        "keyscale",
    ):
        if key in tier:
            _check_choice(tier[key], key)
    if kind is None:  # legacy image tiers carry sampler + scheduler (01 §5.5)
        assert "sampler" in tier and "scheduler" in tier
    assert isinstance(tier["benchmark"]["sec"], (int, float))
    assert sum(entry.workers.values()) > 0


def test_size_presets_are_multiples_of_16():
    for model_id in ("flux1-schnell-fp8", "qwen_image_2512_fp8", "coreml-cyberrealistic_v70_768"):
        presets = CAT.size_presets(model_id)
        assert {p["id"] for p in presets} >= {
            "square",
            "square_hd",
            "portrait_7_9",
            "landscape_9_7",
        }
        for preset in presets:
            assert preset["width"] % 16 == 0 and preset["height"] % 16 == 0
            w, h = (int(x) for x in preset["ratio"].split(":"))
            assert abs(preset["width"] / preset["height"] - w / h) < 0.05


def test_swarm_snapshots_follow_networks():
    fast, relaxed = CAT.swarm_models("fast"), CAT.swarm_models("relaxed")
    assert "gpt-image-2" in fast and "gpt-image-2" not in relaxed
    assert all(count > 0 for count in {**fast, **relaxed}.values())
    info = CAT.swarm_llm_models("fast")["qwen3.6-35b-a3b-gguf-iq4xs"]
    assert info["workers"] > 0 and "price_per_mtok_in" not in info and "vision" not in info
