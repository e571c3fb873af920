"""Presigned upload URL + PUT, signed download URL (01 §4.7, §4.10)."""

from __future__ import annotations

import msgspec
import pytest

from sogni_core.protocol._errors import ApiStatusError, InvalidParamsError, RemoteProtocolError
from sogni_core.protocol.rest import (
    ApiKeyAuth,
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

BASE = "https://api.sogni.ai"
KEY = ApiKeyAuth("secret-key")
PRESIGNED = "https://bucket.s3.amazonaws.com/p/j?X-Amz-Signature=ab%2Fcd&X-Amz-Expires=900"


def env(data: object) -> bytes:
    return msgspec.json.encode({"status": "success", "data": data})


def test_image_upload_url_query_order() -> None:
    r = image_upload_url_request(
        BASE,
        auth=KEY,
        image_id="IMG-1",
        job_id="P1",
        type="contextImage2",
        content_type="image/png",
    )
    assert r.method == "GET" and r.body is None
    assert r.url == (
        f"{BASE}/v1/image/uploadUrl?imageId=IMG-1&jobId=P1&type=contextImage2"
        "&contentType=image%2Fpng"
    )
    assert r.headers == (("api-key", "secret-key"),)
    # undetected content type is omitted (5.54.0), not "undefined"
    r2 = image_upload_url_request(BASE, auth=KEY, image_id="I", job_id="P", type="startingImage")
    assert r2.url.endswith("?imageId=I&jobId=P&type=startingImage")


def test_media_upload_url_query_order() -> None:
    r = media_upload_url_request(
        BASE,
        auth=KEY,
        job_id="P",
        type="referenceAudio",
        id="referenceAudio2",
        content_type="audio/mpeg",
    )
    assert r.url == (
        f"{BASE}/v1/media/uploadUrl?jobId=P&type=referenceAudio&id=referenceAudio2"
        "&contentType=audio%2Fmpeg"
    )
    r2 = media_upload_url_request(BASE, auth=None, job_id="P", type="referenceVideo")
    assert r2.url == f"{BASE}/v1/media/uploadUrl?jobId=P&type=referenceVideo"
    assert r2.headers == ()


def test_parse_upload_url() -> None:
    assert parse_upload_url(200, {}, env({"uploadUrl": PRESIGNED})) == PRESIGNED
    with pytest.raises(RemoteProtocolError):
        parse_upload_url(200, {}, env({}))
    with pytest.raises(RemoteProtocolError):
        parse_upload_url(200, {}, env({"uploadUrl": "/relative"}))
    with pytest.raises(ApiStatusError):
        parse_upload_url(403, {}, msgspec.json.encode({"message": "forbidden"}))


def test_upload_put_request_sends_no_credentials() -> None:
    data = b"\x89PNG\r\n\x1a\n" + b"\0" * 8
    r = upload_put_request(PRESIGNED, data, content_type="image/png")
    assert (r.method, r.url, r.body) == ("PUT", PRESIGNED, data)  # URL verbatim
    assert r.headers == (("Content-Type", "image/png"),)
    assert r.target == "/p/j?X-Amz-Signature=ab%2Fcd&X-Amz-Expires=900"
    assert "X-Amz-Signature" not in repr(r)  # the signature is a credential
    assert upload_put_request(PRESIGNED, data).headers == ()
    signed = upload_put_request(
        PRESIGNED, data, signed_headers=[("x-amz-checksum-sha256", "abc")], content_type="image/png"
    )
    assert signed.headers == (("Content-Type", "image/png"), ("x-amz-checksum-sha256", "abc"))


@pytest.mark.parametrize("name", ["Authorization", "api-key", "Cookie"])
def test_upload_put_refuses_credential_headers(name: str) -> None:
    with pytest.raises(InvalidParamsError):
        upload_put_request(PRESIGNED, b"x", signed_headers=[(name, "v")])


def test_upload_put_rejects_relative_url() -> None:
    with pytest.raises(InvalidParamsError):
        upload_put_request("/v1/x", b"x")


def test_parse_upload_put() -> None:
    parse_upload_put(200)
    parse_upload_put(204, {}, b"")
    with pytest.raises(ApiStatusError) as info:
        parse_upload_put(403, {}, b"<Error/>", message="Failed to upload context image 2")
    assert (info.value.status, info.value.code, info.value.message) == (
        403,
        0,
        "Failed to upload context image 2",
    )
    with pytest.raises(ApiStatusError):
        parse_upload_put(412)
    parse_upload_put(412, accept_precondition_failed=True)


def test_download_url_requests() -> None:
    r = image_download_url_request(BASE, auth=KEY, job_id="P", image_id="J", type="preview")
    assert r.url == f"{BASE}/v1/image/downloadUrl?jobId=P&imageId=J&type=preview"
    r2 = image_download_url_request(
        BASE, auth=KEY, job_id="P", image_id="J", content_type="image/webp"
    )
    assert r2.url.endswith("?jobId=P&imageId=J&type=complete&contentType=image%2Fwebp")
    r3 = media_download_url_request(BASE, auth=KEY, job_id="P", id="J", content_type="audio/flac")
    assert (
        r3.url == f"{BASE}/v1/media/downloadUrl?jobId=P&id=J&type=complete&contentType=audio%2Fflac"
    )


def test_parse_download_url() -> None:
    url = "https://cdn.sogni.ai/x.png?sig=1"
    assert parse_download_url(200, {}, env({"downloadUrl": url})) == url
    for bad in (env({}), env({"downloadUrl": ""}), env(None), b"{}"):
        with pytest.raises(RemoteProtocolError, match="no downloadUrl"):
            parse_download_url(200, {}, bad)
    with pytest.raises(RemoteProtocolError):
        parse_download_url(200, {}, env({"downloadUrl": "ftp://x"}))
    with pytest.raises(ApiStatusError):
        parse_download_url(404, {}, b"")


def test_download_request() -> None:
    r = download_request("https://cdn.sogni.ai/x.png?sig=1")
    assert (r.method, r.headers, r.body) == ("GET", (), None)
    with pytest.raises(InvalidParamsError):
        download_request("x.png")
