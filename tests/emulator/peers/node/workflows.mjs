// Durable creative workflows, templates, hosted chat and chat runs with the official Sogni TS SDK
// (@sogni-ai/sogni-client, pinned in tests/peers/node) against the emulator; one named flow per
// process, one JSON summary line on stdout. Same reporting rules and helpers as flows.mjs (both
// use _harness.mjs, which says what counts as an error).
//
// Usage: node workflows.mjs <flow>
// Env:   SOGNI_REST_URL, SOGNI_SOCKET_URL, SOGNI_API_KEY (required)
//        FLOW_TIMEOUT_MS (default 90000)
//
// This is our own harness code; it uses only the SDK's public API.

import {
  warnings,
  artifacts,
  result,
  describe,
  expect,
  withTimeout,
  sleep,
  checkDownload,
  runFlows,
} from './_harness.mjs';

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

await runFlows(flows);
