// Feed frames to the official TS SDK 5.54.0 WebSocketClient receive path (handleMessage) and
// report what it dispatches. stdin: JSON array of hex-encoded frames. stdout: JSON array of
// {dropped: bool, events: [{type, payload}]}, one per frame, in order.
// With the argument "encode": stdin is a JSON array of {type, payload}; stdout the frame text
// the SDK's send() writes for each (JSON.stringify + the SDK's own base64Encode).
'use strict';
const path = require('path');

// The shared peer install (tests/_peers.py installs tests/peers/node).
const sdk = path.join(
  __dirname, '..', '..', 'peers', 'node', 'node_modules', '@sogni-ai', 'sogni-client', 'dist'
);
// Load the package entry first: its modules require each other in a cycle that only
// resolves in the package's own order.
require(path.join(sdk, 'index.js'));
const WebSocketClient = require(path.join(sdk, 'ApiClient', 'WebSocketClient', 'index.js')).default;

let current = null;
const logger = {
  error: () => { current.dropped = true; },
  warn: () => {},
  info: () => {},
  debug: () => {},
};
const client = new WebSocketClient('wss://socket.invalid', {}, 'frames-peer', 'fast', logger);
client.emit = (type, payload) => { current.events.push({ type, payload }); return true; };

const { base64Encode } = require(path.join(sdk, 'lib', 'base64.js'));

async function main() {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  if (process.argv[2] === 'encode') {
    const frames = JSON.parse(input).map(({ type, payload }) =>
      JSON.stringify({ type, data: base64Encode(JSON.stringify(payload)) })
    );
    process.stdout.write(JSON.stringify(frames));
    return;
  }
  const out = [];
  for (const hex of JSON.parse(input)) {
    current = { dropped: false, events: [] };
    client.handleMessage({ data: Buffer.from(hex, 'hex'), target: null });
    await new Promise((resolve) => setImmediate(resolve));
    out.push(current);
  }
  process.stdout.write(JSON.stringify(out));
}

main();
