// Runs the official TS SDK's own projects.create() (5.54.0, compiled dist) with
// a stub client, and prints what it would send as `jobRequest` for each case.
//
// Input (stdin, JSON): {models, tiers, cases: [{name, params, client?}], numbers: [hex64]}
// Output (stdout, JSON): {results: [{name, ok, payloadText?, uploads?, puts?, error?}], numbers: [...]}
//
// Stubbed I/O: GET /api/v1/models/list and /api/v2/models/tiers return the
// corpus documents; REST upload-URL requests return a dummy URL; fetch (the
// presigned PUT) succeeds; socket.send records the message.
'use strict';
const path = require('path');
const { EventEmitter } = require('events');

// The package's "exports" map hides dist/ subpaths, so load files by path.
// The shared peer install (tests/_peers.py installs tests/peers/node).
const dist = path.join(
  __dirname, '..', 'peers', 'node', 'node_modules', '@sogni-ai', 'sogni-client', 'dist'
);
const ProjectsApi = require(path.join(dist, 'Projects', 'index.js')).default;

const MAGIC = {
  png: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  jpeg: [0xff, 0xd8, 0xff, 0xe0],
  webp: Buffer.from('RIFF\0\0\0\0WEBP', 'latin1'),
  gif: Buffer.from('GIF89a', 'latin1'),
  mp4: Buffer.from('\0\0\0\x18ftypisom', 'latin1'),
  mov: Buffer.from('\0\0\0\x14ftypqt  ', 'latin1'),
  m4a: Buffer.from('\0\0\0\x18ftypM4A ', 'latin1'),
  wav: Buffer.from('RIFF\0\0\0\0WAVE', 'latin1'),
  id3: Buffer.from('ID3\x04\0', 'latin1'),
  mp3: [0xff, 0xfb, 0x90, 0x00],
  unknown: Buffer.from('hello', 'latin1')
};

// Same bytes as tests/parity/test_parity.py media(): magic, then zero padding to 16 bytes
// (or exactly the magic when "short" is set).
function mediaBytes(kind, short) {
  const magic = Buffer.from(MAGIC[kind]);
  if (short) return magic;
  return Buffer.concat([magic, Buffer.alloc(Math.max(0, 16 - magic.length))]);
}

function revive(value) {
  if (Array.isArray(value)) return value.map(revive);
  if (value && typeof value === 'object') {
    if ('$media' in value) return mediaBytes(value.$media, value.short);
    if ('$blob' in value) return new Blob([mediaBytes(value.kind)], { type: value.$blob });
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = revive(v);
    return out;
  }
  return value;
}

function fakeClient(models, tiers, client, sent, uploads) {
  const socket = new EventEmitter();
  socket.get = async (p) => {
    if (p === '/api/v1/models/list') return models;
    if (p === '/api/v2/models/tiers') return tiers;
    throw new Error('unexpected socket GET ' + p);
  };
  socket.send = async (type, data) => {
    sent.push({ type, data });
  };
  const api = new EventEmitter();
  api.socket = socket;
  api.rest = {
    get: async (p, query) => {
      if (p === '/v1/assets/capabilities') return { data: { enabled: false } };
      uploads.push({ path: p, query });
      return { data: { uploadUrl: 'http://upload.invalid/put' } };
    }
  };
  api.logger = { error() {}, warn() {}, info() {}, debug() {} };
  api.appSource = client.appSource;
  api.attribution = client.attribution ? { workload: client.attribution } : {};
  return api;
}


async function runCase(doc, c) {
  const sent = [];
  const uploads = [];
  const puts = [];
  globalThis.fetch = async (url, init) => {
    const body = Buffer.from(await new Response(init.body).arrayBuffer());
    puts.push({ method: init.method, headers: init.headers, bodyHex: body.toString('hex') });
    return { ok: true, status: 200 };
  };
  const projects = new ProjectsApi({
    client: fakeClient(doc.models, doc.tiers, c.client || {}, sent, uploads),
    eip712: null
  });
  try {
    await projects.create(revive(c.params));
  } catch (error) {
    return { name: c.name, ok: false, error: String(error && error.message ? error.message : error) };
  }
  const request = sent.find((m) => m.type === 'jobRequest');
  return { name: c.name, ok: true, payloadText: JSON.stringify(request.data), uploads, puts };
}

function numberSample(hex) {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt('0x' + hex));
  const x = view.getFloat64(0);
  const r = Math.round(x);
  view.setFloat64(0, r);
  return {
    json: JSON.stringify(x),
    string: String(x),
    round: view.getBigUint64(0).toString(16).padStart(16, '0')
  };
}

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const doc = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const results = [];
  for (const c of doc.cases) results.push(await runCase(doc, c));
  const numbers = (doc.numbers || []).map(numberSample);
  // Project objects keep a staleness interval running: leave once stdout is flushed.
  process.stdout.write(JSON.stringify({ results, numbers }), () => process.exit(0));
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error));
  process.exit(1);
});
