// Module mcp.
