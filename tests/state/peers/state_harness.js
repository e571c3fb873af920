// Runs reference (official TS SDK 5.54.0 dist) implementations on a JSON batch from stdin.
// argv[2] = path of the installed @sogni-ai/sogni-client package.
'use strict';
const path = require('path');
const pkg = process.argv[2];
const dist = (p) => require(path.join(pkg, 'dist', p));
const subs = dist('ApiClient/WebSocketClient/eventSubscriptions.js');
const ChatStream = dist('Chat/ChatStream.js').default;
const Job = dist('Projects/Job.js').default;
const ProjectsApi = dist('Projects/index.js').default;

const batch = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = {};

out.normalize = batch.normalize.map((input) => {
  const u = subs.normalizeSocketEventSubscriptionUpdate(input);
  return JSON.stringify(u);
});
out.serialize = batch.serialize.map((m) => subs.serializeSocketEventSubscriptions(m) ?? null);

out.chat = batch.chat.map(({ chunks, result }) => {
  const s = new ChatStream('J');
  for (const c of chunks) s._pushChunk(c);
  s._complete(result.timeTaken, result.usage);
  const r = s.finalResult;
  return {
    content: r.content,
    role: r.role,
    finishReason: r.finishReason,
    usage: r.usage,
    tool_calls: r.tool_calls ?? [],
  };
});

out.progress = batch.progress.map((d) => {
  const job = new Job(
    { id: 'J', projectId: 'P', ...d },
    { api: {}, logger: {}, project: { params: {} } }
  );
  job._stopRuntimeTimeout();
  return job.progress;
});

out.errors = batch.errors.map((data) => {
  let captured = null;
  const fake = {
    _unadmittedRequests: new Map(),
    _resubmitAfterReconnect: () => false,
    emit: (_type, event) => {
      captured = event.error;
    },
  };
  ProjectsApi.prototype.handleJobError.call(fake, { jobID: 'P', ...data });
  return captured;
});

process.stdout.write(JSON.stringify(out));
