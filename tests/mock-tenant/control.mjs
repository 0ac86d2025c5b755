// The control routes of the mock tenant, under /__mock/ (every origin may call them): the
// request log and counters, arming fault flags, resets, sessions and CSRF tokens, the
// datasets on offer and the expected size and hash of a file. Also the tenant's index page.
import { DatasetError, FILE_TYPES, SAMPLE_DATASETS, describeFile, planFile } from './datasets.mjs';
import { faultParams, flag, generatorOptions, int, parseArm, parseFaults } from './faults.mjs';
import { API_PREFIX } from './api.mjs';
import { escapeHtml, htmlPage, qlikError, sendDatasetError, sendJson } from './responses.mjs';

/**
 * The control handler of one tenant, from its parts: `site` ({ cookieName }), `access`,
 * `log`, `faultState`, `rate`, `streamer`, and `reset(opts)`, which clears them.
 */
export function createControl({ site, access, log, faultState, rate, streamer, reset }) {
  function info(req) {
    return {
      origin: access.ownOrigin(req),
      ...access.describe(),
      rateLimits: rate.limits,
      cookieName: site.cookieName,
      fileTypes: FILE_TYPES,
      samples: SAMPLE_DATASETS,
      generic: [
        'rows-<N>[-crlf][-multiclass][-hostile]: N accounts',
        'bytes-<N>[-crlf][-multiclass][-hostile]: every file exactly N bytes (N may end in k, m or g: powers of 1000)',
      ],
    };
  }

  // GET /__mock/expected/<predictionId>/<file>: size, SHA-256, rows and header of a file as
  // the tenant would send it with the given flags, and its Content-Length (null: none).
  async function expected(res, url, parts) {
    const params = faultParams(url);
    try {
      if (parts.length !== 2) throw new DatasetError(404, 'HTTP-404', 'Not Found', 'Use /__mock/expected/<predictionId>/<file>.');
      const id = decodeURIComponent(parts[0]);
      const faults = parseFaults(params);
      const genOpts = generatorOptions(params, faults);
      const plan = planFile(id, parts[1], genOpts);
      const d = await describeFile(id, parts[1], genOpts);
      const chunked = streamer.isChunked(plan, faults);
      sendJson(res, 200, { ...d, contentLength: chunked ? null : d.bytes, header: plan.header, eol: plan.eol });
    } catch (e) {
      if (!(e instanceof DatasetError)) throw e;
      sendDatasetError(res, e);
    }
  }

  /** Answers a request under /__mock/ (OPTIONS excepted). */
  async function handleControl(req, res, url) {
    const origin = req.headers.origin;
    if (origin !== undefined) access.setCors(res, origin);
    res.setHeader('Vary', 'Origin');
    const p = url.pathname;
    const route = `${req.method} ${p}`;
    if (route === 'GET /__mock/requests') {
      const since = int(url.searchParams.get('since')) ?? 0;
      const limit = int(url.searchParams.get('limit'));
      let list = log.requests.filter((r) => r.id > since);
      if (limit !== null) list = list.slice(-limit);
      sendJson(res, 200, { requests: list, stats: log.stats });
    } else if (route === 'GET /__mock/stats') {
      sendJson(res, 200, log.stats);
    } else if (route === 'POST /__mock/arm') {
      const arm = parseArm(url.searchParams);
      if (arm.error) {
        sendJson(res, 400, qlikError(400, 'HTTP-400', 'Bad Request', arm.error));
        return;
      }
      faultState.arm(arm.route, arm.count, arm.params);
      sendJson(res, 200, { armed: arm.route, count: arm.count, params: Object.fromEntries(arm.params) });
    } else if (route === 'POST /__mock/reset') {
      reset({ sessions: flag(url.searchParams.get('sessions')) });
      sendJson(res, 200, { ok: true });
    } else if (route === 'POST /__mock/session') {
      const s = access.describeSession(access.createSession());
      sendJson(res, 200, s, { 'Set-Cookie': s.setCookie });
    } else if (route === 'POST /__mock/session/rotate-csrf') {
      const list = access.targetSessions(req, url);
      for (const s of list) access.rotateCsrf(s.id);
      sendJson(res, 200, { rotated: list.length, csrfTokens: Object.fromEntries(list.map((s) => [s.id, s.csrfToken])) });
    } else if (route === 'POST /__mock/session/expire') {
      const list = access.targetSessions(req, url);
      for (const s of list) access.expireSession(s.id);
      sendJson(res, 200, { expired: list.length });
    } else if (route === 'GET /__mock/info' || route === 'GET /__mock/datasets') {
      sendJson(res, 200, info(req));
    } else if (req.method === 'GET' && p.startsWith('/__mock/expected/')) {
      await expected(res, url, p.slice('/__mock/expected/'.length).split('/'));
    } else {
      sendJson(res, 404, qlikError(404, 'HTTP-404', 'Not Found', `No mock route ${route}.`));
    }
  }

  /** The tenant's page at / when no static mount serves one. */
  function indexPage(res) {
    const rows = SAMPLE_DATASETS.map((d) => `<li><code>${escapeHtml(d.id)}</code>: ${escapeHtml(d.description)}</li>`).join('');
    htmlPage(res, 200, 'Mock Qlik Cloud tenant',
      `<p>Endpoints: <code>GET ${API_PREFIX}{predictionId}/{${FILE_TYPES.join('|')}}</code>, <code>POST ${API_PREFIX}{predictionId}/jobs</code>, <code>GET /api/v1/csrf-token</code>, <code>/login</code>, <code>/logout</code>, <code>/__mock/info</code>.</p><ul>${rows}</ul>`);
  }

  return { handleControl, indexPage };
}
