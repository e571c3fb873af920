"""Presigned uploads and signed downloads (01 §4.7, §4.10.3-§4.10.4).

Upload is two steps: ``GET /v1/image/uploadUrl`` (or ``/v1/media/uploadUrl``)
with normal REST auth returns ``data.uploadUrl``; then ``PUT <uploadUrl>`` with
the raw bytes and **only** a ``Content-Type`` header - no auth, no attribution
(the URL is the credential). Downloads: ``GET .../downloadUrl`` returns
``data.downloadUrl``, a signed GET URL valid for about 30 minutes.

Query key order is the SDK's: image upload ``imageId, jobId, type,
contentType``; media upload ``jobId, type, id, contentType``; image download
``jobId, imageId, type, contentType``; media download ``jobId, id, type,
contentType``. Unset values are omitted (5.54.0 RestClient), where the older
SDK sent the literal ``undefined``.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from sogni_core.protocol._errors import ApiStatusError, InvalidParamsError, RemoteProtocolError

from ._request import Auth, Request, build_request
from ._response import ResponseHeaders, is_success, parse_response

# ``_generated.rest`` (most of the import time) is imported by the functions that use it.

__all__ = [
    "download_request",
    "image_download_url_request",
    "image_upload_url_request",
    "media_download_url_request",
    "media_upload_url_request",
    "parse_download_url",
    "parse_upload_put",
    "parse_upload_url",
    "upload_put_request",
]


def image_upload_url_request(
    base_url: str,
    *,
    auth: Auth | None,
    image_id: str,
    job_id: str,
    type: str,
    content_type: str | None = None,
) -> Request:
    """``GET /v1/image/uploadUrl`` for one image slot.

    Args:
        base_url: the REST base.
        auth: credentials.
        image_id: a fresh uppercase UUID per upload (the SDK never reuses it).
        job_id: the project id.
        type: the slot: ``startingImage``, ``cnImage``, ``contextImage1`` ..
            ``contextImage16``, ``referenceImage``, ``referenceImageEnd``,
            ``referenceMask`` (01 §4.7.2).
        content_type: the sniffed MIME type, if detected.

    Returns:
        The request.
    """
    from sogni_core.protocol._generated.rest import ENDPOINTS

    ep = ENDPOINTS["image_upload_url"]
    query = (("imageId", image_id), ("jobId", job_id), ("type", type))
    return build_request(
        ep.method, base_url, ep.path, auth=auth, query=(*query, ("contentType", content_type))
    )


def media_upload_url_request(
    base_url: str,
    *,
    auth: Auth | None,
    job_id: str,
    type: str,
    id: str | None = None,
    content_type: str | None = None,
) -> Request:
    """``GET /v1/media/uploadUrl`` for an audio or video slot.

    Args:
        base_url: the REST base.
        auth: credentials.
        job_id: the project id.
        type: ``referenceAudio`` or ``referenceVideo``.
        id: slot id for multi-slot models (``referenceAudio1`` ..), else ``None``.
        content_type: the sniffed MIME type, if detected.

    Returns:
        The request.
    """
    from sogni_core.protocol._generated.rest import ENDPOINTS

    ep = ENDPOINTS["media_upload_url"]
    query = (("jobId", job_id), ("type", type), ("id", id), ("contentType", content_type))
    return build_request(ep.method, base_url, ep.path, auth=auth, query=query)


def parse_upload_url(
    status: int, headers: ResponseHeaders, body: bytes, *, reason: str = ""
) -> str:
    """The presigned PUT URL from an upload-URL response.

    Raises:
        ApiStatusError: the server refused.
        RemoteProtocolError: no ``data.uploadUrl``, or it is not an absolute
            http(s) URL.
    """
    from sogni_core.protocol._generated.rest import UploadUrlData

    url = parse_response(status, headers, body, type=UploadUrlData, reason=reason).upload_url
    _check_absolute(url, "uploadUrl")
    return url


def _check_absolute(url: str, what: str) -> None:
    # The common case without a full split: a lowercase scheme and a host
    # right after it (what urlsplit accepts there, it accepts here).
    for prefix in ("https://", "http://"):
        if url.startswith(prefix):
            if len(url) > len(prefix) and url[len(prefix)] not in "/?#[":
                return
            break
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RemoteProtocolError(f"{what} is not an absolute http(s) URL")


def upload_put_request(
    upload_url: str,
    data: bytes,
    *,
    content_type: str | None = None,
    signed_headers: Iterable[tuple[str, str]] = (),
) -> Request:
    """The ``PUT`` of the bytes to a presigned URL.

    No auth and no attribution header is ever added: the URL carries its own
    signature, and credentials must not leak to the storage host.

    Args:
        upload_url: the URL from :func:`parse_upload_url` (used verbatim, so
            its signature survives).
        data: the bytes to store.
        content_type: ``Content-Type`` to send, only when detected.
        signed_headers: headers the server signed into the URL (the
            ``uploadHeaders`` of ``/v1/assets/prepare``); sent as given.

    Returns:
        The request.

    Raises:
        InvalidParamsError: the URL is not absolute http(s), or a signed
            header tries to carry credentials.
    """
    parts = urlsplit(upload_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidParamsError("upload_url", "must be an absolute http(s) URL")
    headers: list[tuple[str, str]] = []
    if content_type:
        headers.append(("Content-Type", content_type))
    for name, value in signed_headers:
        if name.lower() in ("api-key", "authorization", "cookie"):
            raise InvalidParamsError(name, "credentials are never sent to storage")
        headers.append((name, value))
    return Request(method="PUT", url=upload_url, headers=tuple(headers), body=data)


def parse_upload_put(
    status: int,
    headers: ResponseHeaders = (),
    body: bytes = b"",
    *,
    message: str = "Failed to upload media",
    accept_precondition_failed: bool = False,
) -> None:
    """Check the storage host's answer to the PUT.

    Args:
        status: the HTTP status.
        headers: unused (storage error bodies are XML and not Sogni errors).
        body: unused.
        message: the error message, e.g. the SDK's "Failed to upload guide
            image" / "Failed to upload context image 2".
        accept_precondition_failed: treat 412 as done (write-once asset
            uploads that another attempt already finished, 5.54.0).

    Raises:
        ApiStatusError: any non-2xx status (code 0, as the SDKs).
    """
    del headers, body
    if is_success(status) or (accept_precondition_failed and status == 412):
        return
    raise ApiStatusError(message, status=status, code=0)


def image_download_url_request(
    base_url: str,
    *,
    auth: Auth | None,
    job_id: str,
    image_id: str,
    type: str = "complete",
    content_type: str | None = None,
) -> Request:
    """``GET /v1/image/downloadUrl`` for a preview or result.

    Args:
        base_url: the REST base.
        auth: credentials.
        job_id: the project id.
        image_id: the job id (``imgID``).
        type: ``complete`` or ``preview``.
        content_type: ``image/jpeg`` / ``image/png`` / ``image/webp`` when the
            project set an output format, else ``None``.

    Returns:
        The request.
    """
    from sogni_core.protocol._generated.rest import ENDPOINTS

    ep = ENDPOINTS["image_download_url"]
    query = (
        ("jobId", job_id),
        ("imageId", image_id),
        ("type", type),
        ("contentType", content_type),
    )
    return build_request(ep.method, base_url, ep.path, auth=auth, query=query)


def media_download_url_request(
    base_url: str,
    *,
    auth: Auth | None,
    job_id: str,
    id: str,
    type: str = "complete",
    content_type: str | None = None,
) -> Request:
    """``GET /v1/media/downloadUrl`` for a video or audio result.

    Args:
        base_url: the REST base.
        auth: credentials.
        job_id: the project id.
        id: the job id (``imgID``).
        type: ``complete`` or ``preview``.
        content_type: for audio ``audio/flac`` / ``audio/wav`` / ``audio/mpeg``.

    Returns:
        The request.
    """
    from sogni_core.protocol._generated.rest import ENDPOINTS

    ep = ENDPOINTS["media_download_url"]
    query = (("jobId", job_id), ("id", id), ("type", type), ("contentType", content_type))
    return build_request(ep.method, base_url, ep.path, auth=auth, query=query)


def parse_download_url(
    status: int, headers: ResponseHeaders, body: bytes, *, reason: str = ""
) -> str:
    """The signed GET URL from a download-URL response.

    Raises:
        ApiStatusError: the server refused.
        RemoteProtocolError: "API returned no downloadUrl", or not an absolute
            http(s) URL.
    """
    from sogni_core.protocol._generated.rest import DownloadUrlData

    try:
        data = parse_response(status, headers, body, type=DownloadUrlData, reason=reason)
    except RemoteProtocolError as exc:
        raise RemoteProtocolError("API returned no downloadUrl") from exc
    if not data.download_url:
        raise RemoteProtocolError("API returned no downloadUrl")
    _check_absolute(data.download_url, "downloadUrl")
    return data.download_url


def download_request(download_url: str) -> Request:
    """A plain ``GET`` of a signed download URL (no credentials).

    Raises:
        InvalidParamsError: the URL is not absolute http(s).
    """
    parts = urlsplit(download_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidParamsError("download_url", "must be an absolute http(s) URL")
    return Request(method="GET", url=download_url)
