// Headless Chromium for the benchmark (Debian's, with the end-to-end tests' flags), one fresh
// browser context and page per run, and the page's renderer process: its pid (so its RSS is
// read from /proc) and a CPU profile when asked.
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

/** CPU time (user + system, clock ticks) of a process, or null when it is gone. */
function cpuTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

/**
 * Opens `url` in a new browser context (its own renderer process, HTTP cache and storage),
 * waits for `window.bench.ready` and finds the page's renderer: the one whose CPU time grows
 * while the page spins (Chromium keeps spare renderers, so "the new renderer" is ambiguous).
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
    for (let attempt = 0; attempt < 3 && pid === null; attempt++) {
      const before = new Map((await chrome.renderers()).map((p) => [p, cpuTicks(p)]));
      await page.evaluate(() => window.bench.spin(200));
      let best = 0;
      for (const [p, t0] of before) {
        const t1 = cpuTicks(p);
        if (t0 !== null && t1 !== null && t1 - t0 > best) { best = t1 - t0; pid = p; }
      }
      if (best < 5) pid = null;  // under 50 ms of a 200 ms spin: not the spinning process
    }
    if (pid === null) throw new Error('could not tell which renderer process runs the benchmark page');
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
