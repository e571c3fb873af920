// Feed frames to the official TS SDK 5.54.0 WebSocketClient receive path (handleMessage) and
// report what it dispatches. stdin: JSON array of hex-encoded frames. stdout: JSON array of
// {dropped: bool, events: [{type, payload}]}, one per frame, in order.
'use strict';
const path = require('path');

const sdk = path.join(__dirname, 'node_modules', '@sogni-ai', 'sogni-client', 'dist');
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

async function main() {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
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
