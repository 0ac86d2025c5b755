// What the mock tenant's tests share: the API key and mashup origin they use, a reference CSV
// reader, a raw HTTP GET that shows how a body ended, and the generator's bytes of a file.
import http from 'node:http';
import { generateChunks } from './server.mjs';

export const KEY = 'test-api-key';
export const AUTH = { authorization: `Bearer ${KEY}` };
export const MASHUP = 'http://127.0.0.1:9';
export const API = '/api/v1/automl-predictions';
/** The options of the tenant most tests share. */
export const TENANT_OPTIONS = Object.freeze({ apiKeys: [KEY], webIntegrations: { 'wi-1': [MASHUP] } });

// RFC 4180 parser: records as arrays of fields; throws on an unterminated quoted field.
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let inQuotes = false;
  let atFieldStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else inQuotes = false;
      } else field += c;
    } else if (c === '"' && atFieldStart) {
      inQuotes = true;
      atFieldStart = false;
    } else if (c === ',') {
      row.push(field); field = ''; atFieldStart = true;
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      if (c === '\r') i++;
      row.push(field); rows.push(row); row = []; field = ''; atFieldStart = true;
    } else {
      field += c;
      atFieldStart = false;
    }
  }
  if (inQuotes) throw new Error('unterminated quoted field');
  if (!atFieldStart || row.length) { row.push(field); rows.push(row); }
  return rows;
}

export function bytesOf(id, file, opts) {
  return Buffer.concat([...generateChunks(id, file, opts)]);
}

// A GET with node:http: body bytes, chunk arrival times, and how the body ended.
export function rawGet(url, { headers = AUTH, onResponse } = {}) {
  return new Promise((resolve) => {
    const started = performance.now();
    const out = { status: null, headers: null, chunks: [], times: [], error: null, complete: false, headersAt: null };
    const req = http.get(url, { headers, agent: false }, (res) => {
      out.status = res.statusCode;
      out.headers = res.headers;
      out.headersAt = performance.now() - started;
      onResponse?.(res, req);
      res.on('data', (c) => { out.chunks.push(c); out.times.push(performance.now() - started); });
      res.on('error', (e) => { out.error = e; });
      res.on('close', () => {
        out.complete = res.complete;
        out.body = Buffer.concat(out.chunks);
        resolve(out);
      });
    });
    req.on('error', (e) => {
      out.error ??= e;
      out.body = Buffer.concat(out.chunks);
      resolve(out);
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
