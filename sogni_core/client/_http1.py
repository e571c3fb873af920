"""HTTP/1.1 client codec for the transports' request pools, sans-IO.

Theory of operation
-------------------
The pools keep a few kept-alive connections for REST calls the core already
built completely, so a connection needs only one thing: turn one request into
bytes and frame one response out of the bytes that come back, then say
whether the connection may carry the next request. :class:`Http1Exchange` does
exactly that, and nothing a general-purpose HTTP library does besides (no
events, no pipelining, no server role, no upgrades).

``start()`` returns the whole request as one ``bytes`` (one ``str.join``, one
``encode``, the body appended). ``receive(data)`` buffers what arrived and
advances a small state machine (``_HEAD`` -> one of the body states ->
``_DONE``) with ``bytes.find``/``split`` over the buffer, never byte by byte:
the common case, one ``recv`` holding a small response framed by
``Content-Length``, is one ``find``, one ``translate`` check of the head, one
``decode`` and ``split``, a loop over the header lines and one slice. The
parsing rules are RFC 9112's:

* status line ``HTTP/1.0`` or ``HTTP/1.1``, SP, three digits, optional SP and
  reason (§4); header lines ``name: value`` with a token name and OWS around
  the value stripped (§5); obs-fold, a missing colon, whitespace before the
  colon, bare CR or LF and control characters other than HT are errors (§5.1,
  §5.2, §2.2);
* 1xx responses other than 101 are skipped (§15.2); 101 is an error (the
  pools never ask to upgrade);
* body length in §6.3's order: a HEAD request or 204/304/1xx has no body; a
  ``Transfer-Encoding`` whose final coding is ``chunked`` is chunked (§7.1:
  extensions ignored, trailers parsed and dropped; with a ``Content-Length``
  too, TE wins and the connection is not reused, §6.1); any other TE is read
  until close; then ``Content-Length`` (digits; repeated identical values, or
  a list of identical values, are one value, §8.6); else read until close.

Keep-alive (§9.3): the connection is reusable when the response ended where
its framing said, nothing arrived after it, it was not read until close,
neither side said ``Connection: close``, and the response is HTTP/1.1 (or
HTTP/1.0 with ``Connection: keep-alive``).

Limits (STYLE B5): the head (status line and headers) and the trailer
section each at most :data:`MAX_HEAD` bytes, a chunk-size line at most
:data:`MAX_CHUNK_LINE`, the body (declared, received, and decompressed) at
most ``max_body``. Each is checked on what the bytes *say*, not on how they
were split across ``receive`` calls, so a verdict never depends on the
chunking. Every violation raises :class:`HttpProtocolError` with a message that
names the rule and never a header value (values may carry credentials).

Streams (SSE, downloads): ``start(..., stream=True)`` begins a cycle whose
body is taken as it arrives instead of returned whole. ``head()`` gives
``(status, headers)`` once the final head is parsed; ``take_body()`` returns
the body bytes received since the last call (and forgets them), decoded from
gzip/deflate (``content-encoding``, or a transfer-coding before ``chunked``)
incrementally with ``zlib.decompressobj``, in the same order and with the same
verdicts as ``result()`` (truncated or undecodable data raises on the take
that sees it; the end is checked on the first take after the response
completed). The framing, ``finish()`` and the keep-alive rules are the
same as for a whole body. Only ``max_body`` means something else: a stream
may run past it in total (a declared ``Content-Length`` or chunk sizes are not
held against it), but the exchange never *holds* more than that: a
``receive()`` that arrives while more than ``max_body`` body bytes are
untaken raises, as does a read-until-close body or a single take whose
decoded output exceeds it. Unlike the other limits this one depends on the
caller's pace, not only on the bytes: a pool that takes after every read
(the transports' do) holds at most one read's worth. So every response
accepted whole is also accepted as a stream, with the same bytes, however it
is split (``fuzz/http1_fuzz.py`` checks this).

Against h11 (``tests/transports/test_http1_h11.py`` checks each): stricter on
obs-fold, bare LF, versions other than 1.0/1.1, control characters in the
head, Transfer-Encoding in HTTP/1.0, and on reuse after TE with CL, after
bytes past the response, or after a body read until close; looser in reusing
HTTP/1.0 keep-alive, BWS before a chunk extension, long zero-padded chunk
sizes, gzip/deflate transfer-codings and Transfer-Encoding split over fields.
"""

from __future__ import annotations

from typing import Final, NoReturn

from ._errors import HttpProtocolError
from ._inflate import Inflater, decode

__all__ = ["DEFAULT_MAX_BODY", "MAX_CHUNK_LINE", "MAX_HEAD", "Http1Exchange"]

#: Largest response head (status line, headers and the blank line), and
#: largest trailer section, in bytes.
MAX_HEAD: Final = 64 * 1024
#: Largest chunk-size line (size, extensions, CRLF), in bytes.
MAX_CHUNK_LINE: Final = 4096
#: Default ``max_body``: the largest body accepted, in bytes.
DEFAULT_MAX_BODY: Final = 64 * 1024 * 1024

# Receive states (ints: compared on every call).
_IDLE: Final = 0  # no request in flight
_HEAD: Final = 1  # reading the status line and headers
_LENGTH: Final = 2  # Content-Length body: ``_remaining`` bytes to go
_CHUNK_SIZE: Final = 3  # at a chunk-size line
_CHUNK_DATA: Final = 4  # inside a chunk: ``_remaining`` bytes to go
_CHUNK_END: Final = 5  # the CRLF after a chunk's data
_TRAILERS: Final = 6  # after the last chunk: trailer section
_CLOSE: Final = 7  # read until the peer closes
_DONE: Final = 8  # response complete
_ERROR: Final = 9  # a violation was raised: the connection is unusable
_SPENT: Final = 10  # finish() said not reusable

_TCHAR: Final = b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_HEX: Final = b"0123456789abcdefABCDEF"
# Control characters a head may not contain (HT is allowed; CR and LF only as CRLF).
_CTL: Final = bytes([*range(9), 11, 12, *range(14, 32), 127])
_CTL_CRLF: Final = _CTL + b"\r\n"
_BODY_METHODS: Final = ("POST", "PUT", "PATCH")
_FRAMING: Final = frozenset(
    {"content-length", "transfer-encoding", "connection", "content-encoding"}
)

#: Valid status lines seen before -> status code (they repeat too).
_STATUS: dict[str, int] = {}
#: Valid header names seen before -> lowercased (the peer's names repeat).
_NAMES: dict[str, str] = {}
#: Methods and request header names already checked to be tokens.
_TOKENS: set[str] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def _is_token(text: str) -> bool:
    """Whether ``text`` is an RFC 9110 §5.6.2 token."""
    if not text or not text.isascii():
        return False
    return not text.encode("ascii").translate(None, _TCHAR)


def _check_line(line: str) -> HttpProtocolError:
    """The error for a header line whose name is not a token or has no colon."""
    if line[:1] in (" ", "\t"):
        return HttpProtocolError("obs-fold (a header line starting with whitespace) is not allowed")
    name, colon, _ = line.partition(":")
    if not colon:
        return HttpProtocolError("header line without a colon")
    if not name:
        return HttpProtocolError("header line with an empty name")
    if name.rstrip(" \t") != name:
        return HttpProtocolError("whitespace between a header name and the colon")
    return HttpProtocolError("header name is not a token")


def _head_error(head: bytes) -> HttpProtocolError:
    """The error for a head with a control character or a bare CR/LF in it."""
    if b"\x00" in head:
        return HttpProtocolError("NUL in the response head")
    if head.translate(None, _CTL) != head:
        return HttpProtocolError("control character in the response head")
    return HttpProtocolError("bare CR or LF in the response head (lines must end in CRLF)")


def _parse_fields(lines: list[str], start: int) -> list[tuple[str, str]]:
    """Header (or trailer) lines -> ``(lowercased name, value)`` pairs.

    Raises:
        HttpProtocolError: obs-fold, no colon, or a name that is not a token.
    """
    names = _NAMES
    out: list[tuple[str, str]] = []
    append = out.append
    for k in range(start, len(lines)):
        line = lines[k]
        name, colon, value = line.partition(":")
        low = names.get(name)
        if low is None or not colon:
            if not colon or not _is_token(name):
                raise _check_line(line)
            low = name.lower()
            if len(names) < 1024:
                names[name] = low
        append((low, value.strip(" \t")))
    return out


def _split_head(head: bytes) -> list[str]:
    """A head (without its blank line) checked for CTLs and split into lines.

    Raises:
        HttpProtocolError: a control character, NUL or bare CR/LF.
    """
    text = head.decode("latin-1")
    lines = text.split("\r\n")
    # Everything deleted must be exactly the CRLFs between the lines.
    if len(head) - len(head.translate(None, _CTL_CRLF)) != 2 * (len(lines) - 1):
        raise _head_error(head)
    return lines


def _status_of(line: str) -> int:
    """The status code of a status line (RFC 9112 §4).

    Raises:
        HttpProtocolError: not ``HTTP/1.0|1.1 SP 3DIGIT [SP reason]``, or below 100.
    """
    if (
        len(line) < 12
        or line[:7] != "HTTP/1."
        or line[7] not in "01"
        or line[8] != " "
        or not line[9:12].isdigit()
        or not line[9:12].isascii()
        or (len(line) > 12 and line[12] != " ")
        or line[9] == "0"
    ):
        raise HttpProtocolError("invalid status line")
    return int(line[9:12])


def _content_length(values: list[str]) -> int:
    """The one length that the ``content-length`` values say (RFC 9110 §8.6).

    Raises:
        HttpProtocolError: not digits, or differing values.
    """
    if len(values) == 1 and values[0].isdigit() and values[0].isascii() and len(values[0]) < 20:
        return int(values[0])  # the common case: one plain number
    seen = ""
    for value in values:
        for part in value.split(","):
            part = part.strip(" \t")
            if not part or not part.isascii() or not part.isdigit():
                raise HttpProtocolError("content-length is not a decimal number")
            if seen and part != seen:
                raise HttpProtocolError("conflicting content-length values")
            seen = part
    if len(seen) > 19:  # past any max_body; keeps int() away from huge strings
        return 1 << 64
    return int(seen)


def _codings(values: list[str]) -> list[str]:
    """Comma-separated coding lists -> lowercased codings."""
    return [c.strip(" \t").lower() for v in values for c in v.split(",")]


class Http1Exchange:
    """Request/response cycles on one connection (reused while keep-alive holds).

    Args:
        max_body: largest response body accepted (declared, received and
            decoded), in bytes.

    Attributes:
        used: a cycle ran on this connection before (a stale kept-alive
            connection may then fail on first read: the caller retries once).
    """

    __slots__ = (
        "_body",
        "_buf",
        "_ce",
        "_close",
        "_extra",
        "_head_req",
        "_headers",
        "_inflater",
        "_keep",
        "_max_body",
        "_remaining",
        "_scan",
        "_state",
        "_status",
        "_stream",
        "_tcodings",
        "_total",
        "used",
    )

    def __init__(self, *, max_body: int = DEFAULT_MAX_BODY) -> None:
        self.used = False
        self._max_body = max_body
        self._buf = bytearray()
        self._state = _IDLE
        self._reset()

    def _reset(self) -> None:
        self._status = 0
        self._headers: list[tuple[str, str]] = []
        self._body: bytes | bytearray = b""
        self._keep = True  # neither side said close (yet)
        self._extra = False  # bytes came after the response
        self._remaining = 0
        self._total = 0
        self._scan = 0
        self._head_req = False
        self._close = False  # request said Connection: close
        self._ce: list[str] | None = None
        self._tcodings: list[str] | None = None
        self._stream = False
        self._inflater: Inflater | None = None
        self._buf.clear()

    def __repr__(self) -> str:
        return f"Http1Exchange(used={self.used}, state={self._state})"

    # ------------------------------------------------------------------ send

    def start(
        self,
        method: str,
        host: str,
        target: str,
        headers: list[tuple[str, str]],
        body: bytes | None,
        *,
        head: bool | None = None,
        stream: bool = False,
    ) -> bytes:
        """The bytes of one complete request, and begin its cycle.

        Adds ``Host`` when absent and ``Content-Length`` when a body is given
        (``0`` for POST/PUT/PATCH without one).

        Args:
            method: request method (a token).
            host: ``Host`` value used when ``headers`` has none.
            target: request target (origin form), no whitespace or CTL.
            headers: ``(name, value)`` pairs, sent in order after ``Host``/``Content-Length``.
            body: the request body, or ``None``.
            head: whether the response has no body as for HEAD; ``None`` means
                ``method == "HEAD"``.
            stream: take the body as it arrives (:meth:`head`,
                :meth:`take_body`) instead of whole (:meth:`result`); see
                the module docstring for how ``max_body`` applies then.

        Returns:
            The request, ready to write.

        Raises:
            ValueError: an invalid method, target or header (the message
                names the header, never its value).
            RuntimeError: a cycle is already in progress, or the connection
                is not reusable.
        """
        if self._state != _IDLE:
            raise RuntimeError(
                "a cycle is in progress" if self._state < _ERROR else "connection is not reusable"
            )
        tokens = _TOKENS
        if method not in tokens:
            if not _is_token(method):
                raise ValueError("request method is not a token")
            if len(tokens) < 1024:
                tokens.add(method)
        if not target or " " in target or not target.isascii() or not target.isprintable():
            raise ValueError("request target is empty or has whitespace or a control character")
        has_host = has_length = False
        close = False
        parts = [method, " ", target, " HTTP/1.1\r\n"]
        for name, value in headers:
            if name not in tokens:
                if not _is_token(name):
                    raise ValueError(f"header name {name!r} is not a token")
                if len(tokens) < 1024:
                    tokens.add(name)
            low = name.lower()
            if low == "host":
                has_host = True
            elif low == "content-length":
                has_length = True
                if body is not None and value.strip() != str(len(body)):
                    raise ValueError("header content-length does not match the body length")
            elif low == "connection":
                close = close or "close" in _codings([value])
        extra = []
        if not has_host:
            extra.append(f"Host: {host}\r\n")
        if not has_length:
            if body is not None:
                extra.append(f"Content-Length: {len(body)}\r\n")
            elif method in _BODY_METHODS:
                extra.append("Content-Length: 0\r\n")
        parts.extend(extra)
        for name, value in headers:
            parts += (name, ": ", value, "\r\n")
        parts.append("\r\n")
        text = "".join(parts)
        lines = len(headers) + len(extra) + 2
        if text.count("\r") != lines or text.count("\n") != lines or "\x00" in text:
            self._bad_value(host if not has_host else None, headers)
        try:
            data = text.encode("latin-1")
        except UnicodeEncodeError:
            self._bad_value(host if not has_host else None, headers, latin1=True)
        # __init__ and finish() left the exchange reset (the only ways to _IDLE).
        self._head_req = method == "HEAD" if head is None else head
        self._close = close
        self._stream = stream
        self._state = _HEAD
        return data + body if body else data

    @staticmethod
    def _bad_value(
        host: str | None, headers: list[tuple[str, str]], *, latin1: bool = False
    ) -> NoReturn:
        """Raise the ValueError naming the first header whose value is invalid."""
        pairs = [("Host", host)] if host is not None else []
        for name, value in [*pairs, *headers]:
            if "\r" in value or "\n" in value or "\x00" in value:
                raise ValueError(f"header {name!r} value contains CR, LF or NUL")
            if latin1:
                try:
                    value.encode("latin-1")
                except UnicodeEncodeError:
                    raise ValueError(f"header {name!r} value is not latin-1") from None
        raise ValueError("request contains CR, LF or NUL")  # pragma: no cover - defensive

    # --------------------------------------------------------------- receive

    def receive(self, data: bytes) -> bool:
        """Feed received bytes (``bytes`` or ``bytearray``); ``b""`` means the peer closed (EOF).

        Bytes that arrive after the response is complete are dropped and make
        the connection not reusable.

        Returns:
            ``True`` once the whole response has arrived.

        Raises:
            HttpProtocolError: the peer broke HTTP/1.1 framing, went over a
                limit, or closed before the response ended. The exchange is
                unusable afterwards (``finish()`` returns ``False``).
        """
        state = self._state
        if state == _DONE:
            if data:
                self._extra = True
            return True
        if state >= _ERROR or state == _IDLE:
            self._state = _ERROR
            raise HttpProtocolError(
                "data received with no request in flight"
                if state == _IDLE
                else "exchange failed"
                if state == _ERROR
                else "connection is not reusable"
            )
        try:
            if not data:
                return self._eof()
            if state == _HEAD and not self._buf:
                # Fast path: a whole head (and usually the body) in one recv.
                i = data.find(b"\r\n\r\n")
                if 0 <= i and i + 4 <= MAX_HEAD:
                    self._on_head(data[:i])
                    if self._state == _LENGTH and len(data) - i - 4 == self._remaining:
                        self._body = data[i + 4 :]
                        self._state = _DONE
                        return True
                    self._buf += data[i + 4 :]
                    return self._advance()
            if self._stream and len(self._body) > self._max_body:
                raise HttpProtocolError("untaken stream body exceeds max_body")
            self._buf += data
            return self._advance()
        except HttpProtocolError:
            self._state = _ERROR
            raise

    def _eof(self) -> bool:
        if self._state == _CLOSE:
            self._state = _DONE
            self._keep = False
            return True
        raise HttpProtocolError("connection closed before the response ended")

    def _on_head(self, head: bytes) -> None:
        """Parse one response head; set the body state (or stay in ``_HEAD`` after 1xx)."""
        lines = _split_head(head)
        line = lines[0]
        status = _STATUS.get(line)
        if status is None:
            status = _status_of(line)
            if len(_STATUS) < 256:
                _STATUS[line] = status
        headers = _parse_fields(lines, 1)
        te: list[str] | None = None
        cl: list[str] | None = None
        conn: list[str] | None = None
        ce: list[str] | None = None
        for name, value in headers:
            if name not in _FRAMING:
                continue
            if name == "content-length":
                cl = [value] if cl is None else [*cl, value]
            elif name == "transfer-encoding":
                te = [value] if te is None else [*te, value]
            elif name == "connection":
                conn = [value] if conn is None else [*conn, value]
            elif name == "content-encoding":
                ce = [value] if ce is None else [*ce, value]
        # Checked on every head (as h11 does), even where it frames nothing.
        length = -1 if cl is None else _content_length(cl)
        if status < 200:
            if status == 101:
                raise HttpProtocolError("101 Switching Protocols without an upgrade request")
            return  # informational: the real response follows (RFC 9110 §15.2)
        self._status = status
        self._headers = headers
        self._ce = ce
        keep = not self._close
        if conn is not None:
            tokens = _codings(conn)
            if "close" in tokens:
                keep = False
            elif line[7] == "0" and "keep-alive" not in tokens:
                keep = False
        elif line[7] == "0":
            keep = False
        self._keep = keep
        # RFC 9112 §6.3, in order.
        if self._head_req or status in (204, 304):
            self._state = _DONE
            return
        if te is not None:
            if line[7] == "0":
                raise HttpProtocolError("transfer-encoding in an HTTP/1.0 response")
            codings = _codings(te)
            if codings[-1] == "chunked":
                if "chunked" in codings[:-1]:
                    raise HttpProtocolError("chunked applied more than once")
                self._tcodings = codings[:-1]
                self._body = bytearray()
                self._state = _CHUNK_SIZE
                if cl is not None:  # §6.1: TE wins, and the connection is suspect
                    self._keep = False
            else:
                self._tcodings = codings
                self._body = bytearray()
                self._state = _CLOSE
                self._keep = False
            if [c for c in self._tcodings if c not in ("gzip", "x-gzip", "deflate", "identity")]:
                raise HttpProtocolError("unsupported transfer-coding")
            return
        if length >= 0:
            n = length
            if n > self._max_body and not self._stream:
                raise HttpProtocolError("content-length exceeds max_body")
            self._remaining = n
            self._body = bytearray()
            self._state = _LENGTH if n else _DONE
            return
        self._body = bytearray()
        self._state = _CLOSE
        self._keep = False

    def _advance(self) -> bool:
        """Consume the buffer as far as it goes; ``True`` when the response is complete."""
        buf = self._buf
        while True:
            state = self._state
            if state == _LENGTH:
                n = self._remaining
                body = self._body
                assert isinstance(body, bytearray)
                if len(buf) < n:
                    body += buf
                    self._remaining = n - len(buf)
                    buf.clear()
                    return False
                body += buf[:n]
                del buf[:n]
                self._state = _DONE
            elif state == _DONE:
                if buf:
                    self._extra = True
                    buf.clear()
                return True
            elif state == _HEAD:
                i = buf.find(b"\r\n\r\n", self._scan)
                if i < 0:
                    if len(buf) >= MAX_HEAD:
                        raise HttpProtocolError("response head exceeds MAX_HEAD")
                    if buf.find(b"\n\n", max(self._scan - 1, 0)) >= 0:
                        raise HttpProtocolError("bare LF in the response head")
                    self._scan = max(len(buf) - 3, 0)
                    return False
                if i + 4 > MAX_HEAD:
                    raise HttpProtocolError("response head exceeds MAX_HEAD")
                head = bytes(buf[:i])
                del buf[: i + 4]
                self._scan = 0
                self._on_head(head)
            elif state == _CHUNK_DATA:
                n = self._remaining
                body = self._body
                assert isinstance(body, bytearray)
                if len(buf) < n:
                    body += buf
                    self._remaining = n - len(buf)
                    buf.clear()
                    return False
                body += buf[:n]
                del buf[:n]
                self._state = _CHUNK_END
            elif state == _CHUNK_END:
                if len(buf) < 2:
                    if buf and buf[0] != 13:
                        raise HttpProtocolError("chunk data not followed by CRLF")
                    return False
                if buf[0] != 13 or buf[1] != 10:
                    raise HttpProtocolError("chunk data not followed by CRLF")
                del buf[:2]
                self._state = _CHUNK_SIZE
            elif state == _CHUNK_SIZE:
                i = buf.find(b"\r\n")
                if i < 0:
                    if len(buf) >= MAX_CHUNK_LINE:
                        raise HttpProtocolError("chunk-size line exceeds MAX_CHUNK_LINE")
                    return False
                if i + 2 > MAX_CHUNK_LINE:
                    raise HttpProtocolError("chunk-size line exceeds MAX_CHUNK_LINE")
                line = bytes(buf[:i])
                del buf[: i + 2]
                self._chunk_size(line)
            elif state == _TRAILERS:
                if buf[:2] == b"\r\n":
                    del buf[:2]
                    self._state = _DONE
                    continue
                if len(buf) < 2:
                    return False
                i = buf.find(b"\r\n\r\n", self._scan)
                if i < 0:
                    if len(buf) >= MAX_HEAD:
                        raise HttpProtocolError("trailer section exceeds MAX_HEAD")
                    if buf.find(b"\n\n", max(self._scan - 1, 0)) >= 0:
                        raise HttpProtocolError("bare LF in the trailer section")
                    self._scan = max(len(buf) - 3, 0)
                    return False
                if i + 4 > MAX_HEAD:
                    raise HttpProtocolError("trailer section exceeds MAX_HEAD")
                trailers = bytes(buf[:i])
                del buf[: i + 4]
                self._scan = 0
                _parse_fields(_split_head(trailers), 0)  # validated, then dropped
                self._state = _DONE
            else:  # _CLOSE
                body = self._body
                assert isinstance(body, bytearray)
                if len(body) + len(buf) > self._max_body:
                    raise HttpProtocolError("body exceeds max_body")
                body += buf
                buf.clear()
                return False

    def _chunk_size(self, line: bytes) -> None:
        """Parse a chunk-size line (RFC 9112 §7.1); extensions are ignored."""
        cut = line.find(b";")
        size = (line if cut < 0 else line[:cut]).rstrip(b" \t")  # BWS before ';'
        if not size or size.translate(None, _HEX):  # int(x, 16) alone takes "0x", "_", "+"
            raise HttpProtocolError("invalid chunk size")
        if line.translate(None, _CTL_CRLF) != line:
            raise HttpProtocolError("control character in a chunk-size line")
        n = int(size, 16)
        self._total += n
        if self._total > self._max_body and not self._stream:
            raise HttpProtocolError("chunked body exceeds max_body")
        if n:
            self._remaining = n
            self._state = _CHUNK_DATA
        else:
            self._state = _TRAILERS

    # ---------------------------------------------------------------- result

    def result(self) -> tuple[int, list[tuple[str, str]], bytes]:
        """``(status, headers, body)`` of the complete response.

        Headers are ``(lowercased name, value)`` latin-1 strings in wire
        order; the body is decoded from ``gzip``/``deflate`` when
        ``content-encoding`` (or a transfer-coding before ``chunked``) says so.

        Raises:
            RuntimeError: the response is not complete.
            HttpProtocolError: a compressed body does not decode or decodes
                past ``max_body``.
        """
        if self._state != _DONE:
            raise RuntimeError("the response is not complete")
        body = self._body
        if type(body) is not bytes:
            body = self._body = bytes(body)
        tcodings = self._tcodings
        if tcodings and body:  # an empty body stays empty (HEAD, 204, 304, or none sent)
            body = self._body = decode(body, tcodings, self._max_body)
            self._tcodings = None
        ce = self._ce
        if ce is not None and body:
            codings = _codings(ce)
            if all(c in ("gzip", "x-gzip", "deflate", "identity") for c in codings):
                body = self._body = decode(body, codings, self._max_body)
            self._ce = None
        return self._status, self._headers, body

    def head(self) -> tuple[int, list[tuple[str, str]]] | None:
        """``(status, headers)`` once the final response head is parsed, else ``None``.

        Headers are as :meth:`result` gives them; 1xx heads are skipped.
        """
        if not self._status:
            return None
        return self._status, self._headers

    def take_body(self) -> bytes:
        """The body bytes received since the last call (a stream's, see ``start``).

        Decoded from gzip/deflate as :meth:`result` decodes them. ``b""``
        before the head or when nothing new arrived; the first call after the
        response is complete flushes the decoders and checks their end.

        Raises:
            RuntimeError: the cycle was not started with ``stream=True``, or
                it failed (a ``receive`` raised).
            HttpProtocolError: a compressed body does not decode, is
                truncated, or one take decodes past ``max_body``.
        """
        state = self._state
        if not self._stream or state >= _ERROR:
            raise RuntimeError(
                "the exchange failed" if state == _ERROR else "not a stream (start(stream=True))"
            )
        body = self._body
        raw = bytes(body)
        if type(body) is bytes:
            self._body = b""
        else:
            assert isinstance(body, bytearray)
            body.clear()
        inflater = self._inflater
        if inflater is None:
            if self._tcodings is None and self._ce is None:
                return raw
            groups = [[c for c in reversed(self._tcodings or []) if c != "identity"]]
            codings = _codings(self._ce or [])
            if all(c in ("gzip", "x-gzip", "deflate", "identity") for c in codings):
                groups.append([c for c in reversed(codings) if c != "identity"])
            inflater = self._inflater = Inflater(groups, self._max_body)
        if state != _DONE:
            return inflater.feed(raw, False)
        self._tcodings = self._ce = None  # ended: the next take has nothing more
        self._inflater = Inflater([], 0)
        return inflater.feed(raw, True)

    def finish(self) -> bool:
        """End the cycle.

        Returns:
            ``True`` when the connection can carry another request; the
            exchange is then ready for the next ``start()``. ``False`` when it
            must be closed (later ``start()`` calls raise ``RuntimeError``).
        """
        self.used = True
        ok = self._state == _DONE and self._keep and not self._extra
        self._reset()
        self._state = _IDLE if ok else _SPENT
        return ok
