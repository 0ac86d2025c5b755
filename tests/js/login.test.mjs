// autoRedirect's loop guard (js/login.js), in Node with a stand-in location and sessionStorage.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { answered, redirectToLogin } from '../../js/login.js';

const saved = { location: globalThis.location, sessionStorage: globalThis.sessionStorage };
function page() {
  const visits = [];
  const items = new Map();
  globalThis.location = { assign: (url) => visits.push(url) };
  globalThis.sessionStorage = {
    getItem: (k) => (items.has(k) ? items.get(k) : null),
    setItem: (k, v) => items.set(k, String(v)),
    removeItem: (k) => items.delete(k),
  };
  return { visits, items };
}
afterEach(() => Object.assign(globalThis, saved));

test('a host is redirected to at most once per page load', () => {
  const { visits, items } = page();
  assert.equal(redirectToLogin('https://a.example.com', 'https://a.example.com/login'), true);
  assert.equal(redirectToLogin('https://a.example.com', 'https://a.example.com/login'), false);
  assert.deepEqual(visits, ['https://a.example.com/login']);
  assert.deepEqual([...items.keys()], ['qlik-automl-predictions:login-redirect:https://a.example.com']);
  // A success from the host clears the mark, for the next page load.
  answered('https://a.example.com');
  assert.equal(items.size, 0);
  assert.equal(redirectToLogin('https://a.example.com', 'https://a.example.com/login'), false, 'not again in this load');
});

test('not again after a login that gave no session (the mark survives the reload)', () => {
  const { visits, items } = page();
  items.set('qlik-automl-predictions:login-redirect:https://b.example.com', '2026-01-01T00:00:00.000Z');
  assert.equal(redirectToLogin('https://b.example.com', 'https://b.example.com/login'), false);
  assert.deepEqual(visits, []);
});

test('no redirect without sessionStorage or location (a Worker), or when storage throws', () => {
  const { visits } = page();
  delete globalThis.sessionStorage;
  assert.equal(redirectToLogin('https://c.example.com', 'https://c.example.com/login'), false);
  Object.defineProperty(globalThis, 'sessionStorage', { configurable: true, get() { throw new Error('denied'); } });
  assert.equal(redirectToLogin('https://c.example.com', 'https://c.example.com/login'), false);
  answered('https://c.example.com');
  delete globalThis.sessionStorage;
  page();
  globalThis.sessionStorage.setItem = () => { throw new Error('quota'); };
  assert.equal(redirectToLogin('https://c.example.com', 'https://c.example.com/login'), false);
  globalThis.location = {};
  assert.equal(redirectToLogin('https://d.example.com', 'https://d.example.com/login'), false);
  assert.deepEqual(visits, []);
});
