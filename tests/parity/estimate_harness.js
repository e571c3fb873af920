// Runs the official TS SDK's own cost estimates (5.54.0, compiled dist) with a stub
// socket, and prints the GET path each one sends and the object it returns.
//
// Input (stdin, JSON): {models, tiers, presets, cases: [{name, method, args, network, response}]}
//   method: estimateCost | estimateEnhancementCost | estimateVideoCost | estimateAudioCost
//   args: the call's arguments (an array); network: the connection's network
//   (the SDK's _currentNetworkType); response: the estimate body the stub answers.
// Output (stdout, JSON): {results: [{name, ok, paths?, result?, error?}]}
//
// Stubbed I/O: GET /api/v1/models/list, /api/v2/models/tiers and
// /api/v1/size-presets/... answer from the input; every other GET is recorded
// and answered with the case's response.
'use strict';
const path = require('path');
const { EventEmitter } = require('events');

// The package's "exports" map hides dist/ subpaths, so load files by path.
// The shared peer install (tests/_peers.py installs tests/peers/node).
const dist = path.join(
  __dirname, '..', 'peers', 'node', 'node_modules', '@sogni-ai', 'sogni-client', 'dist'
);
const ProjectsApi = require(path.join(dist, 'Projects', 'index.js')).default;

function fakeClient(doc, c, paths) {
  const socket = new EventEmitter();
  socket.get = async (p) => {
    if (p === '/api/v1/models/list') return doc.models;
    if (p === '/api/v2/models/tiers') return doc.tiers;
    if (p.startsWith('/api/v1/size-presets/')) return doc.presets;
    paths.push(p);
    return c.response;
  };
  socket.send = async () => {};
  const api = new EventEmitter();
  api.socket = socket;
  api.rest = { get: async () => ({ data: {} }) };
  api.logger = { error() {}, warn() {}, info() {}, debug() {} };
  api.attribution = {};
  return api;
}

async function runCase(doc, c) {
  const paths = [];
  const projects = new ProjectsApi({ client: fakeClient(doc, c, paths), eip712: null });
  // What the server's swarmModels/changeNetwork announced for this connection.
  projects._currentNetworkType = c.network === undefined ? null : c.network;
  try {
    const result = await projects[c.method](...c.args);
    return { name: c.name, ok: true, paths, result };
  } catch (error) {
    return {
      name: c.name,
      ok: false,
      paths,
      error: String(error && error.message ? error.message : error)
    };
  }
}

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const doc = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const results = [];
  for (const c of doc.cases) results.push(await runCase(doc, c));
  process.stdout.write(JSON.stringify({ results }), () => process.exit(0));
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error));
  process.exit(1);
});
