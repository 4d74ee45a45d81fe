// Parses Mermaid text with the real Mermaid parser (mermaid@11 on jsdom):
// every file named on the command line must parse. run.sh writes the files
// with spof (whole diagrams and the blast-radius charts of check's
// Markdown report) and installs mermaid into a temporary folder.
import { JSDOM } from 'jsdom';
import fs from 'node:fs';
const dom = new JSDOM('<!DOCTYPE html><body></body>');
globalThis.window = dom.window; globalThis.document = dom.window.document;
globalThis.DOMPurify = undefined;
const mermaid = (await import('mermaid')).default;
mermaid.initialize({ startOnLoad: false });
let bad = 0;
for (const f of process.argv.slice(2)) {
  const text = fs.readFileSync(f, 'utf8');
  try { await mermaid.parse(text); console.log('ok', f); }
  catch (e) { bad++; console.log('FAIL', f, String(e.message || e).slice(0, 300)); }
}
process.exit(bad ? 1 : 0);
