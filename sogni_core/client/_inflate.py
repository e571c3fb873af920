"""gzip/deflate decoding of HTTP bodies for :mod:`._http1`, whole or incremental.

Both decode codings in reverse order of application with ``zlib.decompressobj``
(gzip or zlib header), never emit more than the limit from one call, and
raise :class:`HttpProtocolError` for data that does not decode or ends before
the compressed stream does. ``zlib`` is imported on first use: servers seldom
compress unasked.
"""

from __future__ import annotations

from typing import Any

from ._errors import HttpProtocolError

__all__ = ["Inflater", "decode"]


def decode(body: bytes, codings: list[str], max_body: int) -> bytes:
    """Undo gzip/deflate codings (applied in order ``codings``), at most ``max_body`` out.

    Raises:
        HttpProtocolError: the data does not decode, or decodes past ``max_body``.
    """
    import zlib  # rare path: servers seldom compress unasked

    for coding in reversed(codings):
        if coding == "identity":
            continue
        d = zlib.decompressobj(47)  # gzip or zlib header
        try:
            out = d.decompress(body, max_body + 1)
            if len(out) <= max_body and not d.unconsumed_tail:
                out += d.flush()
        except zlib.error:
            raise HttpProtocolError(f"{coding} body does not decode") from None
        if len(out) > max_body or d.unconsumed_tail:
            raise HttpProtocolError("decoded body exceeds max_body")
        if not d.eof:
            raise HttpProtocolError(f"{coding} body is truncated")
        body = out
    return body


class Inflater:
    """Incremental gzip/deflate decoding of a streamed body, in ``result()``'s order.

    ``groups`` are the transfer-codings, then the content-codings, each a
    list in decoding order; a group starts decoding (and must then end
    cleanly) once any byte reaches it, as ``result()`` skips an empty body.
    """

    __slots__ = ("_groups", "_limit", "_objs")

    def __init__(self, groups: list[list[str]], limit: int) -> None:
        self._groups = groups
        self._limit = limit
        self._objs: list[list[Any] | None] = [None] * len(groups)

    def feed(self, data: bytes, final: bool) -> bytes:
        """Decode ``data``; with ``final``, flush and check every started stream ended.

        Raises:
            HttpProtocolError: undecodable, truncated, or more than the limit out.
        """
        import zlib

        limit = self._limit
        for k, group in enumerate(self._groups):
            objs = self._objs[k]
            if objs is None:
                if not data:
                    return b""  # nothing reached this group (yet): nor the next
                objs = self._objs[k] = [zlib.decompressobj(47) for _ in group]
            for coding, d in zip(group, objs, strict=True):
                try:
                    out = d.decompress(data, limit + 1) if data else b""
                    if final and len(out) <= limit and not d.unconsumed_tail:
                        out += d.flush()
                except zlib.error:
                    raise HttpProtocolError(f"{coding} body does not decode") from None
                if len(out) > limit or d.unconsumed_tail:
                    raise HttpProtocolError("decoded body exceeds max_body")
                if final and not d.eof:
                    raise HttpProtocolError(f"{coding} body is truncated")
                data = out
        return data
