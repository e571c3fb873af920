"""The model catalogue: models, tiers, size presets, LLMs, LoRAs and limits.

Data lives in TOML under ``spec/catalogue/`` (see its README).  An installed
wheel carries a copy as ``sogni_emulator/_catalogue/``; an editable install
reads the repository's ``spec/catalogue/`` instead.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

__all__ = ["Catalogue", "ModelEntry", "catalogue_dir", "load_catalogue"]

Json = dict[str, Any]


def catalogue_dir() -> Path:
    """Locate the catalogue data directory.

    Returns:
        ``sogni_emulator/_catalogue`` inside an installed wheel, else the
        repository's ``spec/catalogue`` (editable installs and checkouts).

    Raises:
        FileNotFoundError: neither location holds ``models.toml``.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "_catalogue", here.parent.parent / "spec" / "catalogue"):
        if (candidate / "models.toml").is_file():
            return candidate
    raise FileNotFoundError("sogni-emulator catalogue data (models.toml) not found")


@dataclass(frozen=True)
class ModelEntry:
    """One image/video/audio model of ``models.toml``."""

    id: str
    name: str
    sid: int
    tier: str
    media: str
    workers: dict[str, int]
    size_base: int = 1024
    sec_per_step: float = 1.0
    external: bool = False

    def listing(self) -> Json:
        """The ``/api/v1/models/list`` entry (01 §5.2): ``{id, name, SID, tier, media}``."""
        return {
            "id": self.id,
            "name": self.name,
            "SID": self.sid,
            "tier": self.tier,
            "media": self.media,
        }


@dataclass
class Catalogue:
    """Everything the emulator knows about models, loaded once at start-up."""

    models: dict[str, ModelEntry]
    tiers: dict[str, Json]
    presets: list[Json]
    llm_models: dict[str, Json]
    loras: Json
    limits: Json
    worker_overrides: dict[tuple[str, str], int] = field(default_factory=dict)

    def model(self, model_id: str) -> ModelEntry | None:
        """Look a model up by id; ``None`` when unknown."""
        return self.models.get(model_id)

    def tier_of(self, model_id: str) -> Json | None:
        """The raw tier of a model, or ``None``."""
        entry = self.models.get(model_id)
        return None if entry is None else self.tiers.get(entry.tier)

    def workers(self, model_id: str, network: str) -> int:
        """Worker count of a model (image/video/audio or LLM) on a network."""
        override = self.worker_overrides.get((model_id, network))
        if override is not None:
            return override
        entry = self.models.get(model_id)
        if entry is not None:
            return int(entry.workers.get(network, 0))
        llm = self.llm_models.get(model_id)
        if llm is not None:
            return int(llm.get("workers", {}).get(network, 0))
        return 0

    def swarm_models(self, network: str) -> dict[str, int]:
        """The ``swarmModels`` snapshot: model id -> workers, models with workers only."""
        result: dict[str, int] = {}
        for model_id in self.models:
            count = self.workers(model_id, network)
            if count > 0:
                result[model_id] = count
        return result

    def swarm_llm_models(self, network: str) -> dict[str, Json]:
        """The ``swarmLLMModels`` snapshot: model id -> ``LLMModelInfo`` (02 §2.5)."""
        result: dict[str, Json] = {}
        for model_id, raw in self.llm_models.items():
            count = self.workers(model_id, network)
            if count <= 0:
                continue
            info: Json = {"workers": count}
            for key, value in raw.items():
                if key in ("workers", "vision") or key.startswith("price_"):
                    continue
                info[key] = value
            result[model_id] = info
        return result

    def status_by_sid(self, network: str) -> dict[str, int]:
        """``/api/v1/status/network/{n}/models``: ``SID`` (string) -> workers."""
        return {
            str(entry.sid): self.workers(entry.id, network)
            for entry in self.models.values()
            if self.workers(entry.id, network) > 0
        }

    def size_presets(self, model_id: str) -> list[Json]:
        """Size presets of a model (01 §5.4), scaled to its ``size_base``."""
        entry = self.models.get(model_id)
        base = entry.size_base if entry is not None else 1024
        result: list[Json] = []
        for preset in self.presets:
            rw, rh = (int(part) for part in str(preset["ratio"]).split(":"))
            longer = base * float(preset.get("scale", 1.0))
            if rw >= rh:
                width, height = longer, longer * rh / rw
            else:
                width, height = longer * rw / rh, longer
            w = max(16, int(round(width / 16.0)) * 16)
            h = max(16, int(round(height / 16.0)) * 16)
            result.append(
                {
                    "label": preset["label"],
                    "id": preset["id"],
                    "width": w,
                    "height": h,
                    "ratio": preset["ratio"],
                    "aspect": f"{w / h:.2f}",
                }
            )
        return result

    def preset_size(self, model_id: str, preset_id: str) -> tuple[int, int] | None:
        """Width and height of one preset for a model, or ``None``."""
        for preset in self.size_presets(model_id):
            if preset["id"] == preset_id:
                return int(preset["width"]), int(preset["height"])
        return None


def _read(directory: Path, name: str) -> Json:
    with (directory / name).open("rb") as handle:
        data: Json = tomllib.load(handle)
    return data


def load_catalogue(directory: Path | None = None) -> Catalogue:
    """Load every catalogue file.

    Args:
        directory: the data directory; defaults to :func:`catalogue_dir`.

    Returns:
        A fresh :class:`Catalogue` (mutable worker overrides are per instance).

    Raises:
        FileNotFoundError: a catalogue file is missing.
        ValueError: a file is not valid TOML, or a model names an unknown tier.
    """
    base = directory or catalogue_dir()
    raw_models = _read(base, "models.toml").get("model", [])
    tiers = _read(base, "tiers.toml").get("tier", {})
    models: dict[str, ModelEntry] = {}
    for raw in raw_models:
        if raw["tier"] not in tiers:
            raise ValueError(f"model {raw['id']!r} names unknown tier {raw['tier']!r}")
        models[raw["id"]] = ModelEntry(
            id=raw["id"],
            name=raw["name"],
            sid=int(raw["SID"]),
            tier=raw["tier"],
            media=raw["media"],
            workers={k: int(v) for k, v in raw.get("workers", {}).items()},
            size_base=int(raw.get("size_base", 1024)),
            sec_per_step=float(raw.get("sec_per_step", 1.0)),
            external=bool(raw.get("external", False)),
        )
    loras = _read(base, "loras.toml")
    return Catalogue(
        models=models,
        tiers=tiers,
        presets=_read(base, "size_presets.toml").get("preset", []),
        llm_models=_read(base, "llm.toml").get("model", {}),
        loras=loras,
        limits=_read(base, "limits.toml"),
    )
