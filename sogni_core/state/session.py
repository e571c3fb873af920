# Theory of operation
# ===================
#
# The session machine owns the life of the socket *connection* (not of any
# project or chat job): opening, the server's ``authenticated`` greeting,
# keep-alive pings, close-code classification and reconnect backoff
# (wire reference 01 §1.3.5-§1.8).
#
# States::
#
#     IDLE ──CONNECT──> CONNECTING ──SOCKET_OPENED──> OPEN ──AUTHENTICATED──> READY
#                          ^   │                       │      (or AUTH_FALLBACK)  │
#                          │   └──CLOSE_RECOVERABLE────┴──────────────────────────┤
#            BACKOFF_ELAPSED   v                                                  │
#                        RECONNECTING <───────────────CLOSE_RECOVERABLE───────────┘
#     CONNECTING/OPEN/READY ──CLOSE_TERMINAL──> DISCONNECTED ──CONNECT──> CONNECTING
#     any live state ──CLOSE (local)──> CLOSED (terminal; late closes are absorbed)
#
# Who drives what:
#
# * The application drives CONNECT and CLOSE.
# * The transport drives SOCKET_OPENED (handshake done) and reports every
#   socket end as ``socket_closed(code, reason)``. A failed handshake or a
#   broken write is reported as a close with code 1006 (recoverable). The
#   machine turns the close into CLOSE_RECOVERABLE or CLOSE_TERMINAL with
#   :func:`classify_close` and the remaining reconnect budget: that choice is
#   the one piece of logic the table cannot hold.
# * The server drives AUTHENTICATED. The server drops frames that arrive
#   before its greeting, so only READY carries work; if an open socket stays
#   silent for ``auth_fallback`` seconds (10 s, as the reference does) the
#   machine treats it as ready anyway (AUTH_FALLBACK) rather than stall on an
#   older server.
# * Time drives the rest, through deadlines: the transport asks
#   :meth:`Session.next_deadline` and calls :meth:`Session.on_timer` when it
#   passes. Pings go out every 15 s while a socket is open (01 §1.4);
#   reconnects wait a capped, fully-jittered exponential backoff.
#
# Backoff: the reference SDK waits ``1 s * 2^n`` capped at 15 s with +-20 %
# jitter. We use *full* jitter (AWS architecture blog, "Exponential Backoff
# And Jitter"): ``delay = u * min(cap, base * factor^n)`` with ``u`` drawn from
# the injected rng, which spreads a fleet of clients reconnecting after a
# server restart. The attempt counter resets when a connection becomes READY
# (not merely open), so a server that accepts then instantly closes still
# backs off. ``max_attempts=None`` retries for as long as the session holds
# credentials, like the reference; a number gives up with ``Disconnected``.
#
# Conflict rules: a close that arrives after a local CLOSE is absorbed by
# CLOSED. Any input missing from the table raises (LocalProtocolError for the
# application's verbs, RemoteProtocolError for the server's) and leaves the
# machine in the sticky ERROR state.

"""Session (connection-level) state machine; see the theory comment above."""

from __future__ import annotations

import enum
from collections.abc import Iterable

import msgspec

from sogni_core.state._table import step

__all__ = [
    "AUTH_FALLBACK_SECONDS",
    "PING_INTERVAL_SECONDS",
    "CloseKind",
    "ReconnectPolicy",
    "Session",
    "SessionInput",
    "SessionState",
    "SessionTimer",
    "TRANSITIONS",
    "build_socket_url",
    "classify_close",
    "urlsearchparams_encode",
]

PING_INTERVAL_SECONDS = 15.0
"""01 §1.4: a protocol ping every 15 000 ms while the socket is open."""

AUTH_FALLBACK_SECONDS = 10.0
"""Open but silent this long -> treat the socket as ready (reference SDK)."""

# 01 §1.5 named codes.
CLOSE_NORMAL = 1000
CLOSE_APP_ID_BLOCKED = 4010
CLOSE_SWITCH_CONNECTION = 4015
CLOSE_AUTH_ERROR = 4021


class SessionState(enum.Enum):
    __hash__ = object.__hash__  # members are singletons; Enum's hash is Python

    IDLE = "idle"
    CONNECTING = "connecting"
    OPEN = "open"
    READY = "ready"
    RECONNECTING = "reconnecting"
    DISCONNECTED = "disconnected"
    CLOSED = "closed"
    ERROR = "error"


class SessionInput(enum.Enum):
    __hash__ = object.__hash__  # members are singletons; Enum's hash is Python

    CONNECT = "connect"
    SOCKET_OPENED = "socket_opened"
    AUTHENTICATED = "authenticated"
    AUTH_FALLBACK = "auth_fallback"
    CLOSE_RECOVERABLE = "close_recoverable"
    CLOSE_TERMINAL = "close_terminal"
    BACKOFF_ELAPSED = "backoff_elapsed"
    CLOSE = "close"


class SessionTimer(enum.Enum):
    """Which deadline fired in :meth:`Session.on_timer`."""

    __hash__ = object.__hash__  # members are singletons; Enum's hash is Python

    PING = "ping"
    AUTH_FALLBACK = "auth_fallback"
    RECONNECT = "reconnect"


class CloseKind(enum.Enum):
    """Classification of a socket close code (01 §1.5)."""

    __hash__ = object.__hash__  # members are singletons; Enum's hash is Python

    NORMAL = "normal"  # 1000: no reconnect, credentials kept
    SWITCH_CONNECTION = "switch_connection"  # 4015: no reconnect, credentials kept
    AUTH_REJECTED = "auth_rejected"  # 4010, 4021, other 4xxx, 0/missing: creds cleared
    RECOVERABLE = "recoverable"  # everything else (1001, 1006, 1011, 1012, ...)

    @property
    def recoverable(self) -> bool:
        return self is CloseKind.RECOVERABLE

    @property
    def clears_auth(self) -> bool:
        return self is CloseKind.AUTH_REJECTED


_S = SessionState
_I = SessionInput

TRANSITIONS: dict[tuple[SessionState, SessionInput], SessionState] = {
    (_S.IDLE, _I.CONNECT): _S.CONNECTING,
    (_S.IDLE, _I.CLOSE): _S.CLOSED,
    (_S.CONNECTING, _I.SOCKET_OPENED): _S.OPEN,
    (_S.CONNECTING, _I.CLOSE_RECOVERABLE): _S.RECONNECTING,
    (_S.CONNECTING, _I.CLOSE_TERMINAL): _S.DISCONNECTED,
    (_S.CONNECTING, _I.CLOSE): _S.CLOSED,
    (_S.OPEN, _I.AUTHENTICATED): _S.READY,
    (_S.OPEN, _I.AUTH_FALLBACK): _S.READY,
    (_S.OPEN, _I.CLOSE_RECOVERABLE): _S.RECONNECTING,
    (_S.OPEN, _I.CLOSE_TERMINAL): _S.DISCONNECTED,
    (_S.OPEN, _I.CLOSE): _S.CLOSED,
    # A repeated greeting (e.g. after a server-side re-auth) is harmless.
    (_S.READY, _I.AUTHENTICATED): _S.READY,
    (_S.READY, _I.CLOSE_RECOVERABLE): _S.RECONNECTING,
    (_S.READY, _I.CLOSE_TERMINAL): _S.DISCONNECTED,
    (_S.READY, _I.CLOSE): _S.CLOSED,
    (_S.RECONNECTING, _I.BACKOFF_ELAPSED): _S.CONNECTING,
    # connect() during the backoff skips the wait.
    (_S.RECONNECTING, _I.CONNECT): _S.CONNECTING,
    (_S.RECONNECTING, _I.CLOSE): _S.CLOSED,
    (_S.DISCONNECTED, _I.CONNECT): _S.CONNECTING,
    (_S.DISCONNECTED, _I.CLOSE): _S.CLOSED,
    # The close handshake we started finishes here; nothing else happens.
    (_S.CLOSED, _I.CLOSE): _S.CLOSED,
    (_S.CLOSED, _I.CLOSE_RECOVERABLE): _S.CLOSED,
    (_S.CLOSED, _I.CLOSE_TERMINAL): _S.CLOSED,
}

_REMOTE_INPUTS = frozenset(
    {_I.SOCKET_OPENED, _I.AUTHENTICATED, _I.CLOSE_RECOVERABLE, _I.CLOSE_TERMINAL}
)
_SOCKET_STATES = frozenset({_S.CONNECTING, _S.OPEN, _S.READY})


def classify_close(code: int | None) -> CloseKind:
    """Classify a WebSocket close code the way the reference client does.

    01 §1.5: 1000 is a normal close; 4015 means another connection with our
    appId took over (credentials stay valid); 4010, 4021, any other 4000-4999
    code and a missing/zero code clear credentials; anything else (1001, 1006,
    1011, 1012...) is recoverable.

    Args:
        code: the close code, or ``None``/``0`` when none was received.

    Returns:
        The :class:`CloseKind`.
    """
    if not code:
        # 01 §7 item 17: literal SDK behaviour, surprising but deliberate.
        return CloseKind.AUTH_REJECTED
    if code == CLOSE_NORMAL:
        return CloseKind.NORMAL
    if code == CLOSE_SWITCH_CONNECTION:
        return CloseKind.SWITCH_CONNECTION
    if 4000 <= code < 5000:
        return CloseKind.AUTH_REJECTED
    return CloseKind.RECOVERABLE


class ReconnectPolicy(msgspec.Struct, frozen=True, kw_only=True):
    """Capped exponential backoff with full jitter.

    Attributes:
        base: delay cap of the first retry, seconds (default 0.5).
        factor: growth per attempt (default 2).
        cap: largest delay, seconds (default 30).
        max_attempts: consecutive failed attempts before giving up; ``None``
            (default) retries while credentials are valid, like the reference.
    """

    base: float = 0.5
    factor: float = 2.0
    cap: float = 30.0
    max_attempts: int | None = None

    def __post_init__(self) -> None:
        if self.base <= 0 or self.cap < self.base or self.factor < 1:
            raise ValueError("need 0 < base <= cap and factor >= 1")
        if self.max_attempts is not None and self.max_attempts < 0:
            raise ValueError("max_attempts must be >= 0 or None")

    def delay(self, attempt: int, u: float) -> float:
        """Return the wait before reconnect ``attempt`` (0-based).

        Args:
            attempt: how many reconnects were already tried since READY.
            u: a uniform sample in ``[0, 1)`` from the injected rng.

        Returns:
            ``u * min(cap, base * factor ** attempt)`` seconds.
        """
        # Exponent capped so huge attempt counts cannot overflow a float.
        ceiling = min(self.cap, self.base * self.factor ** min(attempt, 64))
        return min(max(u, 0.0), 1.0) * ceiling

    def allows(self, attempt: int) -> bool:
        """``True`` when reconnect ``attempt`` (0-based) may still be tried."""
        return self.max_attempts is None or attempt < self.max_attempts


class Session:
    """The connection-level state machine (see the theory comment).

    Args:
        policy: the reconnect backoff policy.
        ping_interval: seconds between pings while a socket is open;
            ``None`` disables pings (browser-like behaviour).
        auth_fallback: seconds an open, silent socket waits before it is
            treated as ready; ``None`` waits forever.
    """

    def __init__(
        self,
        *,
        policy: ReconnectPolicy | None = None,
        ping_interval: float | None = PING_INTERVAL_SECONDS,
        auth_fallback: float | None = AUTH_FALLBACK_SECONDS,
    ) -> None:
        self.policy = policy or ReconnectPolicy()
        self.ping_interval = ping_interval
        self.auth_fallback = auth_fallback
        self.state = SessionState.IDLE
        self.attempt = 0
        """Reconnect attempts made since the last READY."""
        self.has_credentials = True
        """Cleared by an AUTH_REJECTED close; the transport must re-auth."""
        self.last_close: tuple[int, str] | None = None
        self._ping_at: float | None = None
        self._fallback_at: float | None = None
        self._reconnect_at: float | None = None

    # -- plumbing -----------------------------------------------------------

    def process(self, event: SessionInput) -> SessionState:
        """Apply one input through the table.

        Args:
            event: the input.

        Returns:
            The new state.

        Raises:
            LocalProtocolError: an application input is illegal here.
            RemoteProtocolError: a server/transport input is illegal here.
            Either way the machine is left in ``ERROR`` (sticky).
        """
        try:
            self.state = step(
                TRANSITIONS,
                self.state,
                event,
                machine="session",
                remote=event in _REMOTE_INPUTS,
            )
        except Exception:
            self._enter_error()
            raise
        if self.state not in _SOCKET_STATES:
            self._ping_at = self._fallback_at = None
        if self.state is not SessionState.RECONNECTING:
            self._reconnect_at = None
        return self.state

    def fail(self) -> None:
        """Enter the sticky ERROR state for a violation seen outside the table
        (e.g. a frame with no socket open, detected by the connection)."""
        self._enter_error()

    def _enter_error(self) -> None:
        self.state = SessionState.ERROR
        self._ping_at = self._fallback_at = self._reconnect_at = None

    @property
    def has_socket(self) -> bool:
        """``True`` while a socket exists (connecting, open or ready)."""
        return self.state in _SOCKET_STATES

    # -- verbs --------------------------------------------------------------

    def connect(self) -> None:
        """Start connecting (the caller then emits ``OpenSocket``)."""
        self.has_credentials = True
        self.process(SessionInput.CONNECT)

    def socket_opened(self, now: float) -> None:
        """The WebSocket handshake finished at ``now``."""
        self.process(SessionInput.SOCKET_OPENED)
        if self.ping_interval is not None:
            self._ping_at = now + self.ping_interval
        if self.auth_fallback is not None:
            self._fallback_at = now + self.auth_fallback

    def authenticated(self) -> None:
        """The server's ``authenticated`` greeting arrived."""
        self.process(SessionInput.AUTHENTICATED)
        self._ready()

    def _ready(self) -> None:
        self.attempt = 0
        self._fallback_at = None

    def socket_closed(self, code: int | None, reason: str, *, now: float, u: float) -> CloseKind:
        """The socket ended; decide between reconnect and disconnect.

        Args:
            code: the close code (``None``/0 when none was received).
            reason: the close reason text.
            now: current time, seconds.
            u: a uniform ``[0, 1)`` sample used for the backoff jitter.

        Returns:
            The close classification. The new state is ``RECONNECTING`` (a
            deadline is set), ``DISCONNECTED`` or, after a local close,
            ``CLOSED``.

        Raises:
            RemoteProtocolError: no socket existed (machine lands in ERROR).
        """
        kind = classify_close(code)
        self.last_close = (code or 0, reason)
        if self.state is SessionState.CLOSED:
            self.process(SessionInput.CLOSE_TERMINAL)
            return kind
        # The one decision the table cannot hold: recoverable closes reconnect
        # only while the policy still allows another attempt.
        if kind.recoverable and self.policy.allows(self.attempt):
            self.process(SessionInput.CLOSE_RECOVERABLE)
            self._reconnect_at = now + self.policy.delay(self.attempt, u)
            self.attempt += 1
        else:
            self.process(SessionInput.CLOSE_TERMINAL)
            if kind.clears_auth:
                self.has_credentials = False
            self.attempt = 0
        return kind

    def close(self) -> bool:
        """Close locally.

        Returns:
            ``True`` when a socket existed and the caller must close it.
        """
        had_socket = self.has_socket
        self.process(SessionInput.CLOSE)
        return had_socket

    @property
    def reconnect_delay_deadline(self) -> float | None:
        """When the pending reconnect fires, if one is scheduled."""
        return self._reconnect_at

    def next_deadline(self) -> float | None:
        """The earliest time :meth:`on_timer` has work, or ``None``."""
        best = self._ping_at  # asked after every frame: no lists
        fallback, reconnect = self._fallback_at, self._reconnect_at
        if fallback is not None and (best is None or fallback < best):
            best = fallback
        if reconnect is not None and (best is None or reconnect < best):
            best = reconnect
        return best

    def on_timer(self, now: float) -> list[SessionTimer]:
        """Fire every deadline that is due at ``now``.

        Returns:
            The timers that fired, in a fixed order: ``AUTH_FALLBACK`` (the
            machine is now READY), ``PING`` (send one ping), ``RECONNECT``
            (the machine is now CONNECTING; open a socket).
        """
        fired: list[SessionTimer] = []
        if self._fallback_at is not None and now >= self._fallback_at:
            self.process(SessionInput.AUTH_FALLBACK)
            self._ready()
            fired.append(SessionTimer.AUTH_FALLBACK)
        if self._ping_at is not None and self.ping_interval is not None and now >= self._ping_at:
            # One ping per firing; a transport that slept long does not burst.
            nxt = self._ping_at + self.ping_interval
            self._ping_at = nxt if nxt > now else now + self.ping_interval
            fired.append(SessionTimer.PING)
        if self._reconnect_at is not None and now >= self._reconnect_at:
            self.process(SessionInput.BACKOFF_ELAPSED)
            fired.append(SessionTimer.RECONNECT)
        return fired


# ---------------------------------------------------------------------------
# URL (01 §1.2)

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-._")


def urlsearchparams_encode(pairs: Iterable[tuple[str, str]]) -> str:
    """Encode ``pairs`` exactly like WHATWG ``URLSearchParams.toString()``.

    01 §1.2: ``application/x-www-form-urlencoded``: space -> ``+``, ASCII
    alphanumerics and ``*-._`` kept, every other UTF-8 byte percent-encoded.
    (``urllib.parse.quote_plus`` differs on ``*`` and ``~``.)
    """

    def enc(text: str) -> str:
        out: list[str] = []
        for byte in text.encode("utf-8"):
            ch = chr(byte)
            if ch in _UNRESERVED:
                out.append(ch)
            elif ch == " ":
                out.append("+")
            else:
                out.append(f"%{byte:02X}")
        return "".join(out)

    return "&".join(f"{enc(k)}={enc(v)}" for k, v in pairs)


def build_socket_url(
    socket_base: str,
    *,
    app_id: str,
    client_name: str,
    network: str,
    app_source: str | None = None,
    attribution: Iterable[tuple[str, str]] = (),
    subscriptions_json: str | None = None,
) -> str:
    """Build the WebSocket URL of 01 §1.2 (parameters in the exact order).

    Args:
        socket_base: configured socket URL (``ws``, ``wss``, ``http`` or
            ``https``); host and path are kept, ``http``/``ws`` map to ``ws``,
            everything else to ``wss``.
        app_id: the connection's unique app id.
        client_name: e.g. ``"Sogni/3.0.0 (sogni-core) 0.1.0"``.
        network: current network; ``fast`` -> ``forceWorkerId=fast``, else empty.
        app_source: optional app source (trimmed; blank omitted).
        attribution: already-normalized connection attribution pairs (§1.2.1).
        subscriptions_json: compact JSON of the current subscription map.

    Returns:
        The URL string.
    """
    scheme, sep, rest = socket_base.partition("://")
    if not sep:
        scheme, rest = "wss", socket_base
    scheme = "ws" if scheme.lower() in ("ws", "http") else "wss"
    hostpath = rest.split("?", 1)[0].split("#", 1)[0]
    if "/" not in hostpath:
        hostpath += "/"
    pairs: list[tuple[str, str]] = [("appId", app_id)]
    if app_source and app_source.strip():
        pairs.append(("appSource", app_source.strip()))
    pairs.extend(attribution)
    if subscriptions_json:
        pairs.append(("socketEventSubscriptions", subscriptions_json))
    pairs.append(("clientName", client_name))
    pairs.append(("clientType", "artist"))
    pairs.append(("forceWorkerId", "fast" if network == "fast" else ""))
    return f"{scheme}://{hostpath}?{urlsearchparams_encode(pairs)}"
