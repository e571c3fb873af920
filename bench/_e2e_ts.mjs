// One e2e workload with the official TS SDK (run by bench/e2e.py with node).
//
// Usage: node e2e.mjs PROJECTS IMAGES, with SOGNI_REST_URL, SOGNI_SOCKET_URL and SOGNI_API_KEY
// in the environment. The SDK is the ESM build of the shared peer install (tests/peers/node,
// installed by tests/_peers.py, which bench/e2e.py calls). The same workload as _e2e_ours.py,
// through @sogni-ai/sogni-client's public API; prints one JSON line (wall and CPU seconds, imports
// excluded). The API key is never printed.

const projects = Number(process.argv[2]);
const images = Number(process.argv[3]);
const silent = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };

const { SogniClient } = await import(
  new URL('../tests/peers/node/node_modules/@sogni-ai/sogni-client/dist-esm/index.js', import.meta.url)
    .href
);

const start = performance.now();
const cpu0 = process.cpuUsage();
const sogni = await SogniClient.createInstance({
  appId: `sogni-bench-e2e-ts-${process.pid}`,
  network: 'fast',
  apiKey: process.env.SOGNI_API_KEY,
  restEndpoint: process.env.SOGNI_REST_URL,
  socketEndpoint: process.env.SOGNI_SOCKET_URL,
  logger: silent
});
await sogni.projects.waitForModels(30000);
const params = {
  type: 'image',
  modelId: 'flux1-schnell-fp8',
  positivePrompt: 'A lighthouse on a cliff at dawn, oil painting',
  numberOfMedia: images,
  steps: 4,
  guidance: 1,
  tokenType: 'spark',
  network: 'fast',
  outputFormat: 'jpg'
};
const created = await Promise.all(Array.from({ length: projects }, () => sogni.projects.create(params)));
const urls = await Promise.all(created.map((p) => p.waitForCompletion()));
const wall = (performance.now() - start) / 1000;
const used = process.cpuUsage(cpu0);
console.log(
  JSON.stringify({
    wall,
    cpu: (used.user + used.system) / 1e6,
    projects,
    completed: urls.filter((u) => Array.isArray(u) && u.length === images).length,
    urls: urls.reduce((n, u) => n + (Array.isArray(u) ? u.length : 0), 0)
  })
);
process.exit(0);
