// The option types and `Dataset` are declared beside the Rust code that reads them (see
// src/wasm/arguments.rs, src/wasm/reader.rs, src/http/endpoint.rs), in the glue's declarations.
import type { CallOptions, ClientConfig, Dataset, ParseOptions, Progress } from './qlik_automl_predictions.js';
export type { CallOptions, ClientConfig, Dataset, ParseOptions, Progress };

// Worker mode's options are read by the JavaScript side (js/remote.js), and declared here.
declare module './qlik_automl_predictions.js' {
  interface ClientConfig {
    /**
     * Run this client's calls (fetch and parse) in a dedicated module Worker, shared by the
     * page's Worker-mode clients; batches are transferred to the page. Needs `init()` on the
     * page first, like any client. Default false.
     */
    worker?: boolean;
    /**
     * With `worker: true`: the URL of the package's Worker script (`pkg/worker.js`, the
     * `qlik-automl-predictions/worker` export) where a bundler does not emit it by itself
     * (esbuild). Default: `worker.js` beside the package's modules.
     */
    workerUrl?: string | URL;
  }
}

/** Every dataset name, in the order of the API reference. */
export declare const DATASETS: readonly Dataset[];

export type StreamOptions = CallOptions & ParseOptions;
export interface TableOptions extends StreamOptions {
  /** Rows to return (default 100); `Infinity` for all. */
  limit?: number;
}

export type Cell = number | string;

export declare class RecordBatch {
  private constructor();
  /** Rows in this batch. */
  readonly numRows: number;
  /** Index of the first row of this batch in the file (0-based, header excluded). */
  readonly rowOffset: number;
  readonly columnNames: string[];
  readonly numColumns: number;
  /** `Float64Array` for a number column (empty cells are NaN), `string[]` otherwise. */
  column(nameOrIndex: string | number): Float64Array | string[];
  columnType(nameOrIndex: string | number): 'number' | 'string';
  columns(): Array<Float64Array | string[]>;
  /** The first `count` rows (default: all) as arrays of cells. */
  toRows(count?: number): Cell[][];
  toObjects(): Array<Record<string, Cell>>;
}

interface StreamInfo {
  /** Body bytes received so far. */
  readonly bytes: number;
  /** `Content-Length` when known. */
  readonly totalBytes: number | null;
  /** The endpoint's `Deprecation`/`Sunset` notice, once the response has arrived. */
  readonly deprecation: string | null;
}

export interface RecordBatchStream extends ReadableStream<RecordBatch>, StreamInfo {
  [Symbol.asyncIterator](): AsyncIterableIterator<RecordBatch>;
  /** The column names once the header has been read. */
  readonly columnNames: string[] | null;
  /** Data rows decoded so far. */
  readonly rows: number;
}

export interface ByteStream extends ReadableStream<Uint8Array>, StreamInfo {
  [Symbol.asyncIterator](): AsyncIterableIterator<Uint8Array>;
}

export interface Table {
  columns: string[];
  rows: Cell[][];
  numRows: number;
  /** True when the file has more rows than returned. */
  truncated: boolean;
  /** Bytes downloaded (the download stops once `limit` rows are parsed). */
  bytes: number;
  totalBytes: number | null;
  deprecation: string | null;
}

export declare class PredictionsClient {
  /** Throws a TypeError for an invalid configuration. */
  constructor(config?: ClientConfig);
  readonly host: string;
  stream(predictionId: string, dataset: Dataset, options?: StreamOptions): RecordBatchStream;
  table(predictionId: string, dataset: Dataset, options?: TableOptions): Promise<Table>;
  download(predictionId: string, dataset: Dataset, options?: CallOptions): Promise<Blob>;
  downloadStream(predictionId: string, dataset: Dataset, options?: CallOptions): ByteStream;
  /** The parsed JSON body of the jobs endpoint, or null when the body is empty. */
  jobs(predictionId: string, options?: Pick<CallOptions, 'signal'>): Promise<unknown>;
}

export declare class QlikApiError extends Error {
  readonly name: 'QlikApiError';
  readonly status: number;
  /** First error's code, or `HTTP-<status>` when the body is not Qlik's JSON error shape. */
  readonly code: string;
  readonly title: string;
  readonly detail?: string;
  /** The `errors` array as sent, or empty. */
  readonly errors: Array<{ code: string; title?: string; detail?: string; meta?: Record<string, unknown>; [k: string]: unknown }>;
  /** Seconds, from `retry-after`. */
  readonly retryAfter?: number;
  /** On a 401 with cookie authentication: where to sign in. */
  readonly loginUrl?: string;
  readonly url: string;
}

export declare class CsvError extends Error {
  readonly name: 'CsvError';
  readonly reason: 'InvalidUtf8' | 'FieldCount' | 'FieldTooLarge' | 'RowTooLarge' | 'UnterminatedQuote' | 'TooManyColumns';
  /** 1-based line where the bad record starts (the header is line 1). */
  readonly line: number;
  /** Byte offset of the bad record's start. */
  readonly byteOffset: number;
}

export declare class NetworkError extends Error {
  readonly name: 'NetworkError';
  readonly bytesReceived: number;
  readonly url: string;
}

/**
 * The WebAssembly module failed (it trapped, e.g. out of memory): every call in progress
 * rejects with this error and its requests are aborted; the next call, on any client, runs on
 * a fresh instance. `cause` is the original error (a `WebAssembly.RuntimeError`).
 */
export declare class WasmModuleError extends Error {
  readonly name: 'WasmModuleError';
}

/**
 * The `TypeError` a bad argument or configuration throws: `field` names the option at fault,
 * as it is spelled in JavaScript (`'host'`, `'apiKey'`, `'timeoutMs'`, `'rateLimit.tier1'`,
 * `'predictionId'`, `'dataset'`, `'limit'`…).
 */
export interface ArgumentError extends TypeError {
  readonly field: string;
}

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

/** Loads the wasm module (idempotent); resolves to its exports. */
export default function init(moduleOrPath?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>): Promise<WebAssembly.Exports & { memory: WebAssembly.Memory }>;
export declare function initSync(module: { module: BufferSource | WebAssembly.Module } | BufferSource | WebAssembly.Module): WebAssembly.Exports & { memory: WebAssembly.Memory };
