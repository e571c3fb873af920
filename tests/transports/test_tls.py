"""TLS: verification is on by default, and a trusted context works end to end.

A self-signed certificate (made with the ``openssl`` CLI) fronts the emulator
through a small TLS-terminating relay, so ``https://`` and ``wss://`` are real.
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sogni_core.client import TransportError
from sogni_core.protocol._errors import SogniError
from sogni_core.protocol.jobrequest import ImageProjectParams

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")


def _pipe(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Relay:
    """TLS on 127.0.0.1:<port> -> plain TCP to the emulator."""

    def __init__(self, cert: Path, key: Path, upstream: int) -> None:
        self.ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ctx.load_cert_chain(cert, key)
        self.upstream = upstream
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                raw, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(raw,), daemon=True).start()

    def _handle(self, raw: socket.socket) -> None:
        try:
            tls = self.ctx.wrap_socket(raw, server_side=True)
        except (OSError, ssl.SSLError):
            raw.close()
            return
        up = socket.create_connection(("127.0.0.1", self.upstream))
        self.conns += [tls, up]
        threading.Thread(target=_pipe, args=(up, tls), daemon=True).start()
        _pipe(tls, up)

    def close(self) -> None:
        self.sock.close()
        for conn in self.conns:
            try:
                conn.close()
            except OSError:
                pass


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def tls_emulator(emulator_factory: Any, certificate: tuple[Path, Path]) -> Iterator[Any]:
    with emulator_factory() as emu:
        relay = _Relay(*certificate, upstream=emu.port)
        try:
            yield emu, relay
        finally:
            relay.close()


async def _verified_by_default(h: Any, emu: Any, port: int) -> None:
    rest, sock = f"https://127.0.0.1:{port}", f"wss://127.0.0.1:{port}"
    # The socket handshake fails certificate verification at once (no
    # reconnect loop until the timeout); REST fails too.
    with pytest.raises(TransportError) as info:
        async with h.client(emu, rest_endpoint=rest, socket_endpoint=sock, connect_timeout=20):
            pass
    assert not isinstance(info.value, TimeoutError)
    assert "certificate" in str(info.value)
    client = h.mod.SogniClient(api_key=emu.api_key, rest_endpoint=rest, socket_endpoint=sock)
    try:
        with pytest.raises(SogniError):
            await h.call(client.account.balance())
    finally:
        await h.call(client.aclose() if h.is_async else client.close())


async def _trusted(h: Any, emu: Any, port: int, cert: Path) -> None:
    ctx = ssl.create_default_context(cafile=str(cert))
    rest, sock = f"https://127.0.0.1:{port}", f"wss://127.0.0.1:{port}"
    async with h.client(emu, rest_endpoint=rest, socket_endpoint=sock, verify=ctx) as client:
        assert (await h.call(client.account.balance())).spark.net == "5000"
        params = ImageProjectParams(model_id="flux1-schnell-fp8", positive_prompt="x", steps=4)
        project = await h.call(client.projects.create(params))
        assert len(await h.call(project.wait(10))) == 1


def test_tls_verification_on_by_default(h: Any, tls_emulator: Any) -> None:
    emu, relay = tls_emulator
    h.run(_verified_by_default, emu, relay.port)


def test_tls_with_a_trusted_context(
    h: Any, tls_emulator: Any, certificate: tuple[Path, Path]
) -> None:
    emu, relay = tls_emulator
    h.run(_trusted, emu, relay.port, certificate[0])
