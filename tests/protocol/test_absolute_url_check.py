"""The presigned-URL check's fast path agrees with the urlsplit rule it shortcuts."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sogni_core.protocol._errors import RemoteProtocolError
from sogni_core.protocol.rest._media import _check_absolute


def _reference(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _ours(url: str) -> bool:
    try:
        _check_absolute(url, "downloadUrl")
    except RemoteProtocolError:
        return False
    except ValueError:  # urlsplit's own (an unbalanced IPv6 bracket), on the slow path
        return False
    return True


_pieces = st.sampled_from(
    [
        "http",
        "https",
        "HTTPS",
        "ftp",
        ":",
        "//",
        "/",
        "?",
        "#",
        "[",
        "]",
        "::1",
        "host",
        "h.example",
        ":443",
        "@",
        "u:p",
        " ",
        "\t",
        "\n",
        "x",
        "%20",
        "a/b",
        "",
    ]
)


@settings(max_examples=600, derandomize=True, deadline=None)
@given(st.lists(_pieces, max_size=7).map("".join))
def test_fast_path_agrees_with_urlsplit(url: str) -> None:
    assert _ours(url) == _reference(url), url


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://cdn.example/a.jpg?sig=1", True),
        ("http://127.0.0.1:8080/x", True),
        ("HTTPS://cdn.example/a", True),
        ("https:///a", False),
        ("https://?x", False),
        ("ftp://cdn.example/a", False),
        ("/relative/path", False),
        ("https://", False),
    ],
)
def test_known_urls(url: str, ok: bool) -> None:
    assert _ours(url) is ok
