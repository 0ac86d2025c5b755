// Agreement checks of the benchmark's results, and the medians it reports.

/** The median of the finite numbers in `values`, or null when there are none. */
export function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** Where two checksums (Checksum#toJSON) differ, in words; empty when they are equal. */
export function checksumDiff(a, b) {
  const out = [];
  if (a.rows !== b.rows) out.push(`rows ${a.rows} vs ${b.rows}`);
  if (a.columns.length !== b.columns.length) out.push(`columns ${a.columns.length} vs ${b.columns.length}`);
  const n = Math.min(a.columns.length, b.columns.length);
  for (let c = 0; c < n; c++) {
    for (const key of ['num', 'sum', 'str', 'len', 'empty', 'other']) {
      if (!Object.is(a.columns[c][key], b.columns[c][key])) {
        out.push(`column ${c} ${key} ${a.columns[c][key]} vs ${b.columns[c][key]}`);
      }
    }
  }
  return out;
}

/**
 * Checks every successful run against the dataset's file and against each other.
 * `records`: [{ dataset, contender, kind, run, rows, bytes, chars, checksum }];
 * `datasets`: [{ id, bytes, rows }]. Returns a list of problems (empty when all agree):
 * a parser's rows differ from the file's, parsers' checksums differ (the first parser's first
 * run is the reference), the bytes baseline did not read the whole file, or runs of the
 * TextDecoderStream baseline counted different characters.
 */
export function checkAgreement(records, datasets) {
  const problems = [];
  for (const d of datasets) {
    const runs = records.filter((r) => r.dataset === d.id && !r.error);
    let reference = null;
    let chars = null;
    for (const r of runs) {
      const who = `${d.id}: ${r.contender} run ${r.run}`;
      if (r.kind === 'parser') {
        if (r.rows !== d.rows) problems.push(`${who}: ${r.rows} rows, the file has ${d.rows}`);
        if (!r.checksum) {
          problems.push(`${who}: no checksum`);
        } else if (!reference) {
          reference = r;
        } else {
          const diff = checksumDiff(reference.checksum, r.checksum);
          if (diff.length) {
            problems.push(`${who}: checksum differs from ${reference.contender} run ${reference.run}: ` +
              `${diff.slice(0, 5).join('; ')}${diff.length > 5 ? `; … (${diff.length} differences)` : ''}`);
          }
        }
      } else if (r.bytes !== null && r.bytes !== undefined && r.bytes !== d.bytes) {
        problems.push(`${who}: read ${r.bytes} bytes, the file has ${d.bytes}`);
      } else if (r.chars !== null && r.chars !== undefined) {
        if (chars === null) chars = r.chars;
        else if (r.chars !== chars) problems.push(`${who}: decoded ${r.chars} characters, another run ${chars}`);
      }
    }
  }
  return problems;
}
