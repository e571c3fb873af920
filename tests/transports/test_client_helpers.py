"""The pure helpers under sogni_core.client (no I/O)."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest

from sogni_core.client import file_media, replace_media, upload_plan, uuid4_upper
from sogni_core.protocol.jobrequest import ControlNetParams, ImageProjectParams, MediaInput

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16
JPEG = b"\xff\xd8\xff" + b"\0" * 16


def test_uuid4_upper_is_a_v4_uuid() -> None:
    text = uuid4_upper(bytes(range(16)))
    parsed = uuid.UUID(text)
    assert parsed.version == 4 and text == text.upper() and text == str(parsed).upper()
    with pytest.raises(ValueError):
        uuid4_upper(b"short")


def test_upload_plan_follows_the_sdk_order() -> None:
    params = ImageProjectParams(
        model_id="flux2",
        starting_image=PNG,
        control_net=ControlNetParams(name="canny", image=JPEG),
        context_images=(PNG, True, MediaInput(data=b"xx", content_type="image/webp")),
    )
    plan = upload_plan(params)
    assert [(u.endpoint, u.slot) for u in plan] == [
        ("image", "startingImage"),
        ("image", "cnImage"),
        ("image", "contextImage1"),
        ("image", "contextImage3"),
    ]
    assert [u.content_type for u in plan] == ["image/png", "image/jpeg", "image/png", "image/webp"]
    assert plan[3].error_message == "Failed to upload context image 2"
    assert "bytes" in repr(plan[0]) and "PNG" not in repr(plan[0])


def test_file_media_found_and_replaced(tmp_path: Path) -> None:
    path = tmp_path / "a.png"
    handle = io.BytesIO(JPEG)
    params = ImageProjectParams(
        model_id="flux2",
        starting_image=path,  # type: ignore[arg-type]
        context_images=(PNG, handle),  # type: ignore[arg-type]
        control_net=ControlNetParams(name="canny", image=str(path)),  # type: ignore[arg-type]
    )
    found = file_media(params)
    assert [(f, i) for f, i, _ in found] == [
        ("starting_image", None),
        ("context_images", 1),
        ("control_net.image", None),
    ]
    new = replace_media(params, {(f, i): PNG for f, i, _ in found})
    assert new.starting_image == PNG and new.context_images == (PNG, PNG)
    assert new.control_net is not None and new.control_net.image == PNG
    assert file_media(new) == []


def test_login_signature_recovers_the_derived_wallet() -> None:
    from eth_account import Account
    from eth_account.messages import encode_typed_data

    from sogni_core.client import (
        AUTHENTICATION_TYPES,
        authentication_message,
        eip712_domain,
        wallet_private_key,
    )

    key = wallet_private_key("Bob", "pw")
    assert key == wallet_private_key("bob", "pw") != wallet_private_key("bob", "PW")
    assert len(key) == 32
    wallet = Account.from_key(key)
    for testnet in (False, True):
        signable = encode_typed_data(
            domain_data=eip712_domain(testnet=testnet),
            message_types=AUTHENTICATION_TYPES,
            message_data=authentication_message(wallet.address, "n0nce"),
        )
        signature = wallet.sign_message(signable).signature
        assert Account.recover_message(signable, signature=signature) == wallet.address
    assert eip712_domain(testnet=True)["chainId"] == 84532
    assert eip712_domain()["name"] == "Sogni AI"


def test_unit_random_is_uniform_in_the_unit_interval() -> None:
    from sogni_asyncio._rest import unit_random

    values = [unit_random() for _ in range(20000)]
    assert all(0.0 <= v < 1.0 for v in values)
    assert len(set(values)) == len(values)  # 56 random bits: no repeats here
    assert abs(sum(values) / len(values) - 0.5) < 0.02
    assert sum(v < 0.1 for v in values) / len(values) == pytest.approx(0.1, abs=0.02)
