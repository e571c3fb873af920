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
