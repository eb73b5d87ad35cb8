// Drives Quarry's MCP server with the official TypeScript SDK client. One argument, a JSON plan:
//   { "transport": "http", "url": "...", "key": "..." }  or  { "transport": "stdio", "command": "...", "args": [...], "env": {...} }
//   plus "calls": [{ "name": "...", "arguments": {...} }]; an argument "$N.field" is the field of call N's JSON result
//   (e.g. "$0.sessionId" after a start_session call)
// Prints one JSON object: { "tools": [names], "results": [{ "isError", "text" }] }, or { "error": message } when the
// client cannot connect (e.g. 401).
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const plan = JSON.parse(process.argv[2]);
const transport = plan.transport === "stdio"
  ? new StdioClientTransport({ command: plan.command, args: plan.args, env: { ...process.env, ...(plan.env || {}) }, stderr: "inherit" })
  : new StreamableHTTPClientTransport(new URL(plan.url), { requestInit: { headers: plan.key ? { Authorization: "Bearer " + plan.key } : {} } });
const client = new Client({ name: "quarry-test-client", version: "1.0.0" });
try {
  await client.connect(transport);
} catch (err) {
  console.log(JSON.stringify({ error: String(err?.message ?? err) }));
  process.exit(0);
}
const tools = (await client.listTools()).tools.map((t) => t.name);
const results = [];
for (const call of plan.calls || []) {
  try {
    const args = Object.fromEntries(Object.entries(call.arguments || {}).map(([k, v]) => {
      const ref = typeof v === "string" && /^\$(\d+)\.(\w+)$/.exec(v);
      return [k, ref ? JSON.parse(results[Number(ref[1])].text)[ref[2]] : v];
    }));
    const result = await client.callTool({ name: call.name, arguments: args });
    results.push({ isError: !!result.isError, text: result.content.filter((c) => c.type === "text").map((c) => c.text).join("\n") });
  } catch (err) {
    results.push({ isError: true, text: String(err?.message ?? err) });
  }
}
console.log(JSON.stringify({ tools, results }));
await client.close();
