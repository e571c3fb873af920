"""REST routing: the REST host (enveloped JSON) and the socket host's GETs (raw JSON).

Both hosts are served on the same port (01 §1.1 lets clients point each
base anywhere).  Routes, in wire-reference order:

* socket host, raw JSON (01 §2.6): models list, tiers, size presets, worker
  status, active projects, project sync, image/video/audio/LLM estimates;
* account (01 §6.2-6.3): nonce, login, create, refresh-token, logout, me,
  balance, wallet balance, username validate, device id;
* subscriptions (01 §6.6), rewards/transactions/leaderboard stubs;
* uploads/downloads (01 §4.7, §4.10) and the object store behind them;
* projects (01 §4.11) and the LoRA catalog (01 §5.8);
* hosted chat completions, non-streaming (02 §3.1).

Unknown or invalid credentials answer 401 with the error envelope; a REST
fault (``rest-429`` / ``rest-5xx``) answers before routing.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from .auth import Principal
from .chat import hosted_completion
from .cost import JobShape, estimate_response, llm_cost
from .eip712 import to_checksum_address
from .entitlement import rest_snapshot
from .http import HttpRequest, HttpResponse, error_response, json_response, success

if TYPE_CHECKING:
    from .supernet import Supernet

__all__ = ["Router"]

Handler = Callable[[HttpRequest, "Principal | None", dict[str, str]], Awaitable[HttpResponse]]

# Paths that work without credentials.
_PUBLIC = (
    "/v1/account/nonce",
    "/v1/account/login",
    "/v1/account/create",
    "/v1/account/refresh-token",
    "/v1/account/username/validate",
    "/v1/loras/comfy",
    "/v1/subscriptions/plans",
    "/api/v1/models/list",
    "/api/v2/models/tiers",
    "/api/v1/size-presets/",
    "/api/v1/status/",
    "/api/v2/job/estimate/",
    "/api/v3/job/estimate/",
    "/api/v1/job-video/estimate/",
    "/api/v1/job-audio/estimate/",
    "/api/v1/job-llm/estimate/",
    "/_store/",
    "/_upload/",
    "/health",
)


_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


def _is_address(value: str) -> bool:
    """A wallet address as the SDKs send it (01 §6.2.2): ``0x`` and 40 hex digits."""
    return _ADDRESS.fullmatch(value) is not None


#: RawProjectStatus -> the ProjectLookupStatus of GET /v2/projects/{id} (01 §4.11.4
#: project map; the socket's own authorized/queued are waiting in the queue).
_LOOKUP_STATUS = {
    "pending": "pending",
    "authorized": "queued",
    "active": "queued",
    "queued": "queued",
    "assigned": "processing",
    "progress": "processing",
    "completed": "completed",
    "errored": "failed",
    "cancelled": "canceled",
}


def _int(value: str, default: int = 0) -> int:
    try:
        return int(float(value))
    except ValueError:
        return default


def _float(value: str, default: float = 0.0) -> float:
    try:
        return float(value)
    except ValueError:
        return default


def _number(value: str) -> float | None:
    """A finite number of an estimate segment or query value, else ``None`` (a 400)."""
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _count(value: str) -> int | None:
    """A whole number >= 0 of an estimate segment or query value, else ``None`` (a 400)."""
    number = _number(value)
    return int(number) if number is not None and number >= 0 and number.is_integer() else None


def _estimate_network(r: HttpRequest) -> str | None:
    """The ``network`` query of a video/audio estimate (default fast), ``None`` if invalid."""
    network = r.query.get("network", "fast")
    return network if network in ("fast", "relaxed") else None


def _estimate_billing(r: HttpRequest) -> str | None:
    """The ``billingMode`` query of an estimate (default auto), ``None`` if invalid."""
    billing = r.query.get("billingMode", "auto")
    return billing if billing in ("auto", "subscription", "tokens") else None


class Router:
    """Maps ``(method, path pattern)`` to handlers."""

    def __init__(self, hub: Supernet) -> None:
        self.hub = hub
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        add = self._add
        # workflows, templates, chat runs, streamed/tool-executing hosted chat
        # (02 §3, §5); before the plain chat completion route below.
        from .workflows import install_routes

        install_routes(self)
        # socket host (raw JSON)
        add("GET", r"/api/v1/models/list", self.models_list)
        add("GET", r"/api/v2/models/tiers", self.model_tiers)
        add(
            "GET",
            r"/api/v1/size-presets/network/(?P<network>[^/]+)/model/(?P<model>.+)",
            self.size_presets,
        )
        add("GET", r"/api/v1/status/network/(?P<network>[^/]+)/models", self.status_models)
        add("GET", r"/api/v1/artist/projects/active", self.projects_active)
        add("GET", r"/api/v1/artist/projects/sync", self.projects_sync)
        add("GET", r"/api/v(?P<version>[23])/job/estimate/(?P<rest>.+)", self.estimate_image)
        add("GET", r"/api/v1/job-video/estimate/(?P<rest>.+)", self.estimate_video)
        add("GET", r"/api/v1/job-audio/estimate/(?P<rest>.+)", self.estimate_audio)
        add("GET", r"/api/v1/job-llm/estimate/(?P<rest>.+)", self.estimate_llm)
        # account
        add("POST", r"/v1/account/nonce", self.nonce)
        add("POST", r"/v1/account/login", self.login)
        add("POST", r"/v1/account/create", self.create_account)
        add("POST", r"/v1/account/refresh-token", self.refresh)
        add("POST", r"/v1/account/logout", self.logout)
        add("POST", r"/v1/account/username/validate", self.validate_username)
        add("POST", r"/v1/account/device-id", self.ok)
        add("GET", r"/v1/account/me", self.me)
        add("GET", r"/v4/account/balance", self.balance)
        add("GET", r"/v2/wallet/balance", self.wallet_balance)
        add("GET", r"/v4/account/rewards", self.rewards)
        add("GET", r"/v1/transactions/list", self.transactions)
        add("GET", r"/v1/leaderboard/?", self.leaderboard)
        # subscriptions
        add("GET", r"/v1/subscriptions/status", self.subscription_status)
        add("GET", r"/v1/subscriptions/usage", self.subscription_usage)
        add("GET", r"/v1/subscriptions/trial-eligibility", self.trial_eligibility)
        add("GET", r"/v1/subscriptions/plans", self.plans)
        # media
        add("GET", r"/v1/image/uploadUrl", self.image_upload_url)
        add("GET", r"/v1/media/uploadUrl", self.media_upload_url)
        add("GET", r"/v1/image/downloadUrl", self.image_download_url)
        add("GET", r"/v1/media/downloadUrl", self.media_download_url)
        add("PUT", r"/_upload/(?P<key>.+)", self.store_put)
        add("GET", r"/_store/(?P<key>.+)", self.store_get)
        # projects, LoRAs
        add("GET", r"/v1/projects/(?P<id>[^/]+)", self.project_record)
        add("GET", r"/v2/projects/(?P<id>[^/]+)", self.project_status)
        add("GET", r"/v1/loras/comfy", self.loras)
        add("POST", r"/v1/chat/completions", self.chat_completions)
        add("GET", r"/health", self.health)

    def _add(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append((method, re.compile(pattern + r"\Z"), handler))

    async def handle(self, request: HttpRequest) -> HttpResponse:
        """Answer one request (records it when recording is on)."""
        response = await self._dispatch(request)
        if self.hub.recorder.enabled:
            self.hub.recorder.write(
                {
                    "kind": "rest",
                    "method": request.method,
                    "path": request.path,
                    "query": request.query,
                    "headers": request.headers,
                    "status": response.status,
                    "request": _body_for_log(request.body, request.headers.get("content-type", "")),
                    "response": _body_for_log(response.body, response.content_type),
                }
            )
        return response

    async def _dispatch(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        injected = self.hub.faults.rest_status(path)
        if injected is not None:
            response = error_response(injected, f"Injected fault: HTTP {injected}")
            if injected == 429:
                response.headers.append(("retry-after", "1"))
            return response
        match_path = False
        for method, pattern, handler in self._routes:
            match = pattern.match(path if not path.startswith("/_") else request.raw_path)
            if match is None:
                continue
            match_path = True
            if method != request.method:
                continue
            principal = self.hub.auth.authenticate_headers(request.headers)
            if not path.startswith(("/_store/", "/_upload/")):
                invalid = principal is None and self.hub.auth.has_credentials(request.headers)
                if invalid and path != "/v1/account/refresh-token":
                    return error_response(401, "Invalid or expired credentials", 401)
                if principal is None and not path.startswith(_PUBLIC):
                    return error_response(401, "Authentication required", 401)
            return await handler(request, principal, match.groupdict())
        if match_path:
            return error_response(405, "Method not allowed")
        return error_response(404, f"Not found: {path}")

    # -- socket host ---------------------------------------------------------------

    async def models_list(
        self, r: HttpRequest, p: Principal | None, m: dict[str, str]
    ) -> HttpResponse:
        return json_response([e.listing() for e in self.hub.catalogue.models.values()])

    async def model_tiers(
        self, r: HttpRequest, p: Principal | None, m: dict[str, str]
    ) -> HttpResponse:
        return json_response(self.hub.catalogue.tiers)

    async def size_presets(
        self, r: HttpRequest, p: Principal | None, m: dict[str, str]
    ) -> HttpResponse:
        model_id = unquote(m["model"])
        if self.hub.catalogue.model(model_id) is None:
            return error_response(404, f"Model {model_id} not found")
        return json_response(self.hub.catalogue.size_presets(model_id))

    async def status_models(
        self, r: HttpRequest, p: Principal | None, m: dict[str, str]
    ) -> HttpResponse:
        return json_response(self.hub.catalogue.status_by_sid(m["network"]))

    def _own_projects(self, principal: Principal | None, app_id: str | None = None) -> list[Any]:
        if principal is None:
            return []
        return [
            project
            for project in self.hub.projects.values()
            if project.account.id == principal.account.id
            and (app_id is None or project.app_id == app_id)
        ]

    async def projects_active(
        self, r: HttpRequest, p: Principal | None, m: dict[str, str]
    ) -> HttpResponse:
        live = [pr for pr in self._own_projects(p) if not pr.finished]
        return json_response({"projects": [{"id": pr.id} for pr in live]})

    async def projects_sync(
        self, r: HttpRequest, p: Principal | None, m: dict[str, str]
    ) -> HttpResponse:
        app_id = r.query.get("appId")
        projects = self._own_projects(p, app_id)
        return json_response(
            {
                "activeProjects": [self.hub.raw_project(pr) for pr in projects if not pr.finished],
                "unclaimedCompletedProjects": [
                    self.hub.raw_project(pr)
                    for pr in (self.hub.unclaimed(app_id) if app_id else [])
                    if p is not None and pr.account.id == p.account.id
                ],
                "serverTime": self.hub.clock.now_ms(),
            }
        )

    async def estimate_image(
        self, r: HttpRequest, p: Principal | None, m: dict[str, str]
    ) -> HttpResponse:
        # 01 §5.7.1: tokenType/network/model/imageCount/stepCount/previewCount/cn/denoise/w/h
        #            [/guidance/sampler/contextImages] (v3); query gptImageQuality,
        #            outputFormat, billingMode (TS 5.54.0)
        seg = m["rest"].split("/")
        v3 = m["version"] == "3"
        if len(seg) < (13 if v3 else 10):
            return error_response(400, "Invalid estimate path")
        model_id = seg[2]
        if self.hub.catalogue.model(model_id) is None:
            return error_response(404, f"Model {model_id} not found")
        billing = _estimate_billing(r)
        guidance = _number(seg[10]) if v3 else 0.0
        context = _count(seg[12]) if v3 else 0
        if billing is None or guidance is None or context is None:
            return error_response(400, "Invalid estimate parameters")
        network = seg[1] if seg[1] in ("fast", "relaxed") else "fast"
        shape = JobShape(
            model_id=model_id,
            network=network,
            count=max(1, _int(seg[3], 1)),
            steps=_int(seg[4]),
            previews=_int(seg[5]),
            cn=seg[6] == "1",
            width=_int(seg[8]),
            height=_int(seg[9]),
            context_images=context,
            guidance=guidance,
            sampler=seg[11] if v3 and seg[11] != "_" else "",
        )
        return self._estimate(p, shape, billing)

    def _estimate(self, p: Principal | None, shape: JobShape, billing: str) -> HttpResponse:
        """The estimate body; ``dailyFairUse`` only for a subscriber covered on Fast."""
        sub = p.account.subscription if p is not None else None
        covered = sub is not None and sub.active and shape.network == "fast"
        fair_use = covered and billing != "tokens"
        return json_response(estimate_response(self.hub.catalogue, shape, fair_use=fair_use))

    def _media_estimate_segments(self, m: dict[str, str], minimum: int) -> list[str] | HttpResponse:
        """The decoded path segments of a media estimate, or the error the server answers."""
        seg = [unquote(s) for s in m["rest"].split("/")]
        if len(seg) < minimum:
            return error_response(400, "Invalid estimate path")
        if self.hub.catalogue.model(seg[1]) is None:
            return error_response(404, f"Model {seg[1]} not found")
        return seg

    async def estimate_video(
        self, r: HttpRequest, p: Principal | None, m: dict[str, str]
    ) -> HttpResponse:
        # 01 §5.7.2: tokenType/model/width/height/frames/fps[/steps/numberOfMedia]; query
        # sourceWidth, sourceHeight, hasVideoInput, referenceImageCount, referenceVideoCount,
        # referenceVideoDurationSeconds, network, billingMode (TS 5.54.0)
        seg = self._media_estimate_segments(m, 6)
        if isinstance(seg, HttpResponse):
            return seg
        q = r.query
        network = _estimate_network(r)
        billing = _estimate_billing(r)
        images = _count(q.get("referenceImageCount", "0"))
        videos = _count(q.get("referenceVideoCount", "0"))
        seconds = _number(q.get("referenceVideoDurationSeconds", "0"))
        video_input = q.get("hasVideoInput", "0")
        source = [_number(q[k]) for k in ("sourceWidth", "sourceHeight") if k in q]
        if (
            network is None
            or billing is None
            or images is None
            or videos is None
            or seconds is None
            or seconds < 0
            or video_input not in ("0", "1", "true", "false")
            or len(source) not in (0, 2)
            or any(v is None or v <= 0 for v in source)
        ):
            return error_response(400, "Invalid estimate parameters")
        model_id = seg[1]
        shape = JobShape(
            model_id=model_id,
            network=network,
            width=_int(seg[2]),
            height=_int(seg[3]),
            frames=_int(seg[4]),
            fps=_float(seg[5]),
            steps=_int(seg[6]) if len(seg) > 6 else 0,
            count=max(1, _int(seg[7], 1)) if len(seg) > 7 else 1,
            video_input=video_input in ("1", "true"),
            reference_images=images,
            reference_video_seconds=seconds,
        )
        return self._estimate(p, shape, billing)

    async def estimate_audio(
        self, r: HttpRequest, p: Principal | None, m: dict[str, str]
    ) -> HttpResponse:
        # 01 §5.7.3: tokenType/model/duration/steps/numberOfMedia; query network, billingMode
        seg = self._media_estimate_segments(m, 5)
        if isinstance(seg, HttpResponse):
            return seg
        network = _estimate_network(r)
        billing = _estimate_billing(r)
        if network is None or billing is None:
            return error_response(400, "Invalid estimate parameters")
        model_id = seg[1]
        shape = JobShape(
            model_id=model_id,
            network=network,
            duration=_float(seg[2], 30.0),
            steps=_int(seg[3]),
            count=max(1, _int(seg[4], 1)),
        )
        return self._estimate(p, shape, billing)

    async def estimate_llm(
        self, r: HttpRequest, p: Principal | None, m: dict[str, str]
    ) -> HttpResponse:
        # 02 §2.12: tokenType/model/inputTokens/maxOutputTokens
        seg = [unquote(s) for s in m["rest"].split("/")]
        if len(seg) < 4:
            return error_response(400, "Invalid estimate path")
        token_type, model_id = seg[0], seg[1]
        if model_id not in self.hub.catalogue.llm_models:
            return error_response(404, f"Model {model_id} not found")
        inputs, outputs = max(0, _int(seg[2])), max(0, _int(seg[3]))
        return json_response(
            {
                "request": {
                    "model": model_id,
                    "inputTokens": inputs,
                    "maxOutputTokens": outputs,
                    "tokenType": token_type,
                    "time": self.hub.clock.now_ms(),
                },
                "quote": llm_cost(self.hub.catalogue, model_id, inputs, outputs),
            }
        )

    # -- account -------------------------------------------------------------------------

    async def ok(self, r: HttpRequest, p: Principal | None, m: dict[str, str]) -> HttpResponse:
        return success()

    async def health(self, r: HttpRequest, p: Principal | None, m: dict[str, str]) -> HttpResponse:
        return json_response({"status": "ok"})

    def _json_body(self, r: HttpRequest) -> dict[str, Any] | None:
        try:
            body = r.json()
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    async def nonce(self, r: HttpRequest, p: Principal | None, m: dict[str, str]) -> HttpResponse:
        body = self._json_body(r)
        address = body.get("walletAddress") if body else None
        if not isinstance(address, str) or not _is_address(address):
            return error_response(400, "walletAddress is required (0x and 40 hex digits)", 400)
        return success({"nonce": self.hub.auth.issue_nonce(address)})

    async def login(self, r: HttpRequest, p: Principal | None, m: dict[str, str]) -> HttpResponse:
        # 01 §6.2.2: the EIP-712 signature is verified against the wallet's nonce
        # (auth.AuthService.login_error); any failure is a 401 (the reference names no code).
        body = self._json_body(r) or {}
        address, signature = body.get("walletAddress"), body.get("signature")
        if not isinstance(address, str) or not isinstance(signature, str) or not signature:
            return error_response(400, "walletAddress and signature are required", 400)
        if not _is_address(address):
            return error_response(400, "walletAddress is required (0x and 40 hex digits)", 400)
        problem = self.hub.auth.login_error(address, signature)
        if problem is not None:
            return error_response(401, problem, 401)
        address = to_checksum_address(address)
        account = self.hub.auth.account_for_wallet(address) or self.hub.auth.new_account(
            f"user-{address[2:10].lower()}", address, f"{address[2:10].lower()}@example.invalid"
        )
        tokens = self.hub.auth.issue_tokens(account)
        return success({**tokens, "username": account.username})

    async def create_account(
        self, r: HttpRequest, p: Principal | None, m: dict[str, str]
    ) -> HttpResponse:
        body = self._json_body(r) or {}
        address, username = body.get("walletAddress"), body.get("username")
        if not isinstance(address, str) or not isinstance(username, str) or not username:
            return error_response(400, "username and walletAddress are required", 400)
        if not self.hub.auth.consume_nonce(address):
            return error_response(401, "Invalid signature or expired nonce", 401)
        if self.hub.auth.account_for_wallet(address) is not None:
            return error_response(400, "Account already exists", 108)
        email = body.get("email") if isinstance(body.get("email"), str) else ""
        account = self.hub.auth.new_account(username, address, str(email))
        return success(self.hub.auth.issue_tokens(account))

    async def refresh(self, r: HttpRequest, p: Principal | None, m: dict[str, str]) -> HttpResponse:
        body = self._json_body(r) or {}
        token = body.get("refreshToken")
        tokens = self.hub.auth.refresh(token) if isinstance(token, str) else None
        if tokens is None:
            return error_response(401, "Invalid refresh token", 401)
        return success(tokens)

    async def logout(self, r: HttpRequest, p: Principal | None, m: dict[str, str]) -> HttpResponse:
        if not self.hub.auth.logout(r.headers):
            return error_response(401, "Not logged in", 401)
        return success()

    async def validate_username(
        self, r: HttpRequest, p: Principal | None, m: dict[str, str]
    ) -> HttpResponse:
        body = self._json_body(r) or {}
        name = body.get("username")
        taken = any(
            a.username == name
            for a in self.hub.auth._accounts.values()  # noqa: SLF001
        )
        if taken:
            return error_response(400, "Username is already taken", 108)
        return success()

    async def me(self, r: HttpRequest, p: Principal | None, m: dict[str, str]) -> HttpResponse:
        assert p is not None
        a = p.account
        return success(
            {
                "currentEmail": a.email,
                "discord2FA": False,
                "discordLinked": False,
                "discordServerMember": False,
                "discordUsername": None,
                "emailVerified": True,
                "requestedUpdatedEmail": None,
                "username": a.username,
                "walletAddress": a.address,
            }
        )

    async def balance(self, r: HttpRequest, p: Principal | None, m: dict[str, str]) -> HttpResponse:
        assert p is not None
        return success(p.account.balances(rest=True))

    async def wallet_balance(
        self, r: HttpRequest, p: Principal | None, m: dict[str, str]
    ) -> HttpResponse:
        return success({"sogni": "0", "spark": "0", "ether": "0"})

    async def rewards(self, r: HttpRequest, p: Principal | None, m: dict[str, str]) -> HttpResponse:
        return success({"rewards": []})

    async def transactions(
        self, r: HttpRequest, p: Principal | None, m: dict[str, str]
    ) -> HttpResponse:
        return success({"transactions": [], "next": 0})

    async def leaderboard(
        self, r: HttpRequest, p: Principal | None, m: dict[str, str]
    ) -> HttpResponse:
        return success([])

    # -- subscriptions ----------------------------------------------------------------

    async def subscription_status(
        self, r: HttpRequest, p: Principal | None, m: dict[str, str]
    ) -> HttpResponse:
        assert p is not None
        return success({"subscription": rest_snapshot(p.account.subscription)})

    async def subscription_usage(
        self, r: HttpRequest, p: Principal | None, m: dict[str, str]
    ) -> HttpResponse:
        return success({"usage": {"periodRenderSpark": 0, "periodJobs": 0}})

    async def trial_eligibility(
        self, r: HttpRequest, p: Principal | None, m: dict[str, str]
    ) -> HttpResponse:
        return success({"eligible": True, "reasonCode": "eligible"})

    async def plans(self, r: HttpRequest, p: Principal | None, m: dict[str, str]) -> HttpResponse:
        plans = [
            {
                "planId": "unlimited",
                "tier": "unlimited",
                "term": "monthly",
                "interval": "month",
                "priceUsd": 20,
                "displayName": "Unlimited",
                "vendorDiscountBps": 0,
            },
            {
                "planId": "unlimited_pro",
                "tier": "unlimited_pro",
                "term": "monthly",
                "interval": "month",
                "priceUsd": 60,
                "displayName": "Unlimited Pro",
                "vendorDiscountBps": 0,
            },
        ]
        return success({"plans": plans})

    # -- uploads and downloads -----------------------------------------------------------

    async def image_upload_url(
        self, r: HttpRequest, p: Principal | None, m: dict[str, str]
    ) -> HttpResponse:
        q = r.query
        if not q.get("jobId") or not q.get("type"):
            return error_response(400, "jobId and type are required", 400)
        url = self.hub.store.upload_url(q["jobId"].upper(), q["type"], q.get("imageId", ""))
        return success({"uploadUrl": url})

    async def media_upload_url(
        self, r: HttpRequest, p: Principal | None, m: dict[str, str]
    ) -> HttpResponse:
        q = r.query
        if not q.get("jobId") or not q.get("type"):
            return error_response(400, "jobId and type are required", 400)
        url = self.hub.store.upload_url(q["jobId"].upper(), q["type"], q.get("id", ""))
        return success({"uploadUrl": url})

    def _download(self, job_id: str, object_id: str, slot: str) -> HttpResponse:
        if not job_id or not object_id:
            return error_response(400, "jobId and the object id are required", 400)
        key = self.hub.store.key(job_id.upper(), slot or "complete", object_id.upper())
        if self.hub.store.get(key) is None:
            key_raw = self.hub.store.key(job_id, slot or "complete", object_id)
            if self.hub.store.get(key_raw) is None:
                return error_response(404, "Media not found", 404)
            key = key_raw
        return success({"downloadUrl": self.hub.store.download_url(key)})

    async def image_download_url(
        self, r: HttpRequest, p: Principal | None, m: dict[str, str]
    ) -> HttpResponse:
        q = r.query
        return self._download(q.get("jobId", ""), q.get("imageId", ""), q.get("type", "complete"))

    async def media_download_url(
        self, r: HttpRequest, p: Principal | None, m: dict[str, str]
    ) -> HttpResponse:
        q = r.query
        return self._download(q.get("jobId", ""), q.get("id", ""), q.get("type", "complete"))

    async def store_put(
        self, r: HttpRequest, p: Principal | None, m: dict[str, str]
    ) -> HttpResponse:
        key = unquote(m["key"])
        q = r.query
        problem = self.hub.store.verify(
            "PUT", key, q.get("X-Expires", ""), q.get("X-Signature", "")
        )
        if problem is not None:
            return _s3_error(403, "AccessDenied" if problem != "expired" else "ExpiredToken")
        self.hub.store.put(key, r.body, r.headers.get("content-type", "application/octet-stream"))
        return HttpResponse(200, b"", "text/plain", [("etag", f'"{len(r.body):x}"')])

    async def store_get(
        self, r: HttpRequest, p: Principal | None, m: dict[str, str]
    ) -> HttpResponse:
        key = unquote(m["key"])
        q = r.query
        problem = self.hub.store.verify(
            "GET", key, q.get("X-Expires", ""), q.get("X-Signature", "")
        )
        if problem is not None:
            return _s3_error(403, "AccessDenied" if problem != "expired" else "ExpiredToken")
        obj = self.hub.store.get(key)
        if obj is None:
            return _s3_error(404, "NoSuchKey")
        return HttpResponse(200, obj.data, obj.content_type)

    # -- projects and LoRAs -------------------------------------------------------------

    async def project_record(
        self, r: HttpRequest, p: Principal | None, m: dict[str, str]
    ) -> HttpResponse:
        # 01 §4.11.1: only finished projects are stored; 404 until then.
        project = self.hub.projects.get(unquote(m["id"]).upper())
        if project is None or not project.finished:
            return error_response(404, "Project not found", 404)
        return success({"project": self.hub.raw_project(project)})

    async def project_status(
        self, r: HttpRequest, p: Principal | None, m: dict[str, str]
    ) -> HttpResponse:
        # TS 5.54.0 getStatus: owner-scoped (another account's project is a 404,
        # like an unknown id), also while queued; the status is the normalised
        # ProjectLookupStatus and `finished` is set for the three final ones.
        project = self.hub.projects.get(unquote(m["id"]).upper())
        if project is None or p is None or project.account.id != p.account.id:
            return error_response(404, "Project not found", 404)
        raw = self.hub.raw_project(project)
        raw["status"] = _LOOKUP_STATUS.get(project.status, "processing")
        raw["finished"] = project.finished
        return success({"project": raw})

    async def chat_completions(
        self, r: HttpRequest, p: Principal | None, m: dict[str, str]
    ) -> HttpResponse:
        body = self._json_body(r)
        if body is None:
            return json_response(
                {
                    "error": {
                        "message": "body must be a JSON object",
                        "type": "invalid_request",
                        "code": "invalid_request",
                    }
                },
                400,
            )
        assert p is not None
        status, payload = hosted_completion(self.hub, p.account, body)
        if status == 200:
            await self.hub.send_balance(p.account.id)
        return json_response(payload, status)

    async def loras(self, r: HttpRequest, p: Principal | None, m: dict[str, str]) -> HttpResponse:
        data = self.hub.catalogue.loras
        rows = list(data.get("lora", []))
        model_id = r.query.get("modelId")
        models = sorted({mid for row in rows for mid in row.get("modelIds", [])})
        if model_id:
            rows = [row for row in rows if model_id in row.get("modelIds", [])]
        return success(
            {
                "lastUpdated": data.get("lastUpdated"),
                "loras": rows,
                "models": models,
                "constraints": data.get("constraints"),
            }
        )


def _s3_error(status: int, code: str) -> HttpResponse:
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
        f"<Message>{code}</Message></Error>"
    ).encode()
    return HttpResponse(status, body, "application/xml")


def _body_for_log(body: bytes, content_type: str) -> Any:
    if not body:
        return None
    if "json" in content_type:
        try:
            return json.loads(body)
        except ValueError:
            pass
    return {"bytes": len(body), "contentType": content_type or None}
