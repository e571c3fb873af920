// Durable creative workflows, templates, hosted chat and chat runs with the official Sogni TS SDK
// (@sogni-ai/sogni-client, pinned in tests/peers/node) against the emulator; one named flow per
// process, one JSON summary line on stdout. Same reporting rules as flows.mjs (whose harness
// code is repeated here so that file stays untouched).
//
// Usage: node workflows.mjs <flow>
// Env:   SOGNI_REST_URL, SOGNI_SOCKET_URL, SOGNI_API_KEY (required)
//        FLOW_TIMEOUT_MS (default 90000)
//
// A flow passes only when it finishes with zero recorded errors. Errors are: a thrown exception,
// an unhandled rejection or uncaught exception anywhere in the process, an `error`-level log from
// the SDK, a failed expectation (`expect`), or the overall timeout. The summary never contains
// the API key.
//
// This is our own harness code; it uses only the SDK's public API.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

// The SDK's ESM build from the shared peer install (tests/_peers.py installs tests/peers/node).
const { SogniClient } = await import(
  new URL('../../../peers/node/node_modules/@sogni-ai/sogni-client/dist-esm/index.js', import.meta.url)
    .href
);

const FLOW = process.argv[2];
const REST = process.env.SOGNI_REST_URL;
const SOCKET = process.env.SOGNI_SOCKET_URL;
const API_KEY = process.env.SOGNI_API_KEY;
const TIMEOUT_MS = Number(process.env.FLOW_TIMEOUT_MS || 90000);
const ARTIFACT_DIR = process.env.FLOW_ARTIFACT_DIR || '';

const IMAGE_MODEL_PREFERENCE = ['flux1-schnell-fp8', 'z_image_turbo_bf16'];
const VIDEO_MODEL = 'wan_v2.2-14b-fp8_t2v_lightx2v';
const AUDIO_MODEL_PREFERENCE = ['ace_step_1.5_xl_turbo'];

const errors = [];
const warnings = [];
const checks = [];
const artifacts = [];
const result = {};
const startedAt = Date.now();

function redact(text) {
  const s = String(text);
  return API_KEY ? s.split(API_KEY).join('<api-key>') : s;
}

function describe(value) {
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

function recordError(kind, value) {
  errors.push({ kind, message: describe(value).slice(0, 4000) });
}

process.on('unhandledRejection', (reason) => recordError('unhandledRejection', reason));
process.on('uncaughtException', (error) => recordError('uncaughtException', error));

const logger = {
  error: (...args) => recordError('sdk-error-log', args.map(describe).join(' ')),
  warn: (...args) => warnings.push(args.map(describe).join(' ').slice(0, 2000)),
  info: () => {},
  debug: () => {}
};

/** Record a named expectation; a false one is an error. */
function expect(name, ok, detail) {
  checks.push({ name, ok: Boolean(ok) });
  if (!ok) {
    recordError('expectation', `${name}${detail === undefined ? '' : `: ${describe(detail)}`}`);
  }
  return Boolean(ok);
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// --- media checks -------------------------------------------------------------------------

const MIME_BY_KIND = {
  png: 'image/png',
  jpg: 'image/jpeg',
  webp: 'image/webp',
  mp4: 'video/mp4',
  mp3: 'audio/mpeg',
  flac: 'audio/flac',
  wav: 'audio/wav',
  m4a: 'audio/mp4'
};

function sniff(bytes) {
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
function imageSize(bytes, kind) {
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
function mp4Boxes(bytes) {
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
function saveArtifact(label, kind, bytes) {
  if (!ARTIFACT_DIR) return;
  const name = `${String(artifacts.length).padStart(2, '0')}-${label.replace(/[^a-zA-Z0-9]+/g, '-')}.${kind}`;
  writeFileSync(join(ARTIFACT_DIR, name), bytes);
  artifacts.push({ label, kind, file: name });
}

async function download(url, label) {
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

async function checkDownload(url, label, expectedKind, size) {
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

async function connect(appId = `sogni-core-peer-ts-${FLOW}-${process.pid}`) {
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

async function pickImageModel(sogni) {
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
async function renderOne(sogni, modelId, extra, kind) {
  const project = await sogni.projects.create(imageParams(modelId, { numberOfMedia: 1, ...extra }));
  const urls = await withTimeout(project.waitForCompletion(), 60000, 'source image');
  const file = await download(urls[0], 'source image');
  if (!expect(`source image is a ${kind}`, file.status === 200 && file.kind === kind, file.kind)) return null;
  return Buffer.from(file.bytes);
}

function imageParams(modelId, extra) {
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

// --- workflow flows -----------------------------------------------------------------------

const PLAN = {
  title: 'Keyframe to clip',
  steps: [
    { id: 'keyframe', toolName: 'generate_image', arguments: { prompt: 'a lighthouse at dusk', width: 96, height: 64 } },
    {
      id: 'clip',
      toolName: 'generate_video',
      arguments: { prompt: 'waves against the rocks', duration: 1, width: 96, height: 64 },
      dependsOn: [
        { sourceStepId: 'keyframe', sourceArtifactIndex: 0, targetArgument: 'referenceImageIndices', mediaType: 'image', transform: 'image_index', required: true }
      ]
    }
  ]
};

async function collect(iterator, limit = 1000) {
  const frames = [];
  for await (const frame of iterator) {
    frames.push(frame);
    if (frames.length >= limit) break;
  }
  return frames;
}

function sequences(frames) {
  return frames.map((f) => Number(f.id));
}

function gapless(seqs) {
  return seqs.every((s, i) => s === i + 1);
}

async function llmModel(sogni) {
  const models = await withTimeout(sogni.chat.waitForModels(20000), 25000, 'chat.waitForModels');
  return Object.keys(models)[0];
}

const flows = {
  async 'wf-hosted-chat'(sogni) {
    const model = await llmModel(sogni);
    const response = await withTimeout(
      sogni.chat.hosted.create({
        model,
        messages: [{ role: 'user', content: 'please generate_image of a red fox' }],
        sogni_tools: true,
        sogni_tool_execution: true,
        tokenType: 'spark'
      }),
      30000,
      'hosted completion with tool execution'
    );
    const ref = response?.creative_workflows?.[0];
    result.completion = { object: response?.object, finish: response?.choices?.[0]?.finish_reason, workflow: ref?.workflowId };
    expect('object is chat.completion', response?.object === 'chat.completion', response?.object);
    expect('a creative workflow was started for the tool', typeof ref?.workflowId === 'string', response);
    expect('tool result names generate_image', response?.sogni_tool_results?.[0]?.tool === 'generate_image', response?.sogni_tool_results);
    const frames = await withTimeout(collect(sogni.workflows.streamEvents(ref.workflowId)), 30000, 'stream tool workflow');
    expect('the tool workflow completed', frames.at(-1)?.data?.status === 'completed', frames.at(-1));
    const record = await sogni.workflows.get(ref.workflowId);
    await checkDownload(record.artifacts?.[0]?.url, 'hosted tool image', 'png', { width: 256, height: 256 });
    const tool = await sogni.chat.hosted.executeTool({ tool: 'enhance_prompt', arguments: { prompt: 'a red fox' } });
    result.tool = tool?.data;
    expect('executeTool returns the success envelope', tool?.status === 'success' && tool?.data?.tool === 'enhance_prompt', tool);
    expect('enhanced prompt keeps the idea', String(tool?.data?.result?.prompt || '').startsWith('a red fox'), tool?.data);
  },

  async 'wf-start-stream'(sogni) {
    const started = await sogni.workflows.start({ input: PLAN, tokenType: 'spark', idempotencyKey: `idem-${process.pid}` });
    expect('start returns a workflow id', typeof started?.workflowId === 'string', started);
    const again = await sogni.workflows.start({ input: PLAN, tokenType: 'spark', idempotencyKey: `idem-${process.pid}` });
    expect('same idempotency key, same workflow', again?.workflowId === started.workflowId, again);
    const frames = await withTimeout(collect(sogni.workflows.streamEvents(started.workflowId)), 60000, 'streamEvents');
    const seqs = sequences(frames);
    result.events = frames.map((f) => f.event);
    expect('events arrive gapless from 1', seqs.length > 0 && gapless(seqs), seqs);
    expect('the stream stops at workflow_completed', frames.at(-1)?.event === 'workflow_completed' && frames.at(-1)?.data?.status === 'completed', frames.at(-1));
    const record = await sogni.workflows.get(started.workflowId);
    expect('record is completed with two artifacts', record?.status === 'completed' && record?.artifacts?.length === 2, record?.status);
    const image = record.artifacts.find((a) => a.mediaType === 'image');
    const video = record.artifacts.find((a) => a.mediaType === 'video');
    await checkDownload(image?.url, 'keyframe', 'png', { width: 96, height: 64 });
    await checkDownload(video?.url, 'clip', 'mp4');
    const events = await sogni.workflows.events(started.workflowId);
    expect('events() matches the stream', JSON.stringify(events.map((e) => e.sequence)) === JSON.stringify(seqs), events.length);
    const tail = await collect(sogni.workflows.streamEvents(started.workflowId, { lastEventId: 4 }));
    expect('lastEventId replays only later events', JSON.stringify(sequences(tail)) === JSON.stringify(seqs.slice(4)), sequences(tail));
    const listed = await sogni.workflows.list({ limit: 5 });
    expect('list() includes the workflow', listed.some((w) => w.workflowId === started.workflowId), listed.length);
    const reseed = await sogni.workflows.reseed(started.workflowId, { seedOverrides: { keyframe: 7 } });
    expect('reseed clones the run', reseed?.reseed?.clonedFromRunId === started.workflowId && reseed.workflow.workflowId !== started.workflowId, reseed?.reseed);
    await collect(sogni.workflows.streamEvents(reseed.workflow.workflowId));
    const clone = await sogni.workflows.get(reseed.workflow.workflowId);
    expect('the clone completed with the seed override', clone.status === 'completed' && clone.steps[0].seed === 7, clone.steps?.[0]);
    // templates
    const page = await sogni.workflows.templates.list({ visibility: 'public' });
    expect('the system template is listed', page.templates.some((t) => t.id === 'tpl_keyframe_clip'), page);
    const mine = await sogni.workflows.templates.create({ name: 'Mine', steps: PLAN.steps.slice(0, 1) });
    expect('create returns a private template', mine.visibility === 'private' && typeof mine.id === 'string', mine);
    const patched = await sogni.workflows.templates.update(mine.id, { description: 'patched' });
    expect('update patches', patched.description === 'patched', patched);
    const fork = await sogni.workflows.templates.fork('tpl_keyframe_clip', { newName: 'Forked' });
    expect('fork copies under a new id', fork.name === 'Forked' && fork.id !== 'tpl_keyframe_clip', fork);
    const fromTemplate = await sogni.workflows.start({ workflowId: mine.id });
    await collect(sogni.workflows.streamEvents(fromTemplate.workflowId));
    const templated = await sogni.workflows.get(fromTemplate.workflowId);
    expect('a template run completes', templated.status === 'completed', templated.status);
    await sogni.workflows.templates.delete(mine.id);
    let gone = false;
    try {
      await sogni.workflows.templates.get(mine.id);
    } catch (error) {
      gone = error?.status === 404;
    }
    expect('a deleted template is 404', gone);
  },

  async 'wf-cancel'(sogni) {
    const started = await sogni.workflows.start({ input: PLAN });
    const cancelled = await sogni.workflows.cancel(started.workflowId);
    expect('cancel returns the cancelled record', cancelled?.status === 'cancelled', cancelled?.status);
    const frames = await withTimeout(collect(sogni.workflows.streamEvents(started.workflowId)), 20000, 'stream after cancel');
    expect('the stream ends at cancelled', frames.at(-1)?.data?.status === 'cancelled', frames.at(-1));
    const record = await sogni.workflows.get(started.workflowId);
    expect('get() says cancelled', record.status === 'cancelled', record.status);
    expect('no artifact after cancel', (record.artifacts || []).length <= 1, record.artifacts);
  },

  async 'wf-resume-drop'(sogni) {
    // The SDK does not reconnect by itself; the emulator drops every stream after 3 events and
    // the caller resumes with lastEventId: the union must be gapless with no duplicates.
    const started = await sogni.workflows.start({ input: PLAN });
    const seen = [];
    let last;
    for (let attempt = 0; attempt < 20; attempt += 1) {
      try {
        // Frames are kept as they arrive: a drop may throw after some were yielded.
        for await (const frame of sogni.workflows.streamEvents(started.workflowId, last === undefined ? {} : { lastEventId: last })) {
          seen.push(frame);
        }
      } catch (error) {
        // a dropped connection surfaces as a fetch/body error; resume below
        warnings.push(`drop: ${describe(error).slice(0, 200)}`);
      }
      if (seen.length) last = seen.at(-1).id;
      if (seen.at(-1)?.data?.status === 'completed') break;
    }
    const seqs = sequences(seen);
    result.sequences = seqs;
    expect('resumed streams are gapless without duplicates', gapless(seqs), seqs);
    expect('it took more than one connection', seqs.length > 3, seqs.length);
    expect('the last frame is completed', seen.at(-1)?.data?.status === 'completed', seen.at(-1));
  },

  async 'wf-chat-run'(sogni) {
    const run = await sogni.chat.runs.create({ messages: [{ role: 'user', content: 'hello there' }], tokenType: 'spark' });
    expect('create returns a run id', typeof run?.runId === 'string', run);
    const events = await withTimeout(collect(sogni.chat.runs.streamEvents(run.runId)), 30000, 'chat run stream');
    const types = events.map((e) => e.type);
    result.types = types;
    expect('run events are in sequence', events.every((e, i) => e.sequence === i + 1), events.map((e) => e.sequence));
    expect('the run completed', types.at(-1) === 'run_completed', types);
    const record = await sogni.chat.runs.get(run.runId);
    expect('final response has content', record.status === 'completed' && typeof record.finalResponse?.content === 'string', record.finalResponse);
    const paid = await sogni.chat.runs.create({
      messages: [{ role: 'user', content: 'generate_image of a boat' }],
      runtimeConfig: { requireJobConfirmation: true }
    });
    let waiting = null;
    for (let i = 0; i < 100 && !waiting; i += 1) {
      const current = await sogni.chat.runs.get(paid.runId);
      if (current.status === 'waiting_for_user') waiting = current;
      else await sleep(50);
    }
    expect('the paid tool pauses for cost approval', waiting?.waiting?.reason === 'cost_approval_required', waiting);
    const details = waiting?.waiting?.details || {};
    await sogni.chat.runs.confirmCost(paid.runId, { toolCallId: details.toolCallId, decision: 'confirm', acceptedCostPreview: details.acceptedCostPreview });
    const rest = await collect(sogni.chat.runs.streamEvents(paid.runId));
    expect('the confirmed run completes', rest.at(-1)?.type === 'run_completed', rest.map((e) => e.type));
    const done = await sogni.chat.runs.get(paid.runId);
    await checkDownload(done.mediaContext?.images?.[0], 'chat run image', 'png', { width: 256, height: 256 });
  }
};

async function main() {
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

await main();
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
