// Benchmark set-up against a running server: N citizens with open sessions, as a wrk Lua
// table (cookie + url-encoded answer form each) and one citizen's cookie for page loads.
// usage: node prepare.mjs PORT APIKEY DB N OUTDIR
import fs from 'node:fs';
import path from 'node:path';

import { readyCitizen } from '../../tests/http/answers.mjs';
import { Server } from '../../tests/http/harness.mjs';

const [port, key, db, n, out] = process.argv.slice(2);
const s = new Server(path.dirname(db));
s.port = Number(port);
s.key = key;
s.db = db;
const lines = [];
let first;
for (let i = 0; i < Number(n); i++) {
  const c = await readyCitizen(s);
  const cookie = [...c.browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const body = new URLSearchParams(c.fields).toString();
  lines.push(`  {${JSON.stringify(cookie)}, ${JSON.stringify(body)}},`);
  if (!first) first = cookie;
}
fs.writeFileSync(path.join(out, 'citizens.lua'), `citizens = {\n${lines.join('\n')}\n}\n`);
fs.writeFileSync(path.join(out, 'cookie.txt'), first);
