"""Chat with an LLM on the Supernet, letting it call the hosted image tool.

python examples/chat.py --endpoint http://127.0.0.1:8080 --api-key sogni-dev-key \
    "please generate_image of a lighthouse at dusk"

The model answers with a tool call; the client validates it, runs it as an
image project, hands the result back, and prints the model's final answer.
"""

from __future__ import annotations

import asyncio

from _common import client_kwargs, parser
from sogni_asyncio import ChatError, SogniClient

from sogni_core.chat import MediaContext, is_sogni_tool_call, sogni_tools


async def main() -> None:
    p = parser("One chat round trip with a hosted tool call.")
    p.add_argument("--llm", default=None, help="LLM model id (default: the server's default)")
    p.add_argument("prompt")
    args = p.parse_args()
    async with SogniClient(**client_kwargs(args)) as client:
        quote = await client.chat.estimate_cost(
            model=args.llm, messages=[{"role": "user", "content": args.prompt}], max_tokens=256
        )
        print(f"estimate: {quote.cost_in_sogni} SOGNI for up to {quote.output_tokens} tokens")
        messages: list[dict[str, object]] = [
            {"role": "system", "content": "You are a helpful creative assistant."},
            {"role": "user", "content": args.prompt},
        ]
        tools = sogni_tools(["generate_image", "generate_music"])
        try:
            reply = await client.chat.completions.create(
                model=args.llm, messages=messages, tools=tools, think=False, max_tokens=256
            )
            for _ in range(3):  # a few tool rounds at most
                if not reply.tool_calls:
                    break
                messages.append(reply.choices[0].message.to_message())
                for call in reply.tool_calls:
                    if not is_sogni_tool_call(call):
                        continue
                    result = await client.chat.tools.execute(call, media_context=MediaContext())
                    print(f"tool {call.function.name}: {list(result.result_urls) or result.error}")
                    messages.append(result.to_message())
                reply = await client.chat.completions.create(
                    model=args.llm, messages=messages, tools=tools, max_tokens=256
                )
        except ChatError as exc:
            raise SystemExit(
                f"chat failed ({exc.error_type}, code {exc.code}): {exc.message}"
            ) from None
        print("assistant:", reply.content)
        print(f"usage: {reply.usage.total_tokens} tokens on {reply.worker_name}")


if __name__ == "__main__":
    asyncio.run(main())
