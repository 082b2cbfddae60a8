// The API contract: every response of /api/v1, /healthz and /metrics that an HTTP test
// receives is checked against the repository's openapi.json (harness.mjs calls
// checkResponse for each), so the document cannot drift from what the server does.
//
//   - the path must match one of the document's path templates, else the answer must be
//     404 not_found in the error shape;
//   - the method must be one the path lists (HEAD counts as GET, without a body), else the
//     answer must be 405 method_not_allowed in the error shape;
//   - the status must be listed for that operation, with the response's media type, and a
//     JSON body must validate against the listed schema (JSON Schema 2020-12, formats
//     checked, unknown members refused where the document says so).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const OPENAPI_FILE = path.join(ROOT, 'openapi.json');
export const openapi = JSON.parse(fs.readFileSync(OPENAPI_FILE, 'utf8'));

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
ajv.addSchema(openapi, 'openapi.json');

/* The paths the contract covers. */
export function covered(p) {
  return p === '/healthz' || p === '/metrics' || p === '/api/v1' || p.startsWith('/api/v1/');
}

/* A JSON pointer as a URI fragment (RFC 6901 §6): segments escaped, then percent-encoded. */
const pointer = (...parts) => parts
  .map((s) => encodeURIComponent(String(s).replaceAll('~', '~0').replaceAll('/', '~1'))).join('/');

/* Each path template as a regular expression, literal templates first. */
const templates = Object.keys(openapi.paths)
  .sort((a, b) => (a.includes('{') - b.includes('{')))
  .map((t) => ({
    template: t,
    re: new RegExp('^' + t.split(/\{[^}]+\}/).map((s) => s.replace(/[.*+?^$()|[\]\\]/g, '\\$&')).join('[^/]+') + '$'),
  }));

const validators = new Map();
function validator(ptr) {
  let v = validators.get(ptr);
  if (!v) {
    v = ajv.compile({ $ref: `openapi.json#${ptr}` });
    validators.set(ptr, v);
  }
  return v;
}

function resolve(obj) {
  while (obj && obj.$ref) {
    obj = obj.$ref.slice(2).split('/').reduce((o, k) => o[k.replaceAll('~1', '/').replaceAll('~0', '~')], openapi);
  }
  return obj;
}

function errorCode(body) {
  try { return JSON.parse(body).error.code; } catch { return undefined; }
}

function validateJson(ptr, text, where) {
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${where}: body is not JSON:\n${text.slice(0, 300)}`);
  }
  const v = validator(ptr);
  if (!v(json)) {
    throw new Error(`${where}: body does not match openapi.json (${ptr}):\n` +
      `${ajv.errorsText(v.errors, { separator: '\n' })}\nbody: ${text.slice(0, 1000)}`);
  }
}

/**
 * Throws when a response does not match openapi.json.  method: the request method; p: the
 * request target (a query is ignored); status; contentType: the response's Content-Type
 * header; body: the response body text.
 */
export function checkResponse(method, p, status, contentType, body) {
  const urlPath = p.split('?')[0];
  const where = `openapi.json contract: ${method} ${urlPath} -> ${status}`;
  const errorPtr = pointer('', 'components', 'schemas', 'Error');
  const m = templates.find((t) => t.re.test(urlPath));
  if (!m) {
    if (status !== 404 || errorCode(body) !== 'not_found') {
      throw new Error(`${where}: path is not in the document (only 404 not_found may answer it)`);
    }
    return validateJson(errorPtr, body, where);
  }
  const item = openapi.paths[m.template];
  let op = method.toLowerCase();
  const head = op === 'head';
  if (head && !item.head) op = 'get';
  if (!item[op]) {
    if (status !== 405 || errorCode(body) !== 'method_not_allowed') {
      throw new Error(`${where}: method not in the document for ${m.template} (only 405 method_not_allowed may answer it)`);
    }
    return validateJson(errorPtr, body, where);
  }
  const responses = item[op].responses;
  if (!responses[String(status)]) {
    throw new Error(`${where}: status not documented for ${op.toUpperCase()} ${m.template} ` +
      `(documented: ${Object.keys(responses).join(', ')}); body: ${String(body).slice(0, 300)}`);
  }
  const response = resolve(responses[String(status)]);
  const content = response.content || {};
  const types = Object.keys(content);
  if (head || types.length === 0) return undefined;
  const ct = String(contentType || '').split(';')[0].trim().toLowerCase();
  if (!types.includes(ct)) {
    throw new Error(`${where}: Content-Type ${contentType} is not the documented ${types.join(', ')}`);
  }
  if (ct !== 'application/json') return undefined;
  const base = responses[String(status)].$ref
    ? responses[String(status)].$ref.slice(1)
    : pointer('', 'paths', m.template, op, 'responses', String(status));
  return validateJson(`${base}/content/${pointer('application/json')}/schema`, body, where);
}

/** The same for a raw response: head is the header text, reqLine the request's first line. */
export function checkRawResponse(reqLine, status, head, body) {
  const m = /^([A-Z]+) (\/\S*) HTTP\/1\.[01]$/.exec(reqLine);
  if (!m || !status || !covered(m[2].split('?')[0])) return undefined;
  const ct = /\r\ncontent-type:\s*([^\r\n]*)/i.exec(head);
  return checkResponse(m[1], m[2], status, ct ? ct[1] : '', body);
}
