"""Request targets for the request pools: a URL's origin, ``Host`` and target.

The pools keep idle connections by origin and send requests the core built
as absolute URLs; splitting one is on the path of every REST call, so the
split of each ``scheme://authority`` a client uses is cached (a client talks
to a few hosts). Pure string work, no I/O.
"""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ["Origin", "origin_of"]

Origin = tuple[str, str, int]
"""``(scheme, host, port)``: the key of a pool's idle connections."""


_ORIGINS: dict[str, tuple[Origin, str]] = {}
"""``scheme://authority`` -> ``(origin, host)``: a client talks to a few hosts."""


def origin_of(url: str) -> tuple[Origin, str, str]:
    """Split a URL into its origin, the ``Host`` header value and the target.

    Raises:
        ValueError: not an ``http``/``https`` URL.
    """
    start = url.find("://")
    cut = url.find("/", start + 3) if start > 0 else -1
    if cut > 0:
        known = _ORIGINS.get(url[:cut])
        if known is not None and "#" not in url:
            return known[0], known[1], url[cut:]
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"unsupported URL scheme {scheme!r}")
    port = parts.port or (443 if scheme == "https" else 80)
    target = (parts.path or "/") + ("?" + parts.query if parts.query else "")
    host = parts.netloc.rsplit("@", 1)[-1]
    origin = (scheme, parts.hostname, port)
    if cut > 0 and len(_ORIGINS) < 64 and url[cut:] == target and url[:cut].isascii():
        _ORIGINS[url[:cut]] = (origin, host)
    return origin, host, target
