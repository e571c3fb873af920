"""``sogni chat``: one question to a Supernet LLM, the answer on stdout.

``--image PATH`` (repeatable) attaches PNG/JPEG files as inline data URIs
(vision models; the client scales images over 1024 px down). ``--stream``
prints the tokens as they arrive. The answer text goes to stdout; with
``-v`` the model, token counts and cost go to stderr.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sogni_core.protocol._errors import InvalidParamsError
from sogni_core.protocol.jobrequest import sniff_content_type

if TYPE_CHECKING:
    from rich.console import Console
    from sogni_sync import SogniClient

__all__ = ["build_messages", "run_chat"]


def _image_part(index: int, path: Path) -> dict[str, Any]:
    field = f"image[{index}]"
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidParamsError(field, f"cannot read {path}: {exc.strerror}") from None
    mime = sniff_content_type(data)
    if mime not in ("image/png", "image/jpeg"):
        raise InvalidParamsError(field, f"{path} must be a PNG or JPEG file")
    uri = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    return {"type": "image_url", "image_url": {"url": uri}}


def build_messages(
    prompt: str, *, system: str | None = None, images: list[str] | None = None
) -> list[dict[str, Any]]:
    """The OpenAI-style messages for one question.

    Raises:
        InvalidParamsError: an empty prompt, or an unreadable / non-PNG/JPEG image.
    """
    if not prompt.strip():
        raise InvalidParamsError("prompt", "must not be empty")
    messages: list[dict[str, Any]] = []
    if system:
        messages.append({"role": "system", "content": system})
    if images:
        parts: list[dict[str, Any]] = [{"type": "text", "text": prompt}]
        parts.extend(_image_part(i, Path(p)) for i, p in enumerate(images))
        messages.append({"role": "user", "content": parts})
    else:
        messages.append({"role": "user", "content": prompt})
    return messages


def run_chat(
    client: SogniClient,
    messages: list[dict[str, Any]],
    *,
    out: Console,
    err: Console,
    model: str | None,
    stream: bool,
    max_tokens: int | None,
    temperature: float | None,
    verbose: bool,
) -> None:
    """Run the completion and print the answer on ``out``.

    Raises:
        InvalidParamsError: a bad argument (from the core, before sending).
        ChatError: the LLM job failed.
    """
    kwargs: dict[str, Any] = {
        "messages": messages,
        "model": model,
        "max_tokens": max_tokens,
        "temperature": temperature,
    }
    if stream:
        with client.chat.completions.create(stream=True, **kwargs) as chunks:
            for chunk in chunks:
                if chunk.content:
                    out.file.write(chunk.content)
                    out.file.flush()
            completion = chunks.final_completion()
        out.file.write("\n")
        out.file.flush()
    else:
        completion = client.chat.completions.create(**kwargs)
        out.file.write((completion.content or "") + "\n")
        out.file.flush()
    if verbose:
        usage = completion.usage
        cost = completion.cost
        spent = ""
        if cost is not None and cost.cost_in_token:
            spent = f", cost {cost.cost_in_token} tokens"
            if cost.cost_in_usd:
                spent += f" (USD {cost.cost_in_usd})"
        err.print(
            f"[dim]{completion.model} on {completion.worker_name or '?'}: "
            f"{usage.prompt_tokens} prompt + {usage.completion_tokens} completion tokens"
            f"{spent}[/]",
            highlight=False,
        )
