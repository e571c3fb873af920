"""Workflow templates (wire reference 02 §5.7): the store and its REST routes.

One public system template (``tpl_keyframe_clip``) is always present; users
create, update, delete and fork their own. Private templates are visible to
their owner only.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from .event_stream import iso
from .http import HttpRequest, HttpResponse, error_response, success
from .workflow_plans import plan_problem

if TYPE_CHECKING:
    from .auth import Principal
    from .supernet import Supernet

__all__ = ["TemplateStore"]


class TemplateStore:
    """Workflow templates (02 §5.7) with one public system template."""

    def __init__(self, hub: Supernet) -> None:
        self.hub = hub
        self._count = 0
        self.templates: dict[str, dict[str, Any]] = {}
        self.owners: dict[str, str | None] = {}
        system: dict[str, Any] = {
            "id": "tpl_keyframe_clip",
            "name": "Keyframe to clip",
            "version": "1.0.0",
            "description": "Render a keyframe image, then animate it into a short clip.",
            "category": "video",
            "stability": "production",
            "author": "system",
            "visibility": "public",
            "inputs": [{"name": "prompt", "type": "string", "default": "a lighthouse at dusk"}],
            "steps": [
                {
                    "id": "keyframe",
                    "toolName": "generate_image",
                    "arguments": {"prompt": "{{prompt}}", "width": 320, "height": 240},
                },
                {
                    "id": "clip",
                    "toolName": "generate_video",
                    "arguments": {"prompt": "{{prompt}}", "duration": 1},
                    "dependsOn": [
                        {
                            "sourceStepId": "keyframe",
                            "sourceArtifactIndex": 0,
                            "targetArgument": "referenceImageIndices",
                            "mediaType": "image",
                            "transform": "image_index",
                            "required": True,
                        }
                    ],
                },
            ],
            "exposeToLLM": True,
            "tags": ["video"],
            "createdAt": iso(0),
            "updatedAt": iso(0),
        }
        self.templates[system["id"]] = system
        self.owners[system["id"]] = None

    def visible(self, account_id: str, template_id: str) -> dict[str, Any] | None:
        template = self.templates.get(template_id)
        if template is None:
            return None
        owner = self.owners.get(template_id)
        if owner not in (None, account_id) and template.get("visibility") != "public":
            return None
        return template

    def _new_id(self) -> str:
        self._count += 1
        digest = hashlib.sha256(f"{self.hub.seed}:tpl:{self._count}".encode()).hexdigest()
        return f"tpl_{digest[:16]}"

    async def list_(self, r: HttpRequest, p: Principal | None, m: dict[str, str]) -> HttpResponse:
        assert p is not None
        visibility = r.query.get("visibility", "all")
        offset = max(0, int(r.query.get("offset", "0") or 0))
        limit = max(1, min(200, int(r.query.get("limit", "20") or 20)))
        rows = []
        for tid, template in self.templates.items():
            mine = self.owners.get(tid) == p.account.id
            public = template.get("visibility") == "public"
            if (visibility == "own" and mine) or (visibility == "public" and public):
                rows.append(template)
            elif visibility not in ("own", "public") and (mine or public):
                rows.append(template)
        page = rows[offset : offset + limit]
        nxt = offset + limit if offset + limit < len(rows) else None
        return success({"templates": page, "next": nxt})

    async def get(self, r: HttpRequest, p: Principal | None, m: dict[str, str]) -> HttpResponse:
        assert p is not None
        template = self.visible(p.account.id, m["id"])
        if template is None:
            return error_response(404, "Workflow template not found", 404)
        return success({"template": template})

    async def create(self, r: HttpRequest, p: Principal | None, m: dict[str, str]) -> HttpResponse:
        assert p is not None
        try:
            body = r.json()
        except ValueError:
            return error_response(400, "body must be JSON", 400)
        if not isinstance(body, dict) or not isinstance(body.get("name"), str):
            return error_response(400, "template name is required", 400)
        problem = plan_problem({"steps": body.get("steps", [])}, [], allow_empty=True)
        if problem is not None:
            return error_response(400, problem, 400)
        template = dict(body)
        template["id"] = self._new_id()
        template.setdefault("version", "1.0.0")
        template.setdefault("visibility", "private")
        template["author"] = {"userId": p.account.id, "displayName": p.account.username}
        template["createdAt"] = template["updatedAt"] = iso(self.hub.clock.now())
        self.templates[template["id"]] = template
        self.owners[template["id"]] = p.account.id
        return success({"template": template}, 201)

    async def update(self, r: HttpRequest, p: Principal | None, m: dict[str, str]) -> HttpResponse:
        assert p is not None
        template = self.visible(p.account.id, m["id"])
        if template is None:
            return error_response(404, "Workflow template not found", 404)
        if self.owners.get(m["id"]) != p.account.id:
            return error_response(403, "Only the owner can update a template", 403)
        try:
            patch = r.json()
        except ValueError:
            return error_response(400, "body must be JSON", 400)
        if not isinstance(patch, dict):
            return error_response(400, "patch must be an object", 400)
        for key, value in patch.items():
            if key not in ("id", "author", "createdAt"):
                template[key] = value
        template["updatedAt"] = iso(self.hub.clock.now())
        return success({"template": template})

    async def delete(self, r: HttpRequest, p: Principal | None, m: dict[str, str]) -> HttpResponse:
        assert p is not None
        if self.visible(p.account.id, m["id"]) is None:
            return error_response(404, "Workflow template not found", 404)
        if self.owners.get(m["id"]) != p.account.id:
            return error_response(403, "Only the owner can delete a template", 403)
        del self.templates[m["id"]]
        del self.owners[m["id"]]
        return success({"deleted": True, "id": m["id"]})

    async def fork(self, r: HttpRequest, p: Principal | None, m: dict[str, str]) -> HttpResponse:
        assert p is not None
        source = self.visible(p.account.id, m["id"])
        if source is None:
            return error_response(404, "Workflow template not found", 404)
        try:
            body = r.json()
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        # 02 §8.15: the typed field is newName; the SDK's own script sends name.
        name = body.get("newName") or body.get("name") or f"{source['name']} (fork)"
        fork = json.loads(json.dumps(source))
        fork.update(
            id=self._new_id(),
            name=name,
            visibility="private",
            forkedFrom=source["id"],
            author={"userId": p.account.id, "displayName": p.account.username},
            createdAt=iso(self.hub.clock.now()),
            updatedAt=iso(self.hub.clock.now()),
        )
        self.templates[fork["id"]] = fork
        self.owners[fork["id"]] = p.account.id
        return success({"template": fork}, 201)
