"""Spec-driven request building and response parsing for every ``ENDPOINTS`` entry.

``spec/rest.toml`` names each endpoint's method, host, path, body type,
response type and envelope; ``_generated/rest.py`` turns that into
``ENDPOINTS``. :func:`endpoint_request` and :func:`parse_endpoint_response`
read those tables, so a new endpoint needs a spec entry and nothing here.

Spec ``meta`` keys honoured: ``auth = "none"`` (never attach credentials -
the refresh call), ``body = false`` (a body-less POST - workflow cancel),
``raw_path = true`` (segments not URI-encoded - image estimates) and
``stream = true`` (``Accept: text/event-stream`` plus ``Last-Event-ID``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

import msgspec

from sogni_core.protocol._errors import InvalidParamsError

from ._request import Auth, QueryValue, Request, build_request, format_path, socket_http_base
from ._response import ResponseHeaders, parse_response

if TYPE_CHECKING:
    from sogni_core.protocol._endpoint import Endpoint

    from ._attribution import Attribution

# ``_generated.rest`` (most of the import time) is imported by :func:`endpoint`, and
# the attribution rules by :func:`endpoint_request`: a client needs ``Hosts`` and the
# defaults at import, the rest on its first call.

__all__ = [
    "DEFAULT_REST_BASE",
    "DEFAULT_SOCKET_URL",
    "Hosts",
    "endpoint",
    "endpoint_request",
    "parse_endpoint_response",
]

#: Defaults of the official SDKs (01 §1.1).
DEFAULT_REST_BASE: Final = "https://api.sogni.ai"
DEFAULT_SOCKET_URL: Final = "wss://socket.sogni.ai"


class Hosts(msgspec.Struct, frozen=True, kw_only=True):
    """The two HTTP bases an endpoint can live on (01 §1.1).

    Attributes:
        rest: the REST base (``restEndpoint``).
        socket: the socket host's HTTP base (derived from ``socketEndpoint``).
    """

    rest: str = DEFAULT_REST_BASE
    socket: str = "https://socket.sogni.ai/"

    @classmethod
    def from_config(
        cls, rest_endpoint: str = DEFAULT_REST_BASE, socket_endpoint: str = DEFAULT_SOCKET_URL
    ) -> Hosts:
        """Build from the SDK options; the socket URL's scheme becomes http(s).

        Raises:
            InvalidParamsError: the socket URL has no host.
        """
        return cls(rest=rest_endpoint, socket=socket_http_base(socket_endpoint))

    def base_for(self, ep: Endpoint) -> str:
        """The base URL of ``ep``'s host."""
        return self.socket if ep.host == "socket" else self.rest


def endpoint(name: str) -> Endpoint:
    """Look up an endpoint of ``spec/rest.toml`` by name.

    Raises:
        InvalidParamsError: no such endpoint.
    """
    from sogni_core.protocol._generated.rest import ENDPOINTS

    try:
        return ENDPOINTS[name]
    except KeyError:
        raise InvalidParamsError("endpoint", f"unknown endpoint {name!r}") from None


def endpoint_request(
    ep: Endpoint | str,
    hosts: Hosts,
    *,
    path_params: Mapping[str, str | int | float | bool] | None = None,
    query: Mapping[str, QueryValue] | Iterable[tuple[str, QueryValue]] = (),
    body: Any = None,
    auth: Auth | None = None,
    attribution: Attribution | None = None,
    operation_id: str | None = None,
    idempotency_key: str | None = None,
    last_event_id: str | int | None = None,
    headers: Iterable[tuple[str, str]] = (),
) -> Request:
    """Build the request for one spec endpoint.

    Args:
        ep: the :class:`Endpoint` or its name.
        hosts: the REST and socket bases.
        path_params: values for the ``{param}`` placeholders.
        query: query entries, in order (``None`` values omitted).
        body: the JSON body - an instance of the endpoint's request Struct, or
            a mapping for free-form bodies; ``None`` sends ``{}`` on POST/PATCH.
        auth: credentials; ignored when the spec says ``auth = "none"``.
        attribution: attribution headers for the Sogni-owned calls.
        operation_id: fallback operation id for the attribution (a fresh
            uppercase UUID v4 from the caller's rng, as the SDK does).
        idempotency_key: sent as ``Idempotency-Key`` (reuse it on retries).
        last_event_id: for ``stream`` endpoints, sent as ``Last-Event-ID``.
        headers: further headers.

    Returns:
        The :class:`Request`.

    Raises:
        InvalidParamsError: unknown endpoint, missing/extra path parameter,
            a body for an endpoint that takes none, a body of the wrong Struct
            type, or an unencodable body.
    """
    if isinstance(ep, str):
        ep = endpoint(ep)
    meta = ep.meta
    path = format_path(ep.path, path_params, encode=not meta.get("raw_path", False))
    send_body = ep.method in ("POST", "PATCH") and meta.get("body", True)
    if body is not None:
        if not send_body:
            raise InvalidParamsError("body", f"{ep.name} takes no body")
        wanted = ep.request
        if isinstance(wanted, type) and issubclass(wanted, msgspec.Struct):
            if not isinstance(body, (wanted, Mapping)):
                raise InvalidParamsError("body", f"{ep.name} takes a {wanted.__name__}")
    from ._attribution import attribution_headers

    extra = list(attribution_headers(attribution, fallback_operation_id=operation_id))
    if meta.get("stream", False):
        extra.append(("Accept", "text/event-stream"))
        if last_event_id is not None:
            extra.append(("Last-Event-ID", str(last_event_id)))
    elif last_event_id is not None:
        raise InvalidParamsError("last_event_id", f"{ep.name} is not an event stream")
    if idempotency_key:
        extra.append(("Idempotency-Key", idempotency_key))
    extra.extend(headers)
    return build_request(
        ep.method,
        hosts.base_for(ep),
        path,
        auth=None if meta.get("auth") == "none" else auth,
        query=query,
        json=body,
        has_body=bool(send_body),
        headers=extra,
    )


def parse_endpoint_response(
    ep: Endpoint | str,
    status: int,
    headers: ResponseHeaders,
    body: bytes,
    *,
    strict: bool = False,
    reason: str = "",
    now: float | None = None,
) -> Any:
    """Parse a response of one spec endpoint into its response type.

    Args:
        ep: the :class:`Endpoint` or its name.
        status: the HTTP status.
        headers: the response headers.
        body: the complete body (not for ``stream`` endpoints: feed those to
            :class:`sogni_core.protocol.sse.SSEDecoder`).
        strict: convert to the strict twin (unknown fields forbidden) - for tests.
        reason: the HTTP reason phrase, for error messages.
        now: current Unix time, for an HTTP-date ``Retry-After``.

    Returns:
        An instance of the endpoint's response type (its envelope's ``data``),
        or the raw JSON for ``any``; ``None`` for an empty body of an ``any``
        endpoint (e.g. logout).

    Raises:
        ApiStatusError: the server answered with an error.
        RemoteProtocolError: the body breaks the endpoint's contract.
        InvalidParamsError: unknown endpoint name.
    """
    if isinstance(ep, str):
        ep = endpoint(ep)
    target = ep.strict_response if strict else ep.response
    typ = None if target is Any else target
    return parse_response(
        status, headers, body, type=typ, envelope=ep.envelope, reason=reason, now=now
    )
