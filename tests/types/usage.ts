// Compile-time check of the package's TypeScript declarations (tsc --noEmit, strict): every
// documented call, as a TypeScript user writes it. Not executed.
import init, {
  PredictionsClient, QlikApiError, CsvError, NetworkError, WasmModuleError, RecordBatch, DATASETS,
  type ArgumentError, type CallOptions, type ClientConfig, type Dataset, type ParseOptions, type Progress, type Table,
} from 'qlik-automl-predictions';

export async function usage(signal: AbortSignal): Promise<void> {
  const exports = await init();
  const pages: number = exports.memory.buffer.byteLength;

  const config: ClientConfig = { host: 'tenant.eu.qlikcloud.com', webIntegrationId: 'id', retries: 3, rateLimit: true, timeoutMs: 60_000 };
  const client = new PredictionsClient(config);
  new PredictionsClient({ authType: 'apikey', apiKey: 'k', rateLimit: { tier1: 10, tier2: 5, windowMs: 1000 } });
  new PredictionsClient({ authType: 'oauth2', getAccessToken: async () => 'token' });
  new PredictionsClient({ ...config, worker: true });
  new PredictionsClient({ ...config, worker: true, workerUrl: new URL('./qlik-worker.js', 'https://example.com/') });
  new PredictionsClient({ ...config, worker: true, workerUrl: '/assets/qlik-worker.js' });
  const host: string = client.host;

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
  }
  const names: string[] | null = stream.columnNames;
  const deprecation: string | null = stream.deprecation;

  const table: Table = await client.table('id', 'predictions', { limit: 100, types: 'string', batchRows: 50, maxColumns: 500, maxRowBytes: 1 << 20 });
  const cells: Array<Array<number | string>> = table.rows;
  const truncated: boolean = table.truncated;

  const blob: Blob = await client.download('id', 'coordinate-shap', { onProgress });
  const bytes: ReadableStream<Uint8Array> = client.downloadStream('id', 'source');
  const jobs: unknown = await client.jobs('id', { signal });

  try {
    await client.table('id', 'not-predicted-reasons');
  } catch (e) {
    if (e instanceof QlikApiError) { const s: number = e.status; const c: string = e.code; const l: string | undefined = e.loginUrl; void [s, c, l, e.errors[0]?.code, e.retryAfter]; }
    if (e instanceof CsvError) { const r: string = e.reason; const line: number = e.line; void [r, line, e.byteOffset, e.reason === 'TooManyColumns']; }
    if (e instanceof WasmModuleError) { const n: 'WasmModuleError' = e.name; void [n, e.cause]; }
    if (e instanceof NetworkError) { const n: number = e.bytesReceived; void n; }
    if (e instanceof TypeError) { const field: string = (e as ArgumentError).field; void field; }
  }
  void [pages, host, names, deprecation, cells, truncated, blob, bytes, jobs, every, parse, call];
}

// @ts-expect-error: an unknown dataset is a type error
usage2 = () => new PredictionsClient().stream('id', 'shapp');
// @ts-expect-error: DATASETS is read-only
usage2 = () => { DATASETS[0] = 'shap'; };
declare let usage2: unknown;
