// Send the chat cases of cases.json through the official TS SDK (the peers' pinned
// @sogni-ai/sogni-client) and wait for each reply; the emulator records the llmJobRequest frames.
//
// Usage: node llm_requests.mjs <sdk dir> <cases.json>
// Env:   SOGNI_REST_URL, SOGNI_SOCKET_URL, SOGNI_API_KEY
//
// Our own harness code; it uses only the SDK's public API.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [sdkDir, casesPath] = process.argv.slice(2);
const { SogniClient } = await import(
  pathToFileURL(join(sdkDir, 'node_modules', '@sogni-ai', 'sogni-client', 'dist', 'index.js')).href
);
const cases = JSON.parse(readFileSync(casesPath, 'utf8'));
const quiet = { error() {}, warn() {}, info() {}, debug() {} };

const sogni = await SogniClient.createInstance({
  appId: 'parity-node',
  network: 'fast',
  apiKey: process.env.SOGNI_API_KEY,
  restEndpoint: process.env.SOGNI_REST_URL,
  socketEndpoint: process.env.SOGNI_SOCKET_URL,
  logger: quiet,
});
const ids = [];
try {
  await sogni.chat.waitForModels(20000);
  for (const params of cases) {
    const result = await sogni.chat.completions.create(params);
    if (params.stream) {
      for await (const _chunk of result) {
        // drain
      }
      ids.push(result.jobID ?? null);
    } else {
      ids.push(result.jobID);
    }
  }
} finally {
  sogni.dispose();
}
process.stdout.write(JSON.stringify({ ok: true, ids }) + '\n');
process.exit(0);
