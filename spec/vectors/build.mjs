// Recompute the `frame` of every vector in frames.json the way a JavaScript peer builds it:
// JSON.stringify({type, data: base64(UTF-8(JSON.stringify(payload)))}) (shared/protocol/01 §2.1).
//   node spec/vectors/build.mjs          rewrite frames.json
//   node spec/vectors/build.mjs --check  exit 1 if any stored frame differs
import fs from 'node:fs';

const path = new URL('./frames.json', import.meta.url);
const doc = JSON.parse(fs.readFileSync(path, 'utf8'));
const check = process.argv.includes('--check');
let stale = 0;
for (const vector of doc.vectors) {
  const data = Buffer.from(JSON.stringify(vector.payload), 'utf8').toString('base64');
  const frame = JSON.stringify({ type: vector.type, data });
  if (vector.frame !== frame) {
    stale += 1;
    if (check) console.error(`stale frame: ${vector.name}`);
    vector.frame = frame;
  }
}
if (check) {
  process.exit(stale ? 1 : 0);
}
fs.writeFileSync(path, JSON.stringify(doc, null, 2) + '\n');
console.log(`${doc.vectors.length} vectors, ${stale} frames updated`);
