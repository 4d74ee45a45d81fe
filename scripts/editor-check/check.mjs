// Drives the real YAML language server (the one behind VS Code's YAML
// extension, Neovim's yamlls and JetBrains) over LSP on stdio, with a
// file that names spof's schema in its first line. Checks what a user
// sees while typing: errors underlined, field names and tier words offered.
// Run: bash scripts/editor-check/run.sh
import { spawn } from "node:child_process";
import { pathToFileURL } from "node:url";
import path from "node:path";
import fs from "node:fs";

const root = path.resolve(process.argv[2]);
const server = spawn(process.execPath, [process.argv[3], "--stdio"], { stdio: ["pipe", "pipe", "inherit"] });
let buffer = Buffer.alloc(0);
let nextId = 1;
const waiting = new Map();
const diagnostics = new Map();
const onDiagnostics = [];

server.stdout.on("data", (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  for (;;) {
    const end = buffer.indexOf("\r\n\r\n");
    if (end < 0) return;
    const length = Number(/Content-Length: (\d+)/i.exec(buffer.slice(0, end).toString())[1]);
    if (buffer.length < end + 4 + length) return;
    const message = JSON.parse(buffer.slice(end + 4, end + 4 + length).toString());
    buffer = buffer.slice(end + 4 + length);
    if (message.id !== undefined && waiting.has(message.id)) {
      waiting.get(message.id)(message.result);
      waiting.delete(message.id);
    } else if (message.method === "textDocument/publishDiagnostics") {
      diagnostics.set(message.params.uri, message.params.diagnostics);
      onDiagnostics.splice(0).forEach((f) => f());
    } else if (message.id !== undefined && message.method) {
      // Requests from the server (workspace/configuration): answer them.
      const result = message.method === "workspace/configuration"
        ? message.params.items.map(() => ({ validate: true, completion: true, hover: true, schemaStore: { enable: false } }))
        : null;
      send({ jsonrpc: "2.0", id: message.id, result });
    }
  }
});

function send(message) {
  const text = JSON.stringify(message);
  server.stdin.write(`Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
}
function request(method, params) {
  const id = nextId++;
  send({ jsonrpc: "2.0", id, method, params });
  return new Promise((resolve) => waiting.set(id, resolve));
}
function notify(method, params) { send({ jsonrpc: "2.0", method, params }); }
function diagnosticsFor(uri) {
  return new Promise((resolve) => {
    const check = () => (diagnostics.has(uri) ? resolve(diagnostics.get(uri)) : onDiagnostics.push(check));
    check();
  });
}

const failures = [];
function expect(what, ok) {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
}

await request("initialize", { processId: process.pid, rootUri: pathToFileURL(root).href, capabilities: {} });
notify("initialized", {});
notify("workspace/didChangeConfiguration", { settings: { yaml: { validate: true, completion: true, hover: true, schemaStore: { enable: false } } } });

const schema = pathToFileURL(path.join(root, "schema/spof-v1.schema.json")).href;
let version = 1;
async function open(name, text) {
  const uri = pathToFileURL(path.join(root, "graphs", name)).href;
  diagnostics.delete(uri);
  notify("textDocument/didOpen", { textDocument: { uri, languageId: "yaml", version: version++, text } });
  return { uri, found: await diagnosticsFor(uri) };
}

// 1. The Kakao example, with the schema line: no errors.
const kakao = fs.readFileSync(path.join(root, "graphs/kakao-2022.yaml"), "utf8");
const clean = await open("kakao-check.yaml", `# yaml-language-server: $schema=${schema}\n${kakao}`);
expect(`graphs/kakao-2022.yaml has no errors (${clean.found.map((d) => d.message).join("; ")})`, clean.found.length === 0);

// 2. Mistakes a user makes while typing, each underlined on its line.
const broken = [
  `# yaml-language-server: $schema=${schema}`,
  "version: 1",
  "services:",
  "  web:",
  "    tier: importent",
  "    depend_on: [db]",
  "    users: -5",
  "  db:",
  "    runs_in: []",
].join("\n");
const wrong = await open("broken-check.yaml", broken);
const lines = wrong.found.map((d) => d.range.start.line).sort();
console.log(wrong.found.map((d) => `  line ${d.range.start.line + 1}: ${d.message}`).join("\n"));
expect("a wrong tier is underlined (line 5)", lines.includes(4));
expect("an unknown field is underlined (line 6)", lines.includes(5));
expect("negative users are underlined (line 7)", lines.includes(6));
expect("an empty placement is underlined (line 9)", lines.includes(8));

// 2b. The README's line: a path relative to the file.
const relative = await open("relative-check.yaml", ["# yaml-language-server: $schema=../schema/spof-v1.schema.json", "version: 2", ""].join("\n"));
expect("a relative $schema path works (version 2 is underlined)", relative.found.some((d) => d.range.start.line === 1));

// 3. Completion: the fields of a service, and the words of `tier`.
const typing = [`# yaml-language-server: $schema=${schema}`, "version: 1", "services:", "  web:", "    ", ""].join("\n");
const t = await open("typing-check.yaml", typing);
const fields = await request("textDocument/completion", { textDocument: { uri: t.uri }, position: { line: 4, character: 4 } });
const labels = (fields.items ?? fields).map((i) => i.label);
console.log(`  offered at a service: ${labels.join(", ")}`);
expect("completion offers depends_on, runs_in and tier", ["depends_on", "runs_in", "tier"].every((l) => labels.includes(l)));
const tierText = [`# yaml-language-server: $schema=${schema}`, "version: 1", "services:", "  web:", "    tier: ", ""].join("\n");
const tt = await open("tier-check.yaml", tierText);
const tiers = await request("textDocument/completion", { textDocument: { uri: tt.uri }, position: { line: 4, character: 10 } });
const words = (tiers.items ?? tiers).map((i) => i.label);
console.log(`  offered for tier: ${words.join(", ")}`);
expect("completion offers the four tiers", ["critical", "high", "medium", "low"].every((w) => words.includes(w)));
const hover = await request("textDocument/hover", { textDocument: { uri: tt.uri }, position: { line: 4, character: 6 } });
const hoverText = JSON.stringify(hover ?? {});
expect("hover on `tier` shows its meaning", hoverText.includes("Importance"));

server.kill();
process.exit(failures.length ? 1 : 0);
