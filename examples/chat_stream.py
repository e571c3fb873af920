"""Stream a chat completion token by token with the blocking client.

python examples/chat_stream.py --endpoint http://127.0.0.1:8080 --api-key sogni-dev-key \
    "write a haiku about GPUs"

Leaving the loop early (``--max-chunks``) cancels the LLM job.
"""

from __future__ import annotations

import sys

from _common import client_kwargs, parser
from sogni_sync import SogniClient


def main() -> None:
    p = parser("Stream one chat completion.")
    p.add_argument("--llm", default=None, help="LLM model id (default: the server's default)")
    p.add_argument("--think", action="store_true", help="let the model think first")
    p.add_argument("--max-chunks", type=int, default=None, help="stop early after N chunks")
    p.add_argument("prompt")
    args = p.parse_args()
    with SogniClient(**client_kwargs(args)) as client:
        stream = client.chat.completions.create(
            model=args.llm,
            messages=[{"role": "user", "content": args.prompt}],
            stream=True,
            think=args.think,
            task_profile="general",
        )
        with stream:  # leaving the block cancels the job if it is still running
            for n, chunk in enumerate(stream, 1):
                sys.stdout.write(chunk.content)
                sys.stdout.flush()
                if args.max_chunks is not None and n >= args.max_chunks:
                    break
        print()
        if stream.completion is not None:
            done = stream.completion
            print(f"[{done.choices[0].finish_reason}, {done.usage.total_tokens} tokens]")
        else:
            print("[stopped early; job canceled]")


if __name__ == "__main__":
    main()
