// Compile-time check of the package's TypeScript declarations (tsc --noEmit, strict): every
// documented call, as a TypeScript user writes it. Not executed.
import init, {
  parseCsv, type CsvSource, type ParseCsvOptions,
  PredictionsClient, QlikApiError, CsvError, NetworkError, WasmModuleError, RecordBatch, DATASETS,
  type ArgumentError, type CallOptions, type ColumnType, type CsvErrorReason, type ClientConfig, type Dataset, type ParseOptions, type Progress, type Table,
} from 'qlik-automl-predictions';

export async function usage(signal: AbortSignal): Promise<void> {
  const exports = await init();
  const pages: number = exports.memory.buffer.byteLength;

  const config: ClientConfig = { host: 'tenant.eu.qlikcloud.com', webIntegrationId: 'id', retries: 3, rateLimit: true, timeoutMs: 60_000 };
  const client = new PredictionsClient(config);
  new PredictionsClient({ authType: 'apikey', apiKey: 'k', rateLimit: { tier1: 10, tier2: 5, windowMs: 1000 } });
  new PredictionsClient({ authType: 'oauth2', getAccessToken: async () => 'token' });
  new PredictionsClient({ authType: 'OAuth2', clientId: 'c', getAccessToken: 'fetchQlikToken' });
  new PredictionsClient({ host: 'tenant.eu.qlikcloud.com', apiKey: 'k', authType: 'ApiKey' });
  new PredictionsClient({ ...config, worker: true });
  new PredictionsClient({ ...config, worker: true, workerUrl: new URL('./qlik-worker.js', 'https://example.com/') });
  new PredictionsClient({ ...config, worker: true, workerUrl: '/assets/qlik-worker.js' });
  const host: string = client.host;
  const authType: 'cookie' | 'apikey' | 'oauth2' | 'none' | 'noauth' = client.authType;

  const dataset: Dataset = 'shap';
  const every: readonly Dataset[] = DATASETS;
  const parse: ParseOptions = { batchRows: 500, flexible: true };
  const call: CallOptions = { refId: 'r', signal };
  const onProgress = (p: Progress) => { const t: number | null = p.totalBytes; void t; void p.bytes; void p.rows; };
  const stream = client.stream('id', dataset, { refId: 'r', signal, batchRows: 1000, types: 'infer', onProgress });
  for await (const batch of stream) {
    const b: RecordBatch = batch;
    const col: Float64Array | string[] = b.column('Churned_SHAP');
    const kind: 'number' | 'string' = b.columnType(0);
    const rows: Array<Array<number | string>> = b.toRows();
    const objects: Array<Record<string, number | string>> = b.toObjects();
    void [col, kind, rows, objects, b.numRows, b.rowOffset, b.columnNames.length];
    const released: void = b.release();
    void released;
  }
  const names: string[] | null = stream.columnNames;
  const deprecation: string | null = stream.deprecation;

  const table: Table = await client.table('id', 'predictions', { limit: 100, types: 'string', batchRows: 50, maxColumns: 500, maxRowBytes: 1 << 20 });
  const cells: Array<Array<number | string>> = table.rows;
  const truncated: boolean = table.truncated;

  const blob: Blob = await client.download('id', 'coordinate-shap', { onProgress });
  const bytes: ReadableStream<Uint8Array> = client.downloadStream('id', 'source');
  const jobs: unknown = await client.jobs('id', { signal });

  const sources: CsvSource[] = ['https://x/a.csv', new URL('https://x/a.csv'), new Request('https://x/a.csv'), new Response('a\n1\n'), new Blob(['a\n']), new ReadableStream<Uint8Array>()];
  const parseOptions: ParseCsvOptions = { batchRows: 10, types: 'string', flexible: true, maxRowBytes: 1024, maxColumns: 10, signal, onProgress };
  for (const source of sources) {
    const csv = parseCsv(source, parseOptions);
    for await (const batch of csv) void batch.numRows;
    void [csv.columnNames, csv.rows, csv.bytes, csv.totalBytes];
  }

  try {
    await client.table('id', 'not-predicted-reasons');
  } catch (e) {
    if (e instanceof QlikApiError) { const s: number = e.status; const c: string = e.code; const l: string | undefined = e.loginUrl; void [s, c, l, e.errors[0]?.code, e.retryAfter]; }
    if (e instanceof CsvError) { const r: string = e.reason; const line: number = e.line; void [r, line, e.byteOffset, e.reason === 'TooManyColumns']; }
    if (e instanceof WasmModuleError) { const n: 'WasmModuleError' = e.name; void [n, e.cause]; }
    if (e instanceof NetworkError) { const n: number = e.bytesReceived; void n; }
    if (e instanceof TypeError) { const field: string = (e as ArgumentError).field; void field; }
  }
  void [pages, host, authType, names, deprecation, cells, truncated, blob, bytes, jobs, every, parse, call];
}

// Narrowing: numbers() and strings() are typed exactly; column() narrows with instanceof.
export function narrowing(b: RecordBatch, e: CsvError): void {
  const scores: Float64Array = b.numbers('score');
  const labels: string[] = b.strings('label');
  // @ts-expect-error: numbers() is never a string[]
  const wrong1: string[] = b.numbers('score');
  // @ts-expect-error: strings() is never a Float64Array
  const wrong2: Float64Array = b.strings('label');
  const col = b.column(0);
  // @ts-expect-error: column() is either type until narrowed
  const wrong3: Float64Array = col;
  if (col instanceof Float64Array) {
    const n: Float64Array = col;
    void n;
  } else {
    const s: string[] = col;
    // @ts-expect-error: a string column has no Float64Array methods
    col.subarray(1);
    void s;
  }
  const kind: ColumnType = b.columnType('score');
  // @ts-expect-error: a column type is 'number' or 'string'
  const wrong4: ColumnType = 'boolean';
  const reason: CsvErrorReason = e.reason;
  // @ts-expect-error: CsvError.reason is a union, not any string
  const wrong5: typeof e.reason = 'Other';
  if (e.reason === 'TooManyColumns') void e.line;
  void [scores, labels, wrong1, wrong2, wrong3, wrong4, wrong5, kind, reason];
}

// @ts-expect-error: an unknown dataset is a type error
usage2 = () => new PredictionsClient().stream('id', 'shapp');
// @ts-expect-error: DATASETS is read-only
usage2 = () => { DATASETS[0] = 'shap'; };
declare let usage2: unknown;
