// Drive the official Sogni TS SDK (@sogni-ai/sogni-client, pinned in tests/peers/node) against a
// local endpoint, one named flow per process, and print one JSON summary line on stdout.
//
// Usage: node flows.mjs <flow>
// Env:   SOGNI_REST_URL, SOGNI_SOCKET_URL, SOGNI_API_KEY (required)
//        FLOW_TIMEOUT_MS (default 90000)
//
// A flow passes only when it finishes with zero recorded errors. Errors are: a thrown exception,
// an unhandled rejection or uncaught exception anywhere in the process, an `error`-level log from
// the SDK, a failed expectation (`expect`), or the overall timeout. The summary never contains
// the API key.
//
// This is our own harness code; it uses only the SDK's public API. The shared harness (error
// capture, downloads, summary) is _harness.mjs.

import {
  REST,
  VIDEO_MODEL,
  AUDIO_MODEL_PREFERENCE,
  errors,
  result,
  describe,
  recordError,
  expect,
  withTimeout,
  sleep,
  download,
  checkDownload,
  connect,
  pickImageModel,
  renderOne,
  imageParams,
  runFlows,
} from './_harness.mjs';

// --- flows --------------------------------------------------------------------------------

// One image project across a connection loss the emulator injects mid-render: the SDK reconnects
// (`connecting` then `connected`; with `transparent`, no public `disconnected` either) and the
// project still completes with a downloadable `format` image.
async function survivesConnectionLoss(sogni, { format, how, after, transparent }) {
  const events = [];
  sogni.apiClient.on('connecting', () => events.push('connecting'));
  sogni.apiClient.on('connected', () => events.push('connected'));
  sogni.apiClient.on('disconnected', () => events.push('disconnected'));
  const modelId = await pickImageModel(sogni);
  const project = await sogni.projects.create(imageParams(modelId, { numberOfMedia: 1, steps: 12, outputFormat: format }));
  let outcome;
  try {
    outcome = await withTimeout(project.waitForCompletion(), 60000, 'waitForCompletion');
  } catch (error) {
    outcome = error;
  }
  result.connectionEvents = events;
  result.status = project.status;
  expect(`the socket ${how} and reconnected`, events.includes('connecting') && events.includes('connected'), events);
  if (transparent) {
    expect('no public disconnected event (transparent reconnect)', !events.includes('disconnected'), events);
  }
  expect(`project completed after the ${after}`, project.status === 'completed', { status: project.status, outcome: describe(outcome) });
  if (Array.isArray(outcome)) result.download = await checkDownload(outcome[0], `image after ${after}`, format);
}

const flows = {
  async connect(sogni) {
    const connected = await withTimeout(
      new Promise((resolve) => {
        if (sogni.apiClient.socket?.isConnected) resolve('already');
        sogni.apiClient.on('connected', ({ network }) => resolve(network));
      }),
      15000,
      'connected event'
    ).catch((error) => {
      expect('socket connects', false, error);
      return null;
    });
    result.connected = connected;
    expect('socket connects', connected !== null);
    // With API-key auth the username arrives on the socket `authenticated` event (and again
    // from GET /v1/account/me); allow a moment for either.
    const account = sogni.currentAccount;
    const deadline = Date.now() + 10000;
    while (!account.username && Date.now() < deadline) await sleep(50);
    result.username = account.username;
    result.network = account.network;
    expect('current account has a username', typeof account.username === 'string' && account.username.length > 0, account.username);
    const me = await sogni.account.me();
    result.me = { username: me.username, walletAddress: me.walletAddress };
    expect('account.me() returns the same username', me.username === account.username, me);
    expect('walletAddress is a 0x address', /^0x[0-9a-fA-F]{40}$/.test(me.walletAddress || ''), me.walletAddress);
  },

  async models(sogni) {
    const models = await sogni.projects.waitForModels(20000);
    result.modelCount = models.length;
    result.media = [...new Set(models.map((m) => m.media))].sort();
    expect('models list is non-empty', models.length > 0);
    expect(
      'every model has id, name, workerCount and media',
      models.every((m) => typeof m.id === 'string' && typeof m.name === 'string' && Number.isFinite(m.workerCount) && typeof m.media === 'string'),
      models.slice(0, 3)
    );
    expect('an image model is listed', models.some((m) => m.media === 'image'));
    expect('a video model is listed', models.some((m) => m.media === 'video'));
    expect('Wan 2.2 t2v is listed', models.some((m) => m.id === VIDEO_MODEL));
    const supported = await sogni.projects.getSupportedModels();
    result.supportedModelCount = supported.length;
    expect('supported models list is non-empty', supported.length > 0);
  },

  async presets(sogni) {
    const modelId = await pickImageModel(sogni);
    const presets = await sogni.projects.getSizePresets('fast', modelId);
    result.modelId = modelId;
    result.presets = presets.map((p) => `${p.id}:${p.width}x${p.height}`);
    expect('size presets non-empty', presets.length > 0);
    expect(
      'presets have id, label, width, height, ratio',
      presets.every((p) => typeof p.id === 'string' && typeof p.label === 'string' && p.width > 0 && p.height > 0 && typeof p.ratio === 'string'),
      presets.slice(0, 2)
    );
  },

  async estimate(sogni) {
    const modelId = await pickImageModel(sogni);
    const image = await sogni.projects.estimateCost({
      network: 'fast',
      tokenType: 'spark',
      model: modelId,
      imageCount: 2,
      stepCount: 4,
      previewCount: 0,
      cnEnabled: false,
      width: 1024,
      height: 1024
    });
    result.image = image;
    expect('image estimate has finite token cost', Number.isFinite(Number(image.token)), image);
    expect('image estimate has finite spark cost', Number.isFinite(Number(image.spark)), image);
    const presets = await sogni.projects.getSizePresets('fast', modelId);
    if (presets.length > 0) {
      const withPreset = await sogni.projects.estimateCost({
        network: 'fast',
        tokenType: 'spark',
        model: modelId,
        imageCount: 1,
        stepCount: 4,
        previewCount: 0,
        sizePreset: presets[0].id
      });
      result.imageWithPreset = withPreset;
      expect('preset estimate has finite token cost', Number.isFinite(Number(withPreset.token)), withPreset);
    }
    const video = await sogni.projects.estimateVideoCost({
      tokenType: 'spark',
      model: VIDEO_MODEL,
      width: 640,
      height: 640,
      duration: 2,
      fps: 16,
      steps: 4
    });
    result.video = video;
    expect('video estimate has finite token cost', Number.isFinite(Number(video.token)), video);
    const audio = await sogni.projects.estimateAudioCost({
      tokenType: 'spark',
      model: AUDIO_MODEL_PREFERENCE[0],
      duration: 30,
      steps: 8,
      numberOfMedia: 1
    });
    result.audio = audio;
    expect('audio estimate has finite token cost', Number.isFinite(Number(audio.token)), audio);
  },

  async 'image-promise'(sogni) {
    const modelId = await pickImageModel(sogni);
    const project = await sogni.projects.create(
      imageParams(modelId, { numberOfMedia: 3, outputFormat: 'jpg', sizePreset: 'custom', width: 512, height: 384, seed: 1234 })
    );
    const urls = await withTimeout(project.waitForCompletion(), 60000, 'waitForCompletion');
    result.projectId = project.id;
    result.status = project.status;
    result.jobCount = project.jobs.length;
    expect('project completed', project.status === 'completed', project.status);
    expect('three result URLs', Array.isArray(urls) && urls.length === 3, urls);
    expect('three jobs', project.jobs.length === 3, project.jobs.length);
    expect('every job completed', project.jobs.every((j) => j.status === 'completed'), project.jobs.map((j) => j.status));
    result.downloads = [];
    for (const [index, url] of (urls || []).entries()) {
      result.downloads.push(await checkDownload(url, `image ${index}`, 'jpg', { width: 512, height: 384 }));
    }
    const seeds = project.jobs.map((j) => j.seed);
    result.seeds = seeds;
    expect('the requested seed is used by one job', seeds.includes(1234), seeds);
  },

  async 'image-events'(sogni) {
    const modelId = await pickImageModel(sogni);
    const project = await sogni.projects.create(
      imageParams(modelId, { numberOfMedia: 2, outputFormat: 'png', sizePreset: 'custom', width: 448, height: 320 })
    );
    const events = { progress: [], jobStarted: 0, jobCompleted: [], jobFailed: 0, failed: null };
    const done = new Promise((resolve, reject) => {
      project.on('progress', (p) => events.progress.push(p));
      project.on('jobStarted', () => {
        events.jobStarted += 1;
      });
      project.on('jobCompleted', (job) => events.jobCompleted.push({ id: job.id, resultUrl: job.resultUrl }));
      project.on('jobFailed', (job) => {
        events.jobFailed += 1;
        recordError('jobFailed', job.error);
      });
      project.on('completed', (urls) => resolve(urls));
      project.on('failed', (error) => {
        events.failed = error;
        reject(new Error(`project failed: ${describe(error)}`));
      });
    });
    const urls = await withTimeout(done, 60000, 'completed event');
    result.projectId = project.id;
    result.progress = events.progress;
    result.jobStarted = events.jobStarted;
    expect('completed event carried two URLs', Array.isArray(urls) && urls.length === 2, urls);
    expect('two jobCompleted events', events.jobCompleted.length === 2, events.jobCompleted.length);
    expect('jobCompleted events carried result URLs', events.jobCompleted.every((j) => typeof j.resultUrl === 'string'), events.jobCompleted);
    expect('two jobStarted events', events.jobStarted === 2, events.jobStarted);
    expect('progress events were emitted', events.progress.length > 0, events.progress);
    expect('progress never decreases', events.progress.every((p, i, a) => i === 0 || p >= a[i - 1]), events.progress);
    expect('progress ends at 100', project.progress === 100, project.progress);
    result.downloads = [];
    for (const [index, job] of events.jobCompleted.entries()) {
      result.downloads.push(await checkDownload(job.resultUrl, `image ${index}`, 'png', { width: 448, height: 320 }));
    }
  },

  async cancel(sogni) {
    const modelId = await pickImageModel(sogni);
    const project = await sogni.projects.create(
      imageParams(modelId, { numberOfMedia: 2, steps: 40, outputFormat: 'png' })
    );
    let failed = null;
    project.on('failed', (error) => {
      failed = error;
    });
    // Cancel once the render has visibly started (first job started or progress reported).
    const started = new Promise((resolve) => {
      project.on('jobStarted', () => resolve('jobStarted'));
      project.on('progress', (p) => {
        if (p > 0) resolve('progress');
      });
    });
    result.startedBy = await withTimeout(started, 30000, 'render start');
    result.statusBeforeCancel = project.status;
    await withTimeout(project.cancel(), 15000, 'project.cancel()');
    await sleep(500); // let any trailing events arrive; none may be errors
    result.status = project.status;
    result.jobStatuses = project.jobs.map((j) => j.status);
    expect('project status is canceled', project.status === 'canceled', project.status);
    expect('no job completed after cancel', project.jobs.every((j) => j.status !== 'completed'), result.jobStatuses);
    expect('no failed event', failed === null, failed);
    expect('project no longer tracked', !sogni.projects.trackedProjects?.some?.((p) => p.id === project.id));
  },

  async video(sogni) {
    const models = await sogni.projects.waitForModels(20000);
    expect('Wan 2.2 t2v is available', models.some((m) => m.id === VIDEO_MODEL), models.map((m) => m.id));
    const project = await sogni.projects.create({
      type: 'video',
      modelId: VIDEO_MODEL,
      positivePrompt: 'A paper boat drifting down a rainy street',
      negativePrompt: '',
      stylePrompt: '',
      numberOfMedia: 1,
      duration: 1,
      fps: 16,
      width: 640,
      height: 480, // the SDK rejects video sides below 480
      steps: 4,
      seed: 99,
      tokenType: 'spark',
      network: 'fast'
    });
    const urls = await withTimeout(project.waitForCompletion(), 80000, 'video waitForCompletion');
    result.projectId = project.id;
    result.status = project.status;
    expect('video project completed', project.status === 'completed', project.status);
    expect('one video URL', Array.isArray(urls) && urls.length === 1, urls);
    result.download = await checkDownload(urls?.[0], 'video', 'mp4');
  },

  async audio(sogni) {
    const models = await sogni.projects.waitForModels(20000);
    const audio = models.filter((m) => m.media === 'audio');
    const modelId = AUDIO_MODEL_PREFERENCE.find((id) => audio.some((m) => m.id === id)) || audio[0]?.id;
    if (!expect('an audio model is listed', Boolean(modelId), models.map((m) => m.id))) return;
    result.modelId = modelId;
    result.downloads = [];
    for (const outputFormat of ['mp3', 'flac', 'wav']) {
      const project = await sogni.projects.create({
        type: 'audio',
        modelId,
        positivePrompt: 'Calm lo-fi piano with soft rain',
        numberOfMedia: 1,
        duration: 10,
        steps: 8,
        outputFormat,
        tokenType: 'spark',
        network: 'fast'
      });
      const urls = await withTimeout(project.waitForCompletion(), 60000, `audio ${outputFormat}`);
      expect(`${outputFormat} audio project completed`, project.status === 'completed', project.status);
      result.downloads.push(await checkDownload(urls?.[0], `audio ${outputFormat}`, outputFormat));
    }
  },

  async chat(sogni) {
    const models = await withTimeout(sogni.chat.waitForModels(20000), 25000, 'chat.waitForModels');
    const ids = Object.keys(models);
    result.llmModels = ids;
    if (!expect('an LLM model is listed', ids.length > 0)) return;
    const response = await withTimeout(
      sogni.chat.completions.create({
        model: ids[0],
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: 'Say hello to the emulator.' }
        ],
        max_tokens: 64,
        tokenType: 'spark'
      }),
      30000,
      'chat completion'
    );
    result.model = ids[0];
    result.content = response.content;
    result.finishReason = response.finishReason;
    result.usage = response.usage;
    expect('completion has content', typeof response.content === 'string' && response.content.length > 0, response);
    expect('completion has a finish reason', typeof response.finishReason === 'string', response.finishReason);
    expect('completion has a jobID', typeof response.jobID === 'string' && response.jobID.length > 0, response.jobID);
    expect('usage has token counts', response.usage && Number.isFinite(response.usage.completion_tokens), response.usage);
  },

  async 'chat-stream'(sogni) {
    const models = await withTimeout(sogni.chat.waitForModels(20000), 25000, 'chat.waitForModels');
    const ids = Object.keys(models);
    if (!expect('an LLM model is listed', ids.length > 0)) return;
    const stream = await withTimeout(
      sogni.chat.completions.create({
        model: ids[0],
        messages: [{ role: 'user', content: 'Count from one to five.' }],
        max_tokens: 64,
        stream: true,
        tokenType: 'spark'
      }),
      30000,
      'chat stream start'
    );
    let joined = '';
    let chunks = 0;
    await withTimeout(
      (async () => {
        for await (const chunk of stream) {
          chunks += 1;
          joined += chunk.content || '';
        }
      })(),
      30000,
      'chat stream'
    );
    const final = stream.finalResult;
    result.chunks = chunks;
    result.content = joined;
    result.finishReason = final?.finishReason;
    expect('more than one chunk streamed', chunks > 1, chunks);
    expect('streamed text is non-empty', joined.length > 0);
    expect('finalResult is present', final !== null && final !== undefined);
    expect('finalResult content equals the joined chunks', final?.content === joined, { final: final?.content, joined });
  },

  async 'image-preset'(sogni) {
    const modelId = await pickImageModel(sogni);
    const presets = await sogni.projects.getSizePresets('fast', modelId);
    const preset = presets.find((p) => p.width !== p.height) || presets[0];
    if (!expect('a size preset exists', Boolean(preset), presets)) return;
    result.preset = preset;
    // No outputFormat: the default is PNG.
    const project = await sogni.projects.create(
      imageParams(modelId, { numberOfMedia: 1, sizePreset: preset.id })
    );
    const urls = await withTimeout(project.waitForCompletion(), 60000, 'waitForCompletion');
    expect('project completed', project.status === 'completed', project.status);
    result.download = await checkDownload(urls?.[0], 'preset image', 'png', { width: preset.width, height: preset.height });
  },

  async determinism(sogni) {
    const modelId = await pickImageModel(sogni);
    const run = async (seed) => {
      const project = await sogni.projects.create(
        imageParams(modelId, { numberOfMedia: 1, seed, outputFormat: 'png', sizePreset: 'custom', width: 320, height: 320 })
      );
      const urls = await withTimeout(project.waitForCompletion(), 60000, `seed ${seed}`);
      const file = await download(urls[0], `seed ${seed}`);
      expect(`seed ${seed}: a PNG downloads`, file.status === 200 && file.kind === 'png', file.kind);
      return { seed: project.jobs[0]?.seed, bytes: Buffer.from(file.bytes) };
    };
    const a = await run(4242);
    const b = await run(4242);
    const c = await run(4243);
    result.seeds = [a.seed, b.seed, c.seed];
    expect('jobs report the requested seeds', a.seed === 4242 && b.seed === 4242 && c.seed === 4243, result.seeds);
    expect('same seed and prompt give identical bytes', a.bytes.equals(b.bytes));
    expect('a different seed gives different bytes', !a.bytes.equals(c.bytes));
  },

  async previews(sogni) {
    const modelId = await pickImageModel(sogni);
    const project = await sogni.projects.create(
      imageParams(modelId, { numberOfMedia: 1, steps: 12, numberOfPreviews: 3, outputFormat: 'jpg' })
    );
    const previews = new Set();
    project.on('jobStarted', (job) => {
      job.on('updated', () => {
        if (job.previewUrl) previews.add(job.previewUrl);
      });
    });
    const urls = await withTimeout(project.waitForCompletion(), 60000, 'waitForCompletion');
    const job = project.jobs[0];
    if (job?.previewUrl) previews.add(job.previewUrl);
    result.previewCount = previews.size;
    expect('at least one preview URL was set', previews.size > 0, previews.size);
    result.previews = [];
    for (const [index, url] of [...previews].entries()) {
      const file = await download(url, `preview ${index}`);
      result.previews.push({ status: file.status, kind: file.kind, length: file.length });
      expect(`preview ${index}: an image downloads`, file.status === 200 && ['jpg', 'png', 'webp'].includes(file.kind), file.kind);
    }
    result.download = await checkDownload(urls?.[0], 'final image', 'jpg');
  },

  async concurrent(sogni) {
    const modelId = await pickImageModel(sogni);
    const projects = await Promise.all(
      [1, 2, 3].map((n) =>
        sogni.projects.create(
          imageParams(modelId, { numberOfMedia: 2, positivePrompt: `Concurrent project ${n}`, outputFormat: 'jpg', sizePreset: 'custom', width: 256, height: 256 })
        )
      )
    );
    const all = await withTimeout(Promise.all(projects.map((p) => p.waitForCompletion())), 60000, 'three projects');
    const urls = all.flat();
    result.projectIds = projects.map((p) => p.id);
    expect('project ids are distinct', new Set(result.projectIds).size === 3, result.projectIds);
    expect('six result URLs', urls.length === 6, urls.length);
    expect('result URLs are distinct', new Set(urls).size === urls.length, urls);
    expect('every project completed', projects.every((p) => p.status === 'completed'), projects.map((p) => p.status));
    result.downloads = [];
    for (const [index, url] of urls.entries()) {
      result.downloads.push(await checkDownload(url, `image ${index}`, 'jpg', { width: 256, height: 256 }));
    }
  },

  async 'project-get'(sogni) {
    const modelId = await pickImageModel(sogni);
    const project = await sogni.projects.create(imageParams(modelId, { numberOfMedia: 2 }));
    await withTimeout(project.waitForCompletion(), 60000, 'waitForCompletion');
    const record = await sogni.projects.get(project.id);
    result.record = { id: record?.id, status: record?.status, imageCount: record?.imageCount, jobs: record?.completedWorkerJobs?.length };
    expect('REST record has the project id', record?.id === project.id, record?.id);
    expect('REST record status is completed', record?.status === 'completed', record?.status);
    expect('REST record has two completed worker jobs', record?.completedWorkerJobs?.length === 2, record?.completedWorkerJobs);
    const status = await sogni.projects.getStatus(project.id);
    result.status = { id: status?.id, status: status?.status, finished: status?.finished };
    expect('live lookup status is completed', status?.status === 'completed', status);
    expect('live lookup says finished', status?.finished === true, status);
  },

  async subscriptions(sogni) {
    await sogni.projects.waitForModels(20000);
    await withTimeout(sogni.setSocketEventSubscriptions({ modelAvailability: false }), 10000, 'setSocketEventSubscriptions');
    await withTimeout(sogni.setSocketEventSubscriptions({ reset: true }), 10000, 'reset subscriptions');
    expect('subscription updates were acknowledged', true);
    const models = await sogni.projects.waitForModels(20000);
    expect('models still available after re-subscribing', models.length > 0);
  },

  async img2img(sogni) {
    const modelId = await pickImageModel(sogni);
    const source = await renderOne(sogni, modelId, { outputFormat: 'png', sizePreset: 'custom', width: 512, height: 512 }, 'png');
    if (!source) return;
    const project = await sogni.projects.create(
      imageParams(modelId, { numberOfMedia: 1, startingImage: source, startingImageStrength: 0.6, outputFormat: 'jpg', sizePreset: 'custom', width: 512, height: 512 })
    );
    const urls = await withTimeout(project.waitForCompletion(), 60000, 'img2img waitForCompletion');
    expect('img2img project completed', project.status === 'completed', project.status);
    result.download = await checkDownload(urls?.[0], 'img2img result', 'jpg', { width: 512, height: 512 });
  },

  async 'image-edit'(sogni) {
    const models = await sogni.projects.waitForModels(20000);
    const editModel = ['qwen_image_edit_2511_fp8_lightning', 'qwen_image_edit_2511_fp8'].find((id) => models.some((m) => m.id === id));
    if (!expect('a Qwen image-edit model is listed', Boolean(editModel), models.map((m) => m.id))) return;
    const baseModel = await pickImageModel(sogni);
    const source = await renderOne(sogni, baseModel, { outputFormat: 'jpg', sizePreset: 'custom', width: 512, height: 512 }, 'jpg');
    if (!source) return;
    const project = await sogni.projects.create({
      type: 'image',
      modelId: editModel,
      positivePrompt: 'Make the sky purple',
      numberOfMedia: 1,
      steps: 4,
      guidance: 1,
      contextImages: [source],
      outputFormat: 'png',
      sizePreset: 'custom',
      width: 512,
      height: 512,
      tokenType: 'spark',
      network: 'fast'
    });
    const urls = await withTimeout(project.waitForCompletion(), 60000, 'edit waitForCompletion');
    result.modelId = editModel;
    expect('edit project completed', project.status === 'completed', project.status);
    result.download = await checkDownload(urls?.[0], 'edited image', 'png', { width: 512, height: 512 });
  },

  async 'video-i2v'(sogni) {
    const models = await sogni.projects.waitForModels(20000);
    const i2v = 'wan_v2.2-14b-fp8_i2v_lightx2v';
    if (!expect('Wan 2.2 i2v is listed', models.some((m) => m.id === i2v), models.map((m) => m.id))) return;
    const baseModel = await pickImageModel(sogni);
    const frame = await renderOne(sogni, baseModel, { outputFormat: 'jpg', sizePreset: 'custom', width: 640, height: 480 }, 'jpg');
    if (!frame) return;
    const project = await sogni.projects.create({
      type: 'video',
      modelId: i2v,
      positivePrompt: 'The lighthouse beam sweeps across the sea',
      numberOfMedia: 1,
      referenceImage: frame,
      duration: 1,
      fps: 16,
      width: 640,
      height: 480,
      steps: 4,
      tokenType: 'spark',
      network: 'fast'
    });
    const urls = await withTimeout(project.waitForCompletion(), 80000, 'i2v waitForCompletion');
    expect('i2v project completed', project.status === 'completed', project.status);
    result.download = await checkDownload(urls?.[0], 'i2v video', 'mp4');
  },

  async 'chat-tools'(sogni) {
    const models = await withTimeout(sogni.chat.waitForModels(20000), 25000, 'chat.waitForModels');
    const ids = Object.keys(models);
    if (!expect('an LLM model is listed', ids.length > 0)) return;
    const tools = [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Current weather for a city',
          parameters: {
            type: 'object',
            properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
            required: ['city']
          }
        }
      }
    ];
    const messages = [{ role: 'user', content: 'Use get_weather: what is the weather in Austin?' }];
    const first = await withTimeout(
      sogni.chat.completions.create({ model: ids[0], messages, tools, tool_choice: 'required', max_tokens: 128, tokenType: 'spark' }),
      30000,
      'tool-call completion'
    );
    const calls = first.tool_calls || [];
    result.finishReason = first.finishReason;
    result.toolCalls = calls;
    expect('finishReason is tool_calls', first.finishReason === 'tool_calls', first.finishReason);
    expect('one get_weather call', calls.length === 1 && calls[0]?.function?.name === 'get_weather', calls);
    let args = null;
    try {
      args = JSON.parse(calls[0]?.function?.arguments ?? 'null');
    } catch (error) {
      expect('tool arguments are JSON', false, error);
    }
    expect('tool arguments include the required city', args && typeof args.city === 'string', args);
    if (!calls.length) return;
    const followUp = await withTimeout(
      sogni.chat.completions.create({
        model: ids[0],
        messages: [
          ...messages,
          { role: 'assistant', content: null, tool_calls: calls },
          { role: 'tool', tool_call_id: calls[0].id, content: JSON.stringify({ tempC: 31, sky: 'clear' }) }
        ],
        tools,
        max_tokens: 128,
        tokenType: 'spark'
      }),
      30000,
      'tool-result completion'
    );
    result.followUp = { content: followUp.content, finishReason: followUp.finishReason };
    expect('follow-up answers in text', typeof followUp.content === 'string' && followUp.content.length > 0, followUp);
    expect('follow-up finishes with stop', followUp.finishReason === 'stop', followUp.finishReason);
  },

  async 'recover-new-client'(sogni) {
    // README "Resuming projects after a refresh or reconnect": the server hands projects back
    // to the appId that created them. Client A starts a slow render and goes away; client B,
    // same appId, must recover it (active or completed) and end with a downloadable result.
    const appId = `sogni-core-peer-ts-recover-${process.pid}`;
    const first = await withTimeout(connect(appId), 20000, 'client A');
    const modelId = await pickImageModel(first);
    const project = await first.projects.create(imageParams(modelId, { numberOfMedia: 1, steps: 30, outputFormat: 'png' }));
    const projectId = project.id;
    await withTimeout(new Promise((resolve) => project.on('jobStarted', resolve)), 30000, 'render start');
    first.dispose();
    await sleep(300);
    const second = await withTimeout(connect(appId), 20000, 'client B');
    try {
      const recovered = await withTimeout(
        new Promise((resolve) => {
          second.projects.on('activeProjectsRecovered', (list) => {
            if (list.some((p) => p.id === projectId)) resolve('active');
          });
          second.projects.on('completedProjectsRecovered', (list) => {
            if (list.some((p) => p.id === projectId)) resolve('completed');
          });
        }),
        20000,
        'recovery event for the project'
      );
      result.recoveredAs = recovered;
      const tracked = second.projects.trackedProjects.find((p) => p.id === projectId);
      expect('the recovered project is tracked', Boolean(tracked));
      if (!tracked) return;
      expect('project.recovered is true', tracked.recovered === true, tracked.recovered);
      const urls = await withTimeout(tracked.waitForCompletion(), 60000, 'recovered waitForCompletion');
      result.status = tracked.status;
      expect('recovered project completed', tracked.status === 'completed', tracked.status);
      result.download = await checkDownload(urls?.[0], 'recovered image', 'png');
    } finally {
      second.dispose();
    }
  },

  async 'projects-elsewhere'(sogni) {
    // README: listProjectsElsewhere() returns in-flight projects of the same account rendering
    // under another app instance.
    const other = await withTimeout(connect(`sogni-core-peer-ts-elsewhere-${process.pid}`), 20000, 'second app');
    try {
      const modelId = await pickImageModel(other);
      const project = await other.projects.create(imageParams(modelId, { numberOfMedia: 1, steps: 30 }));
      await withTimeout(new Promise((resolve) => project.on('jobStarted', resolve)), 30000, 'render start');
      const elsewhere = await sogni.projects.listProjectsElsewhere();
      result.elsewhere = elsewhere.map((p) => ({ id: p.id, status: p.status }));
      expect('the other app instance\'s project is listed', elsewhere.some((p) => p.id === project.id), result.elsewhere);
      await withTimeout(project.waitForCompletion(), 60000, 'other project completes');
    } finally {
      other.dispose();
    }
  },

  async 'hosted-chat'(sogni) {
    const models = await withTimeout(sogni.chat.waitForModels(20000), 25000, 'chat.waitForModels');
    const ids = Object.keys(models);
    if (!expect('an LLM model is listed', ids.length > 0)) return;
    const messages = [{ role: 'user', content: 'Name three colours.' }];
    const estimate = await sogni.chat.estimateCost({ model: ids[0], messages, max_tokens: 64, tokenType: 'spark' });
    result.estimate = estimate;
    expect('LLM estimate has a finite token cost', Number.isFinite(Number(estimate.costInToken)), estimate);
    const response = await withTimeout(
      sogni.chat.hosted.create({ model: ids[0], messages, max_tokens: 64 }),
      30000,
      'hosted chat completion'
    );
    const choice = response?.choices?.[0];
    result.response = { id: response?.id, object: response?.object, finish: choice?.finish_reason, content: choice?.message?.content };
    expect('object is chat.completion', response?.object === 'chat.completion', response?.object);
    expect('response has an id', typeof response?.id === 'string' && response.id.length > 0, response?.id);
    expect('first choice has assistant text', choice?.message?.role === 'assistant' && typeof choice?.message?.content === 'string' && choice.message.content.length > 0, choice);
    expect('first choice has a finish_reason', typeof choice?.finish_reason === 'string', choice?.finish_reason);
  },

  async account(sogni) {
    const me = await sogni.account.me();
    const status = await sogni.account.getSubscriptionStatus();
    result.subscription = { active: status?.active, status: status?.status };
    expect('subscription status has active and status', typeof status?.active === 'boolean' && typeof status?.status === 'string', status);
    const usage = await sogni.account.getSubscriptionUsage();
    result.usageKeys = usage ? Object.keys(usage).sort() : null;
    expect('subscription usage is an object', usage && typeof usage === 'object', usage);
    const plans = await sogni.account.getSubscriptionPlans();
    result.planCount = Array.isArray(plans) ? plans.length : null;
    expect('subscription plans is an array', Array.isArray(plans), plans);
    const rewards = await sogni.account.rewards();
    result.rewardCount = Array.isArray(rewards) ? rewards.length : null;
    expect('rewards is an array', Array.isArray(rewards), rewards);
    const history = await sogni.account.transactionHistory({ status: 'completed', address: me.walletAddress, limit: 10 });
    result.transactions = Array.isArray(history?.entries) ? history.entries.length : null;
    expect('transaction history has entries[]', Array.isArray(history?.entries), history);
  },

  async catalog(sogni) {
    await sogni.projects.waitForModels(20000);
    const fast = await sogni.projects.getAvailableModels('fast');
    result.fastModels = fast.length;
    expect('getAvailableModels("fast") is non-empty', fast.length > 0, fast.slice(0, 3));
    expect('fast models have id and workerCount', fast.every((m) => typeof m.id === 'string' && Number.isFinite(m.workerCount)), fast.slice(0, 3));
    const options = await sogni.projects.getModelOptions(VIDEO_MODEL);
    result.videoOptionKeys = options ? Object.keys(options).sort() : null;
    expect('getModelOptions returns an object', options && typeof options === 'object', options);
    const loras = await sogni.projects.availableLoras();
    result.loras = { count: loras?.loras?.length, models: loras?.models?.length };
    expect('LoRA catalog has loras[] and models[]', Array.isArray(loras?.loras) && Array.isArray(loras?.models), loras);
  },

  async billing(sogni) {
    // Spending Spark on a render lowers the Spark balance (REST), and the socket's
    // balanceUpdate keeps currentAccount.balance in step.
    const modelId = await pickImageModel(sogni);
    const before = await sogni.account.refreshBalance();
    const quote = await sogni.projects.estimateCost({
      network: 'fast', tokenType: 'spark', model: modelId, imageCount: 2, stepCount: 4, previewCount: 0, cnEnabled: false, width: 512, height: 512
    });
    const project = await sogni.projects.create(imageParams(modelId, { numberOfMedia: 2, sizePreset: 'custom', width: 512, height: 512 }));
    await withTimeout(project.waitForCompletion(), 60000, 'waitForCompletion');
    await sleep(300);
    const pushed = Number(sogni.currentAccount.balance?.spark?.net);
    const after = await sogni.account.refreshBalance();
    const spent = Number(before.spark.net) - Number(after.spark.net);
    result.balance = { before: before.spark.net, after: after.spark.net, pushedBeforeRefresh: pushed, spent, quotedSpark: quote.spark };
    expect('Spark balance went down', spent > 0, result.balance);
    expect('SOGNI balance unchanged by a Spark render', before.sogni.net === after.sogni.net, { before: before.sogni, after: after.sogni });
    expect('balanceUpdate pushed the new Spark balance before the REST refresh', Math.abs(pushed - Number(after.spark.net)) < 1e-9, result.balance);
  },

  async 'switch-network'(sogni) {
    // changeNetwork to relaxed, render there with a relaxed-only model, and switch back.
    await sogni.projects.waitForModels(20000);
    const switched = await withTimeout(sogni.account.switchNetwork('relaxed'), 15000, 'switchNetwork relaxed');
    result.switched = switched;
    expect('switchNetwork resolves to relaxed', switched === 'relaxed', switched);
    expect('currentAccount.network is relaxed', sogni.currentAccount.network === 'relaxed', sogni.currentAccount.network);
    const relaxed = await sogni.projects.getAvailableModels('relaxed');
    const coreml = relaxed.find((m) => m.id.startsWith('coreml-') && m.workerCount > 0);
    if (!expect('a CoreML model has relaxed workers', Boolean(coreml), relaxed.map((m) => `${m.id}:${m.workerCount}`))) return;
    const project = await sogni.projects.create(
      imageParams(coreml.id, { numberOfMedia: 1, steps: 8, guidance: 7, network: 'relaxed', outputFormat: 'jpg', sizePreset: 'custom', width: 512, height: 512 })
    );
    const urls = await withTimeout(project.waitForCompletion(), 60000, 'relaxed render');
    expect('relaxed project completed', project.status === 'completed', project.status);
    result.download = await checkDownload(urls?.[0], 'relaxed image', 'jpg', { width: 512, height: 512 });
    const back = await withTimeout(sogni.account.switchNetwork('fast'), 15000, 'switchNetwork fast');
    expect('switchNetwork back resolves to fast', back === 'fast', back);
  },

  // --- flows for an emulator started with a fault (see FAULT_FLOWS in _harness.py) ---------

  async 'job-failure'(sogni) {
    // Emulator: --faults worker-error=50 (the worker fails the job at 50 %).
    const modelId = await pickImageModel(sogni);
    const project = await sogni.projects.create(imageParams(modelId, { numberOfMedia: 1, steps: 8 }));
    const seen = { failed: null, jobFailed: null };
    project.on('failed', (error) => {
      seen.failed = error;
    });
    project.on('jobFailed', (job) => {
      seen.jobFailed = job.error;
    });
    let rejection = null;
    try {
      await withTimeout(project.waitForCompletion(), 60000, 'waitForCompletion');
    } catch (error) {
      rejection = error;
    }
    await sleep(200);
    result.status = project.status;
    result.failed = seen.failed;
    result.jobFailed = seen.jobFailed;
    result.rejection = rejection ? describe(rejection).split('\n')[0] : null;
    expect('waitForCompletion rejected', rejection !== null);
    expect('project status is failed', project.status === 'failed', project.status);
    expect('failed event carried an error', seen.failed && typeof seen.failed.message === 'string', seen.failed);
    expect('jobFailed event carried an error', seen.jobFailed && typeof seen.jobFailed.message === 'string', seen.jobFailed);
  },

  async nsfw(sogni) {
    // Emulator: --faults nsfw (every result trips the safety filter).
    const modelId = await pickImageModel(sogni);
    const project = await sogni.projects.create(imageParams(modelId, { numberOfMedia: 1 }));
    const urls = await withTimeout(project.waitForCompletion(), 60000, 'waitForCompletion');
    const job = project.jobs[0];
    result.urls = urls;
    result.status = project.status;
    result.job = { status: job?.status, isNSFW: job?.isNSFW, resultUrl: job?.resultUrl, hasResultMedia: job?.hasResultMedia };
    expect('project completed', project.status === 'completed', project.status);
    expect('job is flagged NSFW', job?.isNSFW === true, result.job);
    expect('job has no result URL', job?.resultUrl === null || job?.resultUrl === undefined, job?.resultUrl);
    expect('job has no result media', job?.hasResultMedia === false, result.job);
  },

  async 'drop-reconnect'(sogni) {
    // Emulator: --faults drop-at-progress=30 (TCP abort of the owner's socket mid-render).
    await survivesConnectionLoss(sogni, { format: 'jpg', how: 'dropped', after: 'reconnect', transparent: true });
  },

  async 'restart-recovery'(sogni) {
    // Emulator: --faults restart-at-progress=40 (close 1012, projects handed back on reconnect).
    await survivesConnectionLoss(sogni, { format: 'png', how: 'closed', after: 'restart', transparent: false });
  },

  async balance(sogni) {
    const balance = await sogni.account.refreshBalance();
    result.balance = balance;
    for (const token of ['sogni', 'spark']) {
      expect(`${token} balance has a numeric net`, balance?.[token] && Number.isFinite(Number(balance[token].net)), balance?.[token]);
      expect(`${token} balance has a numeric settled`, balance?.[token] && Number.isFinite(Number(balance[token].settled)), balance?.[token]);
    }
    expect('currentAccount.balance updated', sogni.currentAccount.balance?.spark?.net === balance?.spark?.net, sogni.currentAccount.balance);
  }
};

await runFlows(flows);
