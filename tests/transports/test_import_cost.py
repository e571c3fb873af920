"""``from sogni_<transport> import SogniClient`` stays cheap (issue 4: < 100 ms).

Nothing here times anything. Each test runs a fresh interpreter, imports the
client the way a user does, and checks what got loaded: the modules and tables
that are deferred to first use must not be. A failure names what an import
started pulling in again.
"""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

TRANSPORTS = ["sogni_asyncio", "sogni_sync", "sogni_trio"]

#: Loaded on first use by every transport.
LAZY = [
    "httpx",
    "httpcore",
    "json",
    "sogni_core.chat",
    "sogni_core.workflows",
    "sogni_core.protocol.sse",
    "sogni_core.protocol._generated.jobrequest",
    "sogni_core.protocol._generated.rest",
    "sogni_core.protocol._generated.tools",
    "sogni_core.protocol._generated.workflows",
    "sogni_core.protocol.jobrequest._build",
    "sogni_core.protocol.jobrequest._families",
    "sogni_core.protocol.rest._attribution",
    "sogni_core.protocol.rest._flow",
    "sogni_core.protocol._endpoint",
]
#: Also lazy everywhere now that trio's backend imports trio_websocket on first connect;
#: trio itself imports hashlib and random, so those are checked on asyncio and sync
#: only (the reconnect jitter reads os.urandom: ``random`` is never needed).
LAZY += ["wsproto", "h11", "email.utils", "trio_websocket"]
LAZY_UNLESS_TRIO = ["hashlib", "random"]
#: asyncio and trio import ssl themselves; the blocking client loads it on its
#: first TLS connection.
LAZY_SYNC_ONLY = ["ssl", "_ssl"]

# Printed with repr, not json: the probe must not import what it checks.
_PROBE = """
import sys
from {transport} import SogniClient
from sogni_core.protocol import frames
from sogni_core.protocol._generated import enums
print(repr({{
    "modules": sorted(sys.modules),
    "decoders": sorted(frames._SERVER._built),
    "enums": sorted(n for n in enums._ENUM_SPECS if n in vars(enums)),
}}))
"""


def _probe(transport: str) -> dict[str, list[str]]:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE.format(transport=transport)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    result: dict[str, list[str]] = ast.literal_eval(out)
    return result


@pytest.fixture(scope="module", params=TRANSPORTS)
def loaded(request: pytest.FixtureRequest) -> tuple[str, dict[str, list[str]]]:
    transport: str = request.param
    return transport, _probe(transport)


def test_deferred_modules_not_imported(loaded: tuple[str, dict[str, list[str]]]) -> None:
    transport, probe = loaded
    modules = set(probe["modules"])
    assert transport in modules and "sogni_core.state.connection" in modules  # the probe ran
    lazy = LAZY + ([] if transport == "sogni_trio" else LAZY_UNLESS_TRIO)
    lazy += LAZY_SYNC_ONLY if transport == "sogni_sync" else []
    assert sorted(m for m in lazy if m in modules) == []


def test_no_decoder_built_at_import(loaded: tuple[str, dict[str, list[str]]]) -> None:
    # frames builds one msgspec decoder per event type on its first decode.
    assert loaded[1]["decoders"] == []


def test_only_the_enums_the_socket_schemas_need(loaded: tuple[str, dict[str, list[str]]]) -> None:
    # _generated.socket annotates fields with these four; the other 20 enums of
    # enums.py are built when first touched.
    assert loaded[1]["enums"] == ["BillingMode", "Network", "TaskProfile", "TokenType"]


def test_lazy_names_resolve_on_access() -> None:
    # The deferred names work once touched, in a fresh interpreter.
    code = """
import sys
from sogni_asyncio import SogniClient
import sogni_core.protocol as p
from sogni_core.protocol import Sampler, rest, jobrequest
from sogni_core.protocol._generated import enums
assert "sogni_core.protocol._generated.rest" not in sys.modules
assert rest.endpoint("account_nonce").path == "/v1/account/nonce"
assert "sogni_core.protocol._generated.rest" in sys.modules
assert p.Sampler is Sampler is enums.Sampler and Sampler.__module__ == enums.__name__
assert enums.ENUMS[0] is enums.Network and len(enums.ENUMS) == len(enums._ENUM_SPECS)
assert set(rest.__all__) <= set(dir(rest)) and set(jobrequest.__all__) <= set(dir(jobrequest))
assert jobrequest.build_job_request.__module__.endswith("._build")
print("ok")
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "ok"
