"""The one transition helper every state machine in this package uses.

Every machine keeps a module-level table ``dict[(State, Input), State]``
(STYLE S2). A pair missing from the table is illegal: :func:`step` raises, and
the caller moves its machine to its sticky ``ERROR`` state (STYLE S5). (The
job and project machines, on the per-frame path, look the pair up with
``TRANSITIONS.get`` first and call :func:`step` only for a missing pair, to
raise: a function call per transition is measurable there.) Which
error class is raised depends on who produced the input (STYLE X2): inputs the
application asked for raise :class:`LocalProtocolError`, inputs that came from
the server raise :class:`RemoteProtocolError`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import TypeVar

from sogni_core.protocol._errors import LocalProtocolError, RemoteProtocolError

__all__ = ["step"]

S = TypeVar("S", bound=enum.Enum)
I = TypeVar("I", bound=enum.Enum)  # noqa: E741


def step(
    table: Mapping[tuple[S, I], S],
    state: S,
    event: I,
    *,
    machine: str,
    ident: str | None = None,
    remote: bool,
) -> S:
    """Look ``(state, event)`` up in ``table``.

    Args:
        table: the machine's transition table.
        state: the current state.
        event: the input being processed.
        machine: the machine's name, used in the error message.
        ident: the machine instance's id, appended to ``machine`` in the error
            message; passed apart so that nothing is formatted unless the
            pair is illegal (this runs on every transition of every frame).
        remote: ``True`` when the input came from the server.

    Returns:
        The next state.

    Raises:
        RemoteProtocolError: the pair is missing and ``remote`` is true.
        LocalProtocolError: the pair is missing and ``remote`` is false.
    """
    try:
        return table[(state, event)]
    except KeyError:
        name = machine if ident is None else f"{machine} {ident}"
        message = f"{name}: {event.name} is not allowed in state {state.name}"
        if remote:
            raise RemoteProtocolError(message) from None
        raise LocalProtocolError(message) from None
