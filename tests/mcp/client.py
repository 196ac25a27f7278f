"""Drives `paperdex mcp` with the official MCP Python SDK (PyPI `mcp`, installed by tests/setup).

Usage: client.py PAPERDEX_BINARY INDEX_DIR

Starts the server as an agent would (a subprocess speaking MCP on stdio), goes through
initialize, tools/list and one call of each tool, an unknown paper, a bad argument and an
unknown tool, and prints one JSON object with what the server answered. The Rust test
(tests/e2e/mcp.rs) checks that report; this script only records, so that a wrong answer fails
there with the whole report in the message.
"""

import asyncio
import json
import sys

from mcp import ClientSession, MCPError, StdioServerParameters
from mcp.client.stdio import stdio_client


def tool_result(result):
    """The parts of a CallToolResult a test looks at."""
    return {
        "is_error": result.is_error,
        "text": "\n".join(block.text for block in result.content if block.type == "text"),
        "structured": result.structured_content,
    }


async def main(binary, index):
    server = StdioServerParameters(
        command=binary,
        args=["--index", index, "mcp"],
        # Vectors from the instant test embedder, as the index was built.
        env={"PAPERDEX_EMBEDDER": "hash", "NO_COLOR": "1"},
    )
    report = {}
    async with stdio_client(server) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            report["initialize"] = {
                "protocol_version": init.protocol_version,
                "server_name": init.server_info.name,
                "tools_capability": init.capabilities.tools is not None,
                "instructions": init.instructions,
            }
            listed = await session.list_tools()
            report["tools"] = {
                tool.name: {"description": tool.description, "input_schema": tool.input_schema}
                for tool in listed.tools
            }
            report["search"] = tool_result(
                await session.call_tool("search", {"query": "KV cache quantization", "limit": 5})
            )
            report["search_bm25_page_2"] = tool_result(
                await session.call_tool(
                    "search", {"query": "video generation", "mode": "bm25", "limit": 2, "offset": 2}
                )
            )
            report["search_experiments"] = tool_result(
                await session.call_tool(
                    "search", {"query": "MMLU", "section": "experiments", "sort": "date", "since": "2026-01-01"}
                )
            )
            report["show_paper"] = tool_result(await session.call_tool("show_paper", {"id": "2602.02958"}))
            report["related_papers"] = tool_result(
                await session.call_tool("related_papers", {"id": "2602.02958", "limit": 3})
            )
            report["latest_papers"] = tool_result(
                await session.call_tool("latest_papers", {"since": "2026-02-01", "limit": 4})
            )
            report["unknown_paper"] = tool_result(await session.call_tool("show_paper", {"id": "2612.99999"}))
            report["bad_limit"] = tool_result(await session.call_tool("search", {"query": "attention", "limit": 0}))
            try:
                await session.call_tool("no_such_tool", {})
                report["unknown_tool"] = None
            except MCPError as error:
                report["unknown_tool"] = {"code": error.code, "message": error.message}
            # Still answering after the errors.
            report["search_after_errors"] = tool_result(
                await session.call_tool("search", {"query": "强化学习 奖励模型", "limit": 3})
            )
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
