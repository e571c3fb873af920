// The harness every official-TS-SDK flow script shares (flows.mjs, workflows.mjs): endpoints
// from the environment, error capture (exceptions, unhandled rejections, uncaught exceptions,
// `error`-level SDK logs, failed expectations, the overall timeout), downloads checked by magic
// bytes, Content-Type and size, and the one-line JSON summary. The summary never contains the
// API key. Our own harness code; it uses only the SDK's public API.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

// The SDK's ESM build from the shared peer install (tests/_peers.py installs tests/peers/node).
export const { SogniClient } = await import(
  new URL('../../../peers/node/node_modules/@sogni-ai/sogni-client/dist-esm/index.js', import.meta.url)
    .href
);

export const FLOW = process.argv[2];
export const REST = process.env.SOGNI_REST_URL;
export const SOCKET = process.env.SOGNI_SOCKET_URL;
export const API_KEY = process.env.SOGNI_API_KEY;
export const TIMEOUT_MS = Number(process.env.FLOW_TIMEOUT_MS || 90000);
export const ARTIFACT_DIR = process.env.FLOW_ARTIFACT_DIR || '';

export const IMAGE_MODEL_PREFERENCE = ['flux1-schnell-fp8', 'z_image_turbo_bf16'];
export const VIDEO_MODEL = 'wan_v2.2-14b-fp8_t2v_lightx2v';
export const AUDIO_MODEL_PREFERENCE = ['ace_step_1.5_xl_turbo'];

export const errors = [];
export const warnings = [];
export const checks = [];
export const artifacts = [];
export const result = {};
export const startedAt = Date.now();

export function redact(text) {
  const s = String(text);
  return API_KEY ? s.split(API_KEY).join('<api-key>') : s;
}

export function describe(value) {
  if (value instanceof Error) {
    const extra = {};
    for (const key of ['status', 'code', 'payload']) {
      if (value[key] !== undefined) extra[key] = value[key];
    }
    const suffix = Object.keys(extra).length ? ` ${JSON.stringify(extra)}` : '';
    return redact(`${value.name}: ${value.message}${suffix}\n${value.stack || ''}`);
  }
  if (typeof value === 'object') {
    try {
      return redact(JSON.stringify(value));
    } catch {
      return redact(String(value));
    }
  }
  return redact(String(value));
}

export function recordError(kind, value) {
  errors.push({ kind, message: describe(value).slice(0, 4000) });
}

process.on('unhandledRejection', (reason) => recordError('unhandledRejection', reason));
process.on('uncaughtException', (error) => recordError('uncaughtException', error));

export const logger = {
  error: (...args) => recordError('sdk-error-log', args.map(describe).join(' ')),
  warn: (...args) => warnings.push(args.map(describe).join(' ').slice(0, 2000)),
  info: () => {},
  debug: () => {}
};

/** Record a named expectation; a false one is an error. */
export function expect(name, ok, detail) {
  checks.push({ name, ok: Boolean(ok) });
  if (!ok) {
    recordError('expectation', `${name}${detail === undefined ? '' : `: ${describe(detail)}`}`);
  }
  return Boolean(ok);
}

export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// --- media checks -------------------------------------------------------------------------

export const MIME_BY_KIND = {
  png: 'image/png',
  jpg: 'image/jpeg',
  webp: 'image/webp',
  mp4: 'video/mp4',
  mp3: 'audio/mpeg',
  flac: 'audio/flac',
  wav: 'audio/wav',
  m4a: 'audio/mp4'
};

export function sniff(bytes) {
  const b = bytes;
  const ascii = (start, end) => Buffer.from(b.subarray(start, end)).toString('latin1');
  if (b.length >= 8 && b[0] === 0x89 && ascii(1, 4) === 'PNG') return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpg';
  if (b.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (b.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WAVE') return 'wav';
  if (b.length >= 4 && ascii(0, 4) === 'fLaC') return 'flac';
  if (b.length >= 12 && ascii(4, 8) === 'ftyp') {
    const brand = ascii(8, 12).toLowerCase();
    return brand.startsWith('m4a') ? 'm4a' : 'mp4';
  }
  if (b.length >= 3 && ascii(0, 3) === 'ID3') return 'mp3';
  if (b.length >= 2 && b[0] === 0xff && (b[1] & 0xe0) === 0xe0) return 'mp3';
  return 'unknown';
}

/** Width and height from a PNG IHDR or a JPEG SOFn marker; null when not found. */
export function imageSize(bytes, kind) {
  const view = Buffer.from(bytes);
  if (kind === 'png' && view.length >= 24) {
    return { width: view.readUInt32BE(16), height: view.readUInt32BE(20) };
  }
  if (kind === 'jpg') {
    let offset = 2;
    while (offset + 9 < view.length) {
      if (view[offset] !== 0xff) return null;
      const marker = view[offset + 1];
      const length = view.readUInt16BE(offset + 2);
      const isSof = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
      if (isSof) {
        return { height: view.readUInt16BE(offset + 5), width: view.readUInt16BE(offset + 7) };
      }
      offset += 2 + length;
    }
  }
  return null;
}

/** Top-level ISO-BMFF box types; throws on a malformed box. */
export function mp4Boxes(bytes) {
  const view = Buffer.from(bytes);
  const boxes = [];
  let offset = 0;
  while (offset < view.length) {
    if (offset + 8 > view.length) throw new Error(`truncated box header at ${offset}`);
    let size = view.readUInt32BE(offset);
    const type = view.toString('latin1', offset + 4, offset + 8);
    if (size === 1) size = Number(view.readBigUInt64BE(offset + 8));
    if (size === 0) size = view.length - offset;
    if (size < 8) throw new Error(`bad box size ${size} at ${offset}`);
    boxes.push(type);
    offset += size;
  }
  if (offset !== view.length) throw new Error('boxes overrun the file');
  return boxes;
}

/** Keep a downloaded file for the test runner to decode (FLOW_ARTIFACT_DIR, when set). */
export function saveArtifact(label, kind, bytes) {
  if (!ARTIFACT_DIR) return;
  const name = `${String(artifacts.length).padStart(2, '0')}-${label.replace(/[^a-zA-Z0-9]+/g, '-')}.${kind}`;
  writeFileSync(join(ARTIFACT_DIR, name), bytes);
  artifacts.push({ label, kind, file: name });
}

export async function download(url, label) {
  const response = await withTimeout(fetch(url), 30000, `download ${label}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const kind = sniff(bytes);
  if (response.status === 200) saveArtifact(label, kind, bytes);
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    length: bytes.length,
    kind,
    bytes
  };
}

export async function checkDownload(url, label, expectedKind, size) {
  expect(`${label}: has a result URL`, typeof url === 'string' && url.length > 0, url);
  if (typeof url !== 'string' || !url) return null;
  const file = await download(url, label);
  expect(`${label}: HTTP 200`, file.status === 200, file.status);
  expect(`${label}: magic bytes are ${expectedKind}`, file.kind === expectedKind, file.kind);
  const mime = MIME_BY_KIND[expectedKind];
  expect(
    `${label}: Content-Type is ${mime}`,
    (file.contentType || '').split(';')[0].trim().toLowerCase() === mime,
    file.contentType
  );
  const info = { url: redact(url), status: file.status, contentType: file.contentType, length: file.length, kind: file.kind };
  if (size) {
    const actual = imageSize(file.bytes, file.kind);
    info.size = actual;
    expect(
      `${label}: pixel size ${size.width}x${size.height}`,
      actual && actual.width === size.width && actual.height === size.height,
      actual
    );
  }
  if (expectedKind === 'mp4' && file.kind === 'mp4') {
    try {
      const boxes = mp4Boxes(file.bytes);
      info.boxes = boxes;
      expect(`${label}: mp4 has moov and mdat`, boxes.includes('moov') && boxes.includes('mdat'), boxes);
    } catch (error) {
      expect(`${label}: mp4 box structure parses`, false, error);
    }
  }
  return info;
}

// --- helpers ------------------------------------------------------------------------------

export async function connect(appId = `sogni-core-peer-ts-${FLOW}-${process.pid}`) {
  const sogni = await SogniClient.createInstance({
    appId,
    network: 'fast',
    apiKey: API_KEY,
    restEndpoint: REST,
    socketEndpoint: SOCKET,
    logger
  });
  return sogni;
}

export async function pickImageModel(sogni) {
  const models = await sogni.projects.waitForModels(20000);
  const images = models.filter((m) => m.media === 'image' && m.workerCount > 0);
  for (const id of IMAGE_MODEL_PREFERENCE) {
    if (images.some((m) => m.id === id)) return id;
  }
  if (!expect('an image model with workers is available', images.length > 0, models.map((m) => m.id))) {
    throw new Error('no image model');
  }
  return images[0].id;
}

/** Render one image and return its downloaded bytes as a Buffer (input for upload flows). */
export async function renderOne(sogni, modelId, extra, kind) {
  const project = await sogni.projects.create(imageParams(modelId, { numberOfMedia: 1, ...extra }));
  const urls = await withTimeout(project.waitForCompletion(), 60000, 'source image');
  const file = await download(urls[0], 'source image');
  if (!expect(`source image is a ${kind}`, file.status === 200 && file.kind === kind, file.kind)) return null;
  return Buffer.from(file.bytes);
}

export function imageParams(modelId, extra) {
  return {
    type: 'image',
    modelId,
    positivePrompt: 'A lighthouse on a cliff at dawn, oil painting',
    negativePrompt: 'blurry',
    stylePrompt: '',
    steps: 4,
    guidance: 1,
    tokenType: 'spark',
    network: 'fast',
    ...extra
  };
}

// --- entry point ------------------------------------------------------------------------

async function main(flows) {
  if (!flows[FLOW]) {
    recordError('usage', `unknown flow ${FLOW}; known: ${Object.keys(flows).join(', ')}`);
    return;
  }
  for (const [name, value] of [['SOGNI_REST_URL', REST], ['SOGNI_SOCKET_URL', SOCKET], ['SOGNI_API_KEY', API_KEY]]) {
    if (!value) recordError('usage', `${name} is not set`);
  }
  if (errors.length) return;
  let sogni = null;
  try {
    sogni = await withTimeout(connect(), 20000, 'SogniClient.createInstance');
    await withTimeout(flows[FLOW](sogni), TIMEOUT_MS, `flow ${FLOW}`);
  } catch (error) {
    recordError('exception', error);
  } finally {
    if (sogni) {
      try {
        sogni.dispose();
      } catch (error) {
        recordError('dispose', error);
      }
    }
  }
  await sleep(200); // surface late unhandled rejections before reporting
}

/**
 * Run the flow named on the command line from `flows` (name -> async (sogni) => void), print
 * the one-line JSON summary and exit (0 only when no error was recorded).
 */
export async function runFlows(flows) {
  await main(flows);
  const summary = {
    flow: FLOW,
    ok: errors.length === 0,
    sdk: '@sogni-ai/sogni-client@5.54.0',
    node: process.version,
    durationMs: Date.now() - startedAt,
    errors,
    warnings,
    checks,
    artifacts,
    result
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  process.exit(summary.ok ? 0 : 1);
}
