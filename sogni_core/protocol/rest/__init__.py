"""Sans-IO REST: request builders returning plain :class:`Request` data, and
response parsers taking ``(status, headers, body)``.

Nothing here performs I/O. A transport sends ``Request.method`` to
``Request.url`` with ``Request.headers`` and ``Request.body``, then hands the
status, headers and body bytes to the matching ``parse_*`` function (or
:func:`parse_endpoint_response`). Event streams go to
:class:`sogni_core.protocol.sse.SSEDecoder`; retries are decided by
:mod:`sogni_core.protocol.retry`.

Wire facts: /work/shared/protocol/01-socket-projects-auth.md §1.1, §1.3, §4.7,
§4.10, §6 and 02-chat-tools-workflows.md §1, §3, §5; the endpoint list is
``spec/rest.toml``.
"""

import typing as _typing

from sogni_core._lazy import lazy_exports as _lazy_exports

if _typing.TYPE_CHECKING:
    from ._attribution import Attribution, attribution_headers
    from ._auth import (
        TokenSession,
        cookies_from_headers,
        jwt_expiry,
        login_request,
        logout_request,
        needs_refresh,
        nonce_request,
        parse_login,
        parse_logout,
        parse_nonce,
        parse_token_pair,
        refresh_request,
    )
    from ._endpoints import (
        DEFAULT_REST_BASE,
        DEFAULT_SOCKET_URL,
        Hosts,
        endpoint,
        endpoint_request,
        parse_endpoint_response,
    )
    from ._flow import FlowResult, Response, drive, drive_async, token_request_flow
    from ._media import (
        download_request,
        image_download_url_request,
        image_upload_url_request,
        media_download_url_request,
        media_upload_url_request,
        parse_download_url,
        parse_upload_put,
        parse_upload_url,
        upload_put_request,
    )
    from ._request import (
        ApiKeyAuth,
        Auth,
        CookieAuth,
        Headers,
        QueryValue,
        Request,
        TokenAuth,
        build_request,
        encode_json_body,
        encode_query,
        format_path,
        js_string,
        resolve_url,
        socket_http_base,
    )
    from ._response import (
        ChatErrorFields,
        ResponseHeaders,
        api_status_error,
        extract_chat_error,
        header_value,
        is_success,
        parse_json,
        parse_response,
    )

#: Public name -> the submodule defining it; imported on first access (PEP 562)
_LAZY: dict[str, str] = {
    "ApiKeyAuth": "_request",
    "Attribution": "_attribution",
    "Auth": "_request",
    "ChatErrorFields": "_response",
    "CookieAuth": "_request",
    "DEFAULT_REST_BASE": "_endpoints",
    "DEFAULT_SOCKET_URL": "_endpoints",
    "FlowResult": "_flow",
    "Headers": "_request",
    "Hosts": "_endpoints",
    "QueryValue": "_request",
    "Request": "_request",
    "Response": "_flow",
    "ResponseHeaders": "_response",
    "TokenAuth": "_request",
    "TokenSession": "_auth",
    "api_status_error": "_response",
    "attribution_headers": "_attribution",
    "build_request": "_request",
    "cookies_from_headers": "_auth",
    "download_request": "_media",
    "drive": "_flow",
    "drive_async": "_flow",
    "encode_json_body": "_request",
    "encode_query": "_request",
    "endpoint": "_endpoints",
    "endpoint_request": "_endpoints",
    "extract_chat_error": "_response",
    "format_path": "_request",
    "header_value": "_response",
    "image_download_url_request": "_media",
    "image_upload_url_request": "_media",
    "is_success": "_response",
    "js_string": "_request",
    "jwt_expiry": "_auth",
    "login_request": "_auth",
    "logout_request": "_auth",
    "media_download_url_request": "_media",
    "media_upload_url_request": "_media",
    "needs_refresh": "_auth",
    "nonce_request": "_auth",
    "parse_download_url": "_media",
    "parse_endpoint_response": "_endpoints",
    "parse_json": "_response",
    "parse_login": "_auth",
    "parse_logout": "_auth",
    "parse_nonce": "_auth",
    "parse_response": "_response",
    "parse_token_pair": "_auth",
    "parse_upload_put": "_media",
    "parse_upload_url": "_media",
    "refresh_request": "_auth",
    "resolve_url": "_request",
    "socket_http_base": "_request",
    "token_request_flow": "_flow",
    "upload_put_request": "_media",
}


__all__ = [
    "ApiKeyAuth",
    "Attribution",
    "Auth",
    "ChatErrorFields",
    "CookieAuth",
    "DEFAULT_REST_BASE",
    "DEFAULT_SOCKET_URL",
    "FlowResult",
    "Headers",
    "Hosts",
    "QueryValue",
    "Request",
    "Response",
    "ResponseHeaders",
    "TokenAuth",
    "TokenSession",
    "api_status_error",
    "attribution_headers",
    "build_request",
    "cookies_from_headers",
    "download_request",
    "drive",
    "drive_async",
    "encode_json_body",
    "encode_query",
    "endpoint",
    "endpoint_request",
    "extract_chat_error",
    "format_path",
    "header_value",
    "image_download_url_request",
    "image_upload_url_request",
    "is_success",
    "js_string",
    "jwt_expiry",
    "login_request",
    "logout_request",
    "media_download_url_request",
    "media_upload_url_request",
    "needs_refresh",
    "nonce_request",
    "parse_download_url",
    "parse_endpoint_response",
    "parse_json",
    "parse_login",
    "parse_logout",
    "parse_nonce",
    "parse_response",
    "parse_token_pair",
    "parse_upload_put",
    "parse_upload_url",
    "refresh_request",
    "resolve_url",
    "socket_http_base",
    "token_request_flow",
    "upload_put_request",
]

__getattr__, __dir__ = _lazy_exports(__name__, _LAZY, __all__)
