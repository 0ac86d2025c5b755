// Headless Chromium for the benchmark (Debian's, with the end-to-end tests' flags), one fresh
// browser context and page per run, and the page's renderer process: its pid, so its RSS is
// read from /proc.
import { readFileSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { CHROMIUM_LAUNCH } from '../tests/e2e/harness.mjs';

/** Launches Chromium; resolves with { browser, version, close() }. */
export async function launchBrowser() {
  const browser = await chromium.launch(CHROMIUM_LAUNCH);
  const cdp = await browser.newBrowserCDPSession();
  return {
    browser,
    version: browser.version(),
    /** The pids of the renderer processes now alive. */
    async renderers() {
      const { processInfo } = await cdp.send('SystemInfo.getProcessInfo');
      return processInfo.filter((p) => p.type === 'renderer').map((p) => p.id);
    },
    close: () => browser.close(),
  };
}

/** Whether a renderer serves web pages: Chromium's own WebUI renderers do not. */
function isPageRenderer(pid) {
  try {
    return !readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').some((a) => /^--(top-chrome-webui|extension-process)/.test(a));
  } catch {
    return false;
  }
}

const PROBE_MIB = 192;

/**
 * Opens `url` in a new browser context (its own renderer process, HTTP cache and storage),
 * waits for `window.bench.ready` and finds the page's renderer: of the renderers serving web
 * pages (Chromium also starts spare ones, at any time), the only one whose RSS grows by most
 * of the 192 MiB the page then allocates. The page frees them again before it is handed over.
 */
export async function openPage(chrome, url) {
  const context = await chrome.browser.newContext();
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e));
    await page.goto(url);
    await page.evaluate(() => window.bench.ready);
    let pid = null;
    let rssBefore = 0;
    for (let attempt = 0; attempt < 3 && pid === null; attempt++) {
      const before = new Map((await chrome.renderers()).filter(isPageRenderer).map((p) => [p, memoryOf(p)?.rss]));
      await page.evaluate((mib) => window.bench.probe(mib), PROBE_MIB);
      const grown = [...before].filter(([p, rss]) => (memoryOf(p)?.rss ?? 0) - rss >= (PROBE_MIB - 40) * 1048576);
      await page.evaluate(() => window.bench.probe(0));
      if (grown.length === 1) [[pid, rssBefore]] = grown;
    }
    if (pid === null) throw new Error('could not tell which renderer process runs the benchmark page');
    // The probe's memory goes back to the system once collected: wait for it (up to 2 s).
    for (let i = 0; i < 40 && (memoryOf(pid)?.rss ?? 0) > rssBefore + (32 << 20); i++) {
      await page.evaluate(() => window.bench.gc());
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { context, page, pid, errors, close: () => context.close() };
  } catch (e) {
    await context.close();
    throw e;
  }
}

/** { rss, peak } of a process in bytes (VmRSS, VmHWM), or null when it is gone. */
export function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return null;
  }
}

/**
 * Watches a process's RSS from now on: resets its peak (VmHWM, through /proc/PID/clear_refs,
 * when allowed) and samples VmRSS every `intervalMs` as well. `stop()` returns
 * { before, peak, after } in bytes.
 */
export function watchMemory(pid, intervalMs = 20) {
  let resetPeak = true;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    resetPeak = false;
  }
  const before = memoryOf(pid)?.rss ?? NaN;
  let sampled = before;
  const timer = setInterval(() => {
    const m = memoryOf(pid);
    if (m && m.rss > sampled) sampled = m.rss;
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      const m = memoryOf(pid);
      const after = m?.rss ?? NaN;
      const peak = Math.max(sampled, after, resetPeak && m ? m.peak : 0);
      return { before, peak, after, peakSource: resetPeak ? 'VmHWM' : 'sampled' };
    },
  };
}
