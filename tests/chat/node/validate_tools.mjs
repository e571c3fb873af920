// Run the official TS SDK's hosted-tool validator (with the SDK's own tool definitions) over a
// corpus of [toolName, arguments, rawArguments] triples; print the results and the SDK's tool
// definitions as one JSON object on stdout.
//
// Usage: node validate_tools.mjs <sdk dir> <corpus.json>
// Our own harness code; it calls the SDK's compiled modules directly.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [sdkDir, corpusPath] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const dist = join(sdkDir, 'node_modules', '@sogni-ai', 'sogni-client', 'dist', 'Chat');
const { validateAndNormalizeHostedToolArguments } = require(join(dist, 'hostedToolValidator.js'));
const { SogniTools, isSogniToolCall, parseToolCallArguments } = require(join(dist, 'tools.js'));

const corpus = JSON.parse(readFileSync(corpusPath, 'utf8'));
const out = corpus.map(([name, args, rawArguments]) => {
  const options = { skipEnumProperties: name === 'generate_music' ? [] : ['model'] };
  const call = { id: 'c', type: 'function', function: { name, arguments: rawArguments } };
  const r = validateAndNormalizeHostedToolArguments(SogniTools.all, name, args, options);
  return {
    ok: r.ok,
    errors: r.errors,
    warnings: r.warnings,
    cleaned: r.cleaned,
    recognised: isSogniToolCall(call),
    parsed: parseToolCallArguments(call),
  };
});
process.stdout.write(JSON.stringify({ results: out, definitions: SogniTools.all }) + '\n');
