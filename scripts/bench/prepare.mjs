// Benchmark set-up against a running server: N citizens with open sessions, as a wrk Lua
// table (cookie + url-encoded answer form each) and one citizen's cookie for page loads.
// usage: node prepare.mjs PORT APIKEY DB N OUTDIR
// Sixteen citizens are made at a time (enrolled through the API, link opened, form read).
import fs from 'node:fs';
import path from 'node:path';

import { readyCitizen } from '../../tests/http/answers.mjs';
import { Server } from '../../tests/http/harness.mjs';

const [port, key, db, n, out] = process.argv.slice(2);
const s = new Server(path.dirname(db));
s.port = Number(port);
s.key = key;
s.db = db;
const total = Number(n);
const lines = new Array(total);
let first;
let next = 0;
async function worker() {
  while (next < total) {
    const i = next++;
    const c = await readyCitizen(s);
    const cookie = [...c.browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const body = new URLSearchParams(c.fields).toString();
    lines[i] = `  {${JSON.stringify(cookie)}, ${JSON.stringify(body)}},`;
    if (i === 0) first = cookie;
  }
}
await Promise.all(Array.from({ length: Math.min(16, total) }, worker));
fs.writeFileSync(path.join(out, 'citizens.lua'), `citizens = {\n${lines.join('\n')}\n}\n`);
fs.writeFileSync(path.join(out, 'cookie.txt'), first);
