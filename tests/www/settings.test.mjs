// The demo form's values (www/settings.js) and sample list (www/samples.js), without a browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_PREVIEW_ROWS, clientConfig, fileNameFor, normalizeSettings, restoredSettings, sameOrigin, storedSettings, targetLine,
} from '../../www/settings.js';
import { BUILTIN_SAMPLES, samplesFrom, samplesHint } from '../../www/samples.js';

const RAW = {
  host: '  tenant.eu.qlikcloud.com ', authType: 'cookie', webIntegrationId: ' wi ', apiKey: ' key ',
  predictionId: ' churn-small ', refId: ' r1 ', dataset: 'shap', limit: '250', wholeFile: true, saveMethod: 'blob',
};

test('settings are trimmed; authentication is cookie unless apikey', () => {
  const s = normalizeSettings(RAW);
  assert.deepEqual(s, {
    host: 'tenant.eu.qlikcloud.com', authType: 'cookie', webIntegrationId: 'wi', apiKey: 'key',
    predictionId: 'churn-small', refId: 'r1', dataset: 'shap', limit: 250, wholeFile: true, saveMethod: 'blob',
  });
  assert.equal(normalizeSettings({ ...RAW, authType: 'apikey' }).authType, 'apikey');
  assert.equal(normalizeSettings({ ...RAW, authType: 'oauth2' }).authType, 'cookie');
});

test('the preview row count is a whole number from 1 to the maximum, 100 when not a number', () => {
  const limit = (v) => normalizeSettings({ ...RAW, limit: v }).limit;
  assert.equal(limit('12.6'), 13);
  assert.equal(limit('0'), 1);
  assert.equal(limit('-5'), 1);
  assert.equal(limit('1e9'), MAX_PREVIEW_ROWS);
  assert.equal(limit('abc'), 100);
  assert.equal(limit('Infinity'), 100);
  assert.equal(limit(''), 1, 'an empty field is 0, so the minimum');
});

test('the API key is stored only when the user asks', () => {
  const s = normalizeSettings(RAW);
  const without = storedSettings(s, { limitText: '250', rememberKey: false });
  assert.equal(without.apiKey, undefined);
  assert.equal(without.rememberKey, false);
  assert.equal(without.limit, '250', 'the row count as typed');
  const withKey = storedSettings(s, { limitText: '250', rememberKey: true });
  assert.equal(withKey.apiKey, 'key');
  assert.equal(storedSettings({ ...s, apiKey: '' }, { limitText: '', rememberKey: true }).apiKey, undefined);
});

test('what was stored is restored, each field only when of the right kind', () => {
  const s = normalizeSettings({ ...RAW, authType: 'apikey' });
  const stored = JSON.parse(JSON.stringify(storedSettings(s, { limitText: '250', rememberKey: true })));
  assert.deepEqual(restoredSettings(stored), {
    host: 'tenant.eu.qlikcloud.com', authType: 'apikey', webIntegrationId: 'wi', rememberKey: true, apiKey: 'key',
    predictionId: 'churn-small', refId: 'r1', dataset: 'shap', limit: '250', wholeFile: true, saveMethod: 'blob',
  });
  for (const v of [null, 'text', 42, undefined]) assert.equal(restoredSettings(v), null);
  const hostile = restoredSettings({
    host: { toString: () => 'x' }, authType: 'oauth2', apiKey: 'kept?', dataset: '__proto__', limit: 5,
    wholeFile: 'yes', saveMethod: 'disk',
  });
  assert.deepEqual(hostile, {
    host: '', authType: 'cookie', webIntegrationId: '', rememberKey: false, predictionId: '', refId: '',
  });
  assert.equal(restoredSettings({ rememberKey: true }).apiKey, '', 'a remembered key that is missing is emptied');
});

test('the client configuration per authentication', () => {
  const s = normalizeSettings(RAW);
  assert.deepEqual(clientConfig(s), { authType: 'cookie', autoRedirect: false, host: 'tenant.eu.qlikcloud.com', webIntegrationId: 'wi' });
  assert.deepEqual(clientConfig({ ...s, host: '', webIntegrationId: '' }), { authType: 'cookie', autoRedirect: false });
  assert.deepEqual(clientConfig({ ...s, authType: 'apikey' }), { authType: 'apikey', autoRedirect: false, host: 'tenant.eu.qlikcloud.com', apiKey: 'key' });
});

test('same origin, the target line and the download file name', () => {
  const page = 'http://127.0.0.1:8787';
  assert.equal(sameOrigin('http://127.0.0.1:8787/', page), true);
  assert.equal(sameOrigin('127.0.0.1:8787', page), false, 'no scheme means https');
  assert.equal(sameOrigin('https://tenant.invalid', 'https://tenant.invalid'), true);
  assert.equal(sameOrigin('http://[bad', page), false);
  const s = normalizeSettings(RAW);
  assert.equal(targetLine({ ...s, host: '' }, page), `Tenant: ${page} · cookie session + web integration ID`);
  assert.equal(targetLine({ ...s, webIntegrationId: '' }, page), 'Tenant: tenant.eu.qlikcloud.com · cookie session');
  assert.equal(targetLine({ ...s, authType: 'apikey' }, page), 'Tenant: tenant.eu.qlikcloud.com · API key');
  assert.equal(fileNameFor(s), 'churn-small-shap.csv');
  assert.equal(fileNameFor({ predictionId: 'a/b\\c:d*e?"<>|\u0001\u007f', dataset: 'source' }), 'a_b_c_d_e_______-source.csv');
});

test('samples from the mock tenant\'s answer, or null when it has no list', () => {
  assert.deepEqual(samplesFrom({ samples: [{ id: 'a', description: 'A' }, 'b', { id: '' }, null, { id: 3 }, {}] }),
    [{ id: 'a', description: 'A' }, { id: 'b' }]);
  assert.deepEqual(samplesFrom(['x']), [{ id: 'x' }]);
  assert.equal(samplesFrom({ fileTypes: [] }), null);
  assert.equal(samplesFrom(null), null);
  assert.ok(BUILTIN_SAMPLES.some((s) => s.id === 'churn-small'));
  assert.equal(samplesHint(11, true), 'Pick one of the 11 samples of this mock tenant.');
  assert.equal(samplesHint(9, false), 'Pick one of the built-in mock tenant\'s samples.');
});
