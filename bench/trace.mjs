// Main-thread time of a run, from a Chromium trace (categories `toplevel` and
// `blink.user_timing`): the renderer main thread's tasks (`ThreadControllerImpl::RunTask`) and the
// page's marks; microtasks run in checkpoints of their own (`BlinkScheduler_PerformMicrotaskCheckpoint`)
// after the task, so every complete event of the main thread counts. The page marks `bench-start` before the run, `bench-unit` each time its consumer
// is done with a unit of the parser's output (a batch of this package, a chunk of uDSV or
// PapaParse) and `bench-end` after the run. A unit's main-thread time is the time the main thread
// spent in tasks between the mark before it and its own: the parsing, the hand-off and the
// consumer's work on it, whatever task they ran in; idle waits for the network are not counted.

/** The categories the trace needs. */
export const TRACE_CATEGORIES = ['toplevel', 'blink.user_timing'];

export const MARKS = Object.freeze({ start: 'bench-start', unit: 'bench-unit', end: 'bench-end' });

/**
 * The main-thread figures of the renderer `pid` in `trace` (the parsed JSON of a Chromium trace):
 * { units, unitMaxMs, unitP99Ms, unitMedianMs, unitMaxCpuMs, unitP99CpuMs, unitMedianCpuMs, worstUnits,
 * longestTaskMs, busyMs, busyCpuMs }, or null when the trace
 * has no `bench-start` and `bench-end` marks of that process. `worstUnits` are the three most
 * costly units by CPU time as { index, ms, cpuMs } (index 0: the first unit, which includes the
 * call's start). `…Ms` are wall time, `…CpuMs` the main thread's CPU time (the trace's `tdur`). `busyMs` is the main thread's time
 * in tasks between the start and end marks; `longestTaskMs` the longest stretch of the main
 * thread without a pause (a task with its microtasks).
 */
export function mainThreadFigures(trace, pid) {
  const events = Array.isArray(trace) ? trace : trace?.traceEvents ?? [];
  const main = events.find((e) => e.pid === pid && e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  if (!main) return null;
  const tid = main.tid;
  const mark = (e, name) => e.pid === pid && e.name === name && e.cat?.includes('blink.user_timing');
  const start = events.find((e) => mark(e, MARKS.start))?.ts;
  const end = events.filter((e) => mark(e, MARKS.end)).at(-1)?.ts;
  if (start === undefined || end === undefined || end < start) return null;
  const bounds = [start, ...events.filter((e) => mark(e, MARKS.unit) && e.ts >= start && e.ts <= end).map((e) => e.ts)
    .sort((a, b) => a - b)];
  const complete = events.filter((e) => e.pid === pid && e.tid === tid && e.ph === 'X' && e.ts < end && e.ts + (e.dur ?? 0) > start)
    .sort((a, b) => a.ts - b.ts);
  // The outermost events: [start, end, thread time] (the thread's CPU time in it, `tdur`, when the
  // trace has it, else its duration). CPU time leaves out what other processes took from the
  // thread on a loaded machine; wall time does not.
  const top = [];
  for (const e of complete) {
    const last = top.at(-1);
    if (last && e.ts < last[1]) continue;
    top.push([e.ts, e.ts + (e.dur ?? 0), e.tdur ?? e.dur ?? 0, e.name]);
  }
  // A task and the microtask checkpoint right after it (an event of its own) are one stretch of
  // the event loop; two tasks are two, however close (a yield in between).
  const tasks = [];
  for (const [a, b, , name] of top) {
    const last = tasks.at(-1);
    if (last && name === 'BlinkScheduler_PerformMicrotaskCheckpoint' && a <= last[1] + 20) last[1] = Math.max(last[1], b);
    else tasks.push([a, b]);
  }
  // Wall and CPU time within [a, b), walking the events once (bounds ascend).
  let k = 0;
  const within = (a, b) => {
    while (k < top.length && top[k][1] <= a) k++;
    let wall = 0;
    let cpu = 0;
    for (let j = k; j < top.length && top[j][0] < b; j++) {
      const [s0, s1, t] = top[j];
      const overlap = Math.min(b, s1) - Math.max(a, s0);
      if (overlap <= 0) continue;
      wall += overlap;
      cpu += s1 > s0 ? t * (overlap / (s1 - s0)) : 0;
    }
    return [wall / 1000, cpu / 1000];
  };
  const units = [];
  const unitsCpu = [];
  for (let i = 1; i < bounds.length; i++) {
    const [wall, cpu] = within(bounds[i - 1], bounds[i]);
    units.push(wall);
    unitsCpu.push(cpu);
  }
  k = 0;
  const [busyMs, busyCpuMs] = within(start, end);
  const sorted = [...units].sort((a, b) => a - b);
  const sortedCpu = [...unitsCpu].sort((a, b) => a - b);
  const pick = (list, q) => (list.length ? list[Math.min(list.length - 1, Math.floor(q * list.length))] : null);
  return {
    units: units.length,
    unitMaxMs: sorted.at(-1) ?? null,
    unitP99Ms: pick(sorted, 0.99),
    unitMedianMs: pick(sorted, 0.5),
    unitMaxCpuMs: sortedCpu.at(-1) ?? null,
    unitP99CpuMs: pick(sortedCpu, 0.99),
    unitMedianCpuMs: pick(sortedCpu, 0.5),
    worstUnits: units.map((ms, index) => ({ index, ms, cpuMs: unitsCpu[index] })).sort((a, b) => b.cpuMs - a.cpuMs).slice(0, 3),
    longestTaskMs: tasks.length ? Math.max(...tasks.map(([a, b]) => b - a)) / 1000 : 0,
    busyMs,
    busyCpuMs,
  };
}
