// Runs the official TS SDK's project look-ups (5.54.0 `projects.getStatus` and
// `projects.get`, ESM dist, real REST client) against a running emulator and prints
// what they return, for tests/parity/test_project_lookup_parity.py.
//
// Input (stdin, JSON): {rest, socket, apiKey, ids: [project id...]}
// Output (stdout, JSON): {results: [{id, status: {ok, value?|error?}, get: {...}}]}
//   error: {status, code, message} of the SDK's ApiError.
// Our own harness code; it uses only the SDK's public API.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const packageDir = process.argv[2];
const { SogniClient } = await import(pathToFileURL(join(packageDir, 'dist-esm', 'index.js')).href);
const input = JSON.parse(readFileSync(0, 'utf8'));
const quiet = { error() {}, warn() {}, info() {}, debug() {} };

async function settle(call) {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return {
      ok: false,
      error: { status: error?.status ?? null, code: error?.payload?.errorCode ?? null, message: String(error?.message) }
    };
  }
}

const sogni = await SogniClient.createInstance({
  appId: `sogni-core-lookup-parity-${process.pid}`,
  network: 'fast',
  apiKey: input.apiKey,
  restEndpoint: input.rest,
  socketEndpoint: input.socket,
  logger: quiet
});
const results = [];
for (const id of input.ids) {
  results.push({
    id,
    status: await settle(() => sogni.projects.getStatus(id)),
    get: await settle(() => sogni.projects.get(id))
  });
}
process.stdout.write(JSON.stringify({ results }));
await sogni.disconnect?.();
process.exit(0);
