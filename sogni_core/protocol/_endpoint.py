"""The :class:`Endpoint` description that generated ``ENDPOINTS`` tables are made of.

Each ``[[endpoint]]`` table of a ``spec/*.toml`` file becomes one frozen
:class:`Endpoint` in ``sogni_core/protocol/_generated/<name>.py`` (see spec/README.md).
Request builders and response parsers read the method, host, path and types from it,
so the spec stays the one place that names an endpoint.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any
from urllib.parse import quote

import msgspec

from ._errors import InvalidParamsError

__all__ = ["Endpoint"]

_EMPTY: Mapping[str, Any] = MappingProxyType({})


class Endpoint(msgspec.Struct, frozen=True, kw_only=True):
    """One REST (or socket-host HTTP) endpoint.

    Attributes:
        name: the spec name, also the key in ``ENDPOINTS``.
        method: HTTP method, upper case.
        host: ``rest`` (the REST API host, enveloped JSON) or ``socket`` (plain HTTPS GETs
            on the socket host, raw JSON; spec 01 §2.6).
        path: the path template, with ``{param}`` placeholders.
        path_params: the placeholder names, in path order.
        request: the msgspec type of the JSON body, or ``None`` for no body.
        response: the msgspec type of the response (of its ``data`` when enveloped).
        strict_request: ``request`` with strict twins (unknown fields forbidden).
        strict_response: ``response`` with strict twins (unknown fields forbidden).
        envelope: whether the response is wrapped in ``{status, data}`` (spec 01 §6.1.2).
        query: names of the query parameters the endpoint takes, if the spec lists them.
        doc: a one-line description.
        meta: any further keys of the spec table, verbatim.
    """

    name: str
    method: str
    host: str
    path: str
    path_params: tuple[str, ...] = ()
    request: Any = None
    response: Any = None
    strict_request: Any = None
    strict_response: Any = None
    envelope: bool = True
    query: tuple[str, ...] = ()
    doc: str = ""
    meta: Mapping[str, Any] = _EMPTY

    def format_path(self, **params: object) -> str:
        """Fill the path template, percent-encoding each value as one path segment.

        Args:
            **params: one value per placeholder; ``str()`` is applied, then every
                character outside the RFC 3986 unreserved set is percent-encoded
                (so ``/`` inside a value cannot create a new segment).

        Returns:
            The path, e.g. ``/api/v1/size-presets/network/fast/model/flux1``.

        Raises:
            InvalidParamsError: a placeholder has no value, a value is empty, or a
                keyword names no placeholder.
        """
        extra = sorted(set(params) - set(self.path_params))
        if extra:
            raise InvalidParamsError(extra[0], f"not a path parameter of {self.name}")
        path = self.path
        for name in self.path_params:
            if name not in params:
                raise InvalidParamsError(name, f"required path parameter of {self.name}")
            value = params[name]
            text = _segment(value)
            if text == "":
                raise InvalidParamsError(name, "path parameter must not be empty")
            path = path.replace("{" + name + "}", quote(text, safe=""), 1)
        return path


def _segment(value: object) -> str:
    """Text of one path value, as JavaScript template strings would render it."""
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
