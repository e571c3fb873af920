"""The request pools' idle connections, by origin: bookkeeping only, no I/O.

Each transport's ``_http_pool.py`` opens, uses and closes the connections;
this says which idle one a request may take, whether a finished one is kept
(the pool is open and its origin has room) or must be closed by the caller,
and hands every idle one back for closing when the pool closes. The most
recently used connection is taken first (least likely to have been dropped
by the server meanwhile). Not thread-safe: the blocking pool holds its lock.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from ._origins import Origin

__all__ = ["IdleConnections"]

C = TypeVar("C")


class IdleConnections(Generic[C]):
    """Idle kept-alive connections, at most ``max_per_origin`` per origin.

    Args:
        max_per_origin: how many idle connections one origin keeps.
    """

    def __init__(self, max_per_origin: int) -> None:
        self._max = max_per_origin
        self._by_origin: dict[Origin, list[C]] = {}
        self.closed = False
        """Whether :meth:`close` was called (nothing is kept any more)."""

    def __len__(self) -> int:
        return sum(len(conns) for conns in self._by_origin.values())

    def __repr__(self) -> str:
        return f"IdleConnections(idle={len(self)}, closed={self.closed})"

    def take(self, origin: Origin) -> C | None:
        """The most recently kept idle connection to ``origin``, or ``None``."""
        conns = self._by_origin.get(origin)
        return conns.pop() if conns else None

    def keep(self, origin: Origin, conn: C) -> bool:
        """Keep a connection that can carry another request.

        Returns:
            ``False`` when it was not kept (the pool is closed, or ``origin``
            has ``max_per_origin`` idle ones): the caller closes it.
        """
        conns = self._by_origin.setdefault(origin, [])
        if self.closed or len(conns) >= self._max:
            return False
        conns.append(conn)
        return True

    def close(self) -> list[C]:
        """Stop keeping connections.

        Returns:
            Every idle connection, for the caller to close.
        """
        self.closed = True
        by_origin, self._by_origin = self._by_origin, {}
        return [conn for conns in by_origin.values() for conn in conns]
