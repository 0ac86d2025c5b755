// The option types and `Dataset` are declared beside the Rust code that reads them (see
// src/wasm/arguments.rs, src/wasm/reader.rs, src/http/endpoint.rs), in the glue's declarations.
import type { AuthType, CallOptions, ClientConfig, Dataset, ParseOptions, Progress, RateLimit } from './qlik_automl_predictions.js';
export type { AuthType, CallOptions, ClientConfig, Dataset, ParseOptions, Progress, RateLimit };

// Worker mode's options are read by the JavaScript side (js/worker-mode.js), and declared here.
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

/** The options of `stream()`: those of every call and the parsing ones. */
export type StreamOptions = CallOptions & ParseOptions;

/** The options of `table()`. */
export interface TableOptions extends StreamOptions {
  /** Rows to return (default 100); `Infinity` for all. */
  limit?: number;
}

/** A cell of a row: a number from a number column (NaN when empty), else its exact text. */
export type Cell = number | string;

/** The type of a column in one batch. */
export type ColumnType = 'number' | 'string';

/**
 * The rows of one batch, by column. A column is a number column in a batch when every non-empty
 * cell of it in that batch is a number; once a string column, it stays one in later batches.
 * `column()` gives either type: narrow it with `instanceof Float64Array`, or ask for the type
 * you expect with `numbers()` or `strings()`, which TypeScript types exactly and which throw a
 * `TypeError` when the column is of the other type in this batch.
 */
export declare class RecordBatch {
  private constructor();
  /** Rows in this batch. */
  readonly numRows: number;
  /** Index of the first row of this batch in the file (0-based, header excluded). */
  readonly rowOffset: number;
  /** The file's column names, from its header. */
  readonly columnNames: string[];
  /** The number of columns. */
  readonly numColumns: number;
  /**
   * A column by name (the first of that name) or index: a `Float64Array` for a number column
   * (empty cells are NaN), the cells' text (`string[]`) for a string column. A `RangeError` for
   * an unknown name or an index out of range.
   */
  column(nameOrIndex: string | number): Float64Array | string[];
  /** Whether the column is a number or a string column in this batch. */
  columnType(nameOrIndex: string | number): ColumnType;
  /** A number column's `Float64Array`; a `TypeError` when it is a string column in this batch. */
  numbers(nameOrIndex: string | number): Float64Array;
  /** A string column's cells; a `TypeError` when it is a number column in this batch. */
  strings(nameOrIndex: string | number): string[];
  /** Every column, in order. */
  columns(): Array<Float64Array | string[]>;
  /** The first `count` rows (default: all) as arrays of cells. */
  toRows(count?: number): Cell[][];
  /** The rows as objects keyed by column name (a repeated name keeps its last cell). */
  toObjects(): Array<Record<string, Cell>>;
  /**
   * Gives this batch's memory back to the package, to be reused for later batches. Each batch
   * otherwise holds an `ArrayBuffer` of its own until the garbage collector finds it, and
   * browsers let tens of megabytes of such buffers pile up first; a consumer that releases each
   * batch once it is done with it streams a file of any size in the same few buffers (in
   * Worker mode, the buffer goes back to the Worker).
   *
   * After `release()` the batch's `Float64Array`s (those already taken too) are empty and its
   * columns can no longer be asked for (a `TypeError`); string cells already taken stay valid.
   * Calling it again does nothing. Where the runtime has `Symbol.dispose`, the batch has it too
   * (`using batch = ...` releases it at the end of the block).
   *
   * ```js
   * for await (const batch of client.stream(id, 'shap')) {
   *   total += sum(batch.numbers('Tenure_SHAP'));
   *   batch.release();
   * }
   * ```
   */
  release(): void;
}

/** What a reading stream tells about its source while it is read. */
export interface StreamInfo {
  /** Body bytes received so far. */
  readonly bytes: number;
  /** `Content-Length` (or a `Blob`'s size) when known, else null. */
  readonly totalBytes: number | null;
  /** The endpoint's `Deprecation`/`Sunset` notice, once the response has arrived (null for `parseCsv`). */
  readonly deprecation: string | null;
}

/** A stream of record batches: a `ReadableStream`, also async-iterable. */
export interface RecordBatchStream extends ReadableStream<RecordBatch>, StreamInfo {
  /** Iterates over the batches; breaking out of the loop cancels the stream. */
  [Symbol.asyncIterator](): AsyncIterableIterator<RecordBatch>;
  /** The column names once the header has been read, else null. */
  readonly columnNames: string[] | null;
  /** Data rows decoded so far. */
  readonly rows: number;
}

/** A stream of a file's exact bytes: a `ReadableStream`, also async-iterable. */
export interface ByteStream extends ReadableStream<Uint8Array>, StreamInfo {
  /** Iterates over the chunks; breaking out of the loop cancels the stream. */
  [Symbol.asyncIterator](): AsyncIterableIterator<Uint8Array>;
}

/** What `table()` resolves to. */
export interface Table {
  /** The column names (empty for an empty body). */
  columns: string[];
  /** The rows read, at most `limit`. */
  rows: Cell[][];
  /** `rows.length`. */
  numRows: number;
  /** True when the file has more rows than returned. */
  truncated: boolean;
  /** Bytes downloaded (the download stops once `limit` rows are parsed). */
  bytes: number;
  /** `Content-Length` when known, else null. */
  totalBytes: number | null;
  /** The endpoint's `Deprecation`/`Sunset` notice, if any. */
  deprecation: string | null;
}

/**
 * A client for the AutoML predictions API of one Qlik Cloud tenant. Qlik deprecated the API,
 * to be removed on or after February 3, 2026 (see the README's section on the sunset); its
 * endpoint methods are deprecated with it. `parseCsv` reads the CSV files of its successor.
 */
export declare class PredictionsClient {
  /** Throws a `TypeError` naming the field for an invalid configuration. */
  constructor(config?: ClientConfig);
  /** The tenant's base URL requests go to: its origin, and the host's path prefix if any. */
  readonly host: string;
  /** The authentication type in use, as configured (lower-case) or inferred from the fields set. */
  readonly authType: 'cookie' | 'apikey' | 'oauth2' | 'none' | 'noauth';
  /**
   * The dataset as a stream of record batches, parsed while it downloads. Reading stops when
   * the consumer stops; cancelling the stream or aborting `signal` stops the download.
   * @deprecated The AutoML predictions API was sunset; read result files with `parseCsv`.
   */
  stream(predictionId: string, dataset: Dataset, options?: StreamOptions): RecordBatchStream;
  /**
   * The first `limit` rows (default 100); stops downloading once they are parsed.
   * @deprecated The AutoML predictions API was sunset; read result files with `parseCsv`.
   */
  table(predictionId: string, dataset: Dataset, options?: TableOptions): Promise<Table>;
  /**
   * The exact bytes of the file as a `Blob` (type `text/csv`).
   * @deprecated The AutoML predictions API was sunset.
   */
  download(predictionId: string, dataset: Dataset, options?: CallOptions): Promise<Blob>;
  /**
   * The exact bytes of the file as a stream, for saving a large file without holding it in memory.
   * @deprecated The AutoML predictions API was sunset.
   */
  downloadStream(predictionId: string, dataset: Dataset, options?: CallOptions): ByteStream;
  /**
   * The parsed JSON body of the jobs endpoint, or null when the body is empty.
   * @deprecated The AutoML predictions API was sunset.
   */
  jobs(predictionId: string, options?: Pick<CallOptions, 'signal'>): Promise<unknown>;
}

/**
 * What `parseCsv` reads: a URL (string, resolved against the page's address, or `URL`), a
 * `Request`, a `Response`, a `ReadableStream` of bytes or a `Blob`.
 */
export type CsvSource = string | URL | Request | Response | ReadableStream<Uint8Array> | Blob;

/** The options of `parseCsv`: the parsing options, `signal` and `onProgress`. */
export interface ParseCsvOptions extends ParseOptions {
  /** Aborts the reading (a fetch, the source stream) and the parse; the stream errors with the signal's reason. */
  signal?: AbortSignal;
  /** Called after each chunk of the source is parsed. */
  onProgress?: (progress: Progress) => void;
}

/**
 * CSV from anywhere as a stream of record batches, decoded while it is read, with the same
 * options, batches and errors as `PredictionsClient.stream()`. A URL is fetched with plain
 * `fetch` (no credentials but the page's own cookies for its own origin); a `Request` carries
 * its own credentials and headers. An answer with an error status is a `QlikApiError`; a
 * failed or short body a `NetworkError`; malformed CSV a `CsvError`. Throws a `TypeError`
 * (`field: 'source'`) for any other source, a used `Response` or locked stream, or a string
 * holding a line break: a string is a URL; CSV text goes as `new Blob([text])`.
 */
export declare function parseCsv(source: CsvSource, options?: ParseCsvOptions): RecordBatchStream;

/** An error answer of the API (4xx/5xx), after any retries; for `parseCsv`, an error status of the source's answer. */
export declare class QlikApiError extends Error {
  /** `'QlikApiError'`. */
  readonly name: 'QlikApiError';
  /** The HTTP status. */
  readonly status: number;
  /** First error's code, or `HTTP-<status>` when the body is not Qlik's JSON error shape. */
  readonly code: string;
  /** The first error's title, or the status text. */
  readonly title: string;
  /** The first error's detail, when there is one. */
  readonly detail?: string;
  /** The `errors` array as sent, or empty. */
  readonly errors: QlikErrorEntry[];
  /** Seconds, from `retry-after`. */
  readonly retryAfter?: number;
  /** On a 401 with cookie authentication: where to sign in. */
  readonly loginUrl?: string;
  /** The request's URL. */
  readonly url: string;
}

/** One entry of a Qlik error answer's `errors` array. */
export interface QlikErrorEntry {
  /** The error code, e.g. `'HTTP-429'`. */
  code: string;
  /** A short summary. */
  title?: string;
  /** What went wrong, in more words. */
  detail?: string;
  /** Further data of the error. */
  meta?: Record<string, unknown>;
  /** Any other member, as sent. */
  [key: string]: unknown;
}

/** Why a record is malformed: the `reason` of a `CsvError`. */
export type CsvErrorReason =
  /** A field is not valid UTF-8. */
  | 'InvalidUtf8'
  /** A row has another number of fields than the header (without `flexible`). */
  | 'FieldCount'
  /** A field is larger than the limit. */
  | 'FieldTooLarge'
  /** A record is larger than `maxRowBytes`. */
  | 'RowTooLarge'
  /** A quoted field is not closed at the end of the input. */
  | 'UnterminatedQuote'
  /** A record has more fields than `maxColumns`. */
  | 'TooManyColumns';

/** Malformed CSV; the rows before the bad record have been delivered. */
export declare class CsvError extends Error {
  /** `'CsvError'`. */
  readonly name: 'CsvError';
  /** Why the record is malformed. */
  readonly reason: CsvErrorReason;
  /** 1-based line where the bad record starts (the header is line 1). */
  readonly line: number;
  /** Byte offset of the bad record's start. */
  readonly byteOffset: number;
}

/** The connection failed, went idle past `timeoutMs`, or the body ended early. */
export declare class NetworkError extends Error {
  /** `'NetworkError'`. */
  readonly name: 'NetworkError';
  /** Body bytes received before the failure. */
  readonly bytesReceived: number;
  /** The request's URL (empty for a stream or `Blob` given to `parseCsv`). */
  readonly url: string;
}

/**
 * The WebAssembly module failed (it trapped, e.g. out of memory): every call in progress
 * rejects with this error and its requests are aborted; the next call, on any client, runs on
 * a fresh instance. `cause` is the original error (a `WebAssembly.RuntimeError`).
 */
export declare class WasmModuleError extends Error {
  /** `'WasmModuleError'`. */
  readonly name: 'WasmModuleError';
}

/**
 * The `TypeError` a bad argument or configuration throws: `field` names the option at fault,
 * as it is spelled in JavaScript (`'host'`, `'apiKey'`, `'timeoutMs'`, `'rateLimit.tier1'`,
 * `'predictionId'`, `'dataset'`, `'limit'`…).
 */
export interface ArgumentError extends TypeError {
  /** The option or argument at fault, as spelled in JavaScript. */
  readonly field: string;
}

/** Where `init` loads the wasm module from: its URL, a `Response`, its bytes or a compiled module. */
export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

/** The wasm module's exports, as `init` and `initSync` give them. */
export type WasmExports = WebAssembly.Exports & {
  /** The module's memory. */
  memory: WebAssembly.Memory;
};

/**
 * Loads the wasm module (idempotent: later calls return the same promise); resolves to its
 * exports. Without an argument it loads the `.wasm` beside the module (in Node, from disk).
 */
export default function init(moduleOrPath?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>): Promise<WasmExports>;
/** Instantiates the wasm module synchronously from its bytes or a compiled module. */
export declare function initSync(module: { module: BufferSource | WebAssembly.Module } | BufferSource | WebAssembly.Module): WasmExports;
