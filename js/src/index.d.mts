// TypeScript types for webedge's browser loader (index.mjs, built into every bundle's webedge.mjs).
// Copied beside it as webedge.d.mts, and into the npm package as dist/webedge.d.mts.
// Kept honest by tests/test_types.py: `tsc --strict` accepts the README's usage and rejects misuse, and
// every name declared here is compared with what the built module exports and what a loaded model holds.

/** Element types a bundle's inputs and outputs can have (manifest `dtype`). */
export type DType =
  | 'float32' | 'float16' | 'bfloat16' | 'float64'
  | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64'
  | 'bool' | 'string';

/** The typed array that holds each dtype's values (float16 and bfloat16 as raw 16-bit words). */
export interface DataOf {
  float32: Float32Array; float64: Float64Array; float16: Uint16Array; bfloat16: Uint16Array;
  int8: Int8Array; uint8: Uint8Array; int16: Int16Array; uint16: Uint16Array;
  int32: Int32Array; uint32: Uint32Array; int64: BigInt64Array; uint64: BigUint64Array;
  bool: Uint8Array; string: string[];
}

export type TensorData = DataOf[DType];

/** A tensor as run() returns it: values, dims, and the dtype. */
export interface Tensor<T extends DType = DType> {
  data: DataOf[T];
  dims: number[];
  type: T;
}

/** What run() takes per input: the values alone (dims from the manifest) or {data, dims[, type]}. */
export type Feed = TensorData | { data: TensorData; dims?: readonly number[]; type?: DType };

/** {inputName: feed} — every input of the model, nothing else. */
export type Feeds = { [inputName: string]: Feed };

/** {outputName: tensor} for every output of the model. */
export type Outputs = { [outputName: string]: Tensor };

/** An input or output as the manifest lists it: fixed dims as numbers, symbolic ones by name. */
export interface ValueInfo {
  name: string;
  dtype: DType;
  shape: Array<number | string>;
}

export type Phase = 'runtime' | 'weights' | 'compile' | 'ready' | 'selftest' | 'fallback';

/** One onProgress call: bytes of this phase so far and in all, and of every phase together. */
export interface ProgressEvent {
  phase: Phase;
  loaded: number;
  total: number;
  allLoaded: number;
  allTotal: number;
  /** The file whose bytes just arrived (runtime, weights and selftest phases). */
  file?: string;
}

/** The onProgress call of a WebGPU bundle whose self-test failed: the model moved to wasm, and why. */
export interface FallbackEvent extends ProgressEvent {
  phase: 'fallback';
  device: 'wasm';
  reason: string;
}

/** A device of webedge's runtime: 'webgpu', 'wasm' (the kernels) or 'js' (host-side ops). */
export type Device = 'webgpu' | 'wasm' | 'js';

/** Where each executed node ran and why, and per op how many nodes ran on each device. */
export interface Placement {
  nodes: Array<{ op: string; output: string; device: Device; why?: string }>;
  byOp: Record<string, Partial<Record<Device, number>>>;
}

export interface LoadOptions {
  /** Execution provider; the bundle's first one the browser can run by default. */
  backend?: 'wasm' | 'webgpu';
  onProgress?: (event: ProgressEvent | FallbackEvent) => void;
  /** Parallel downloads (default 6). */
  concurrency?: number;
  /** Keep verified files in the Cache API (default true). */
  cache?: boolean;
  /** Retries of a failed download, with backoff (default 3). */
  retries?: number;
  /** webedge runtime: resolve once runtime and plan are in, compute each layer as its weights arrive (default true). */
  stream?: boolean;
  /** webedge runtime: threads on a cross-origin isolated page (default min(cores, 4)). */
  threads?: number;
  /** Load and run in a dedicated Web Worker; same API, outputs transferred back. */
  worker?: boolean;
  /** WebGPU bundles: check the GPU against the bundle's golden outputs before the first run (default true). */
  selfTest?: boolean;
  /** webedge runtime, for tests: per op, the devices to try in order instead of the default. */
  placement?: Record<string, Device[]>;
  /** Fetch only the weights these outputs need (manifest `needs`); run() then returns only them by default. */
  outputs?: string[];
  /** webedge runtime: force a wasm kernel set; by default 'relaxed' (fused multiply-adds) where the browser
   * validates relaxed SIMD, else 'simd128'. Results of the two differ in the last bits. */
  simd?: 'relaxed' | 'simd128';
}

/** Options of one run(). */
export interface RunOptions {
  /** Compute only these outputs; weights they need that load() did not fetch are fetched first. */
  outputs?: string[];
}

/** A file of the bundle with its size and SHA-256. */
export interface BundleFile {
  file: string;
  bytes: number;
  sha256: string;
}

/** The bundle manifest (model.json), docs/manifest.md. */
export interface Manifest {
  format: 'webedge-bundle';
  version: 1;
  model: { name: string; graph_name?: string; producer?: string; ir_version?: number; opsets: Record<string, number> };
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  /** shard/offset/length: where a weight's bytes are; one that spans shards lists them in `pieces` (docs/manifest.md). */
  weights: Array<{ name: string; dtype: DType; shape: number[]; shard: number; offset: number; length: number;
    pieces?: Array<{ shard: number; offset: number; length: number }> }>;
  shards: Array<BundleFile & { encoding?: 'deflate-raw' | 'shuffle4+deflate-raw'; size?: number }>;
  labels?: Record<string, string[]>;
  /** Per output, the indices of the shards holding the weights it reads (load option `outputs`). */
  needs?: Record<string, number[]>;
  quantization?: { encoding: string; ratio?: number; tolerance?: Record<string, number> };
  backend: {
    name: 'ort' | 'webedge';
    version?: string;
    eps: Array<'wasm' | 'webgpu'>;
    graph: BundleFile;
    files: Array<BundleFile & { role: 'entry' | 'glue' | 'wasm' | 'kernel' | 'kernel-mt' | 'executor' | 'adapter' | 'shader' | 'selftest' }>;
  };
}

/** Milliseconds on the page's performance.now() clock. */
export interface Timings {
  start: number;
  manifest: number;
  runtime?: number;
  weights?: number;
  started?: number;
  ready?: number;
}

export interface Stats {
  readonly timings: Timings;
  /** Bytes downloaded (verified). */
  readonly networkBytes: number;
  /** Bytes taken from the Cache API store. */
  readonly cacheBytes: number;
  /** 'persistent' (Cache API) or 'memory'. */
  readonly cache: 'persistent' | 'memory';
  /** Why a load runs from memory although the browser has a Cache API (the storage quota left
   * cannot hold the download), else null. */
  readonly cacheWhy: string | null;
  /** Files of this bundle's earlier deployments deleted from the cache once `loaded` resolved. */
  readonly evicted: number;
}

export interface Model {
  readonly manifest: Manifest;
  readonly inputs: ValueInfo[];
  readonly outputs: ValueInfo[];
  /** Class names along each labelled output's last axis: labels[outputName][classIndex]. */
  readonly labels: Record<string, string[]>;
  /** '<runtime>/<device in use>', e.g. 'webedge/wasm' or 'ort/webgpu'. */
  readonly backend: string;
  /** The device webedge's runtime computes on ('webgpu' or 'wasm'); onnxruntime-web: its EP. */
  readonly device: 'wasm' | 'webgpu';
  /** Why a WebGPU bundle runs on wasm here (no adapter, a failed self-test), else null. */
  readonly fallbackReason: string | null;
  /** webedge runtime: where each executed node ran; null on onnxruntime-web. */
  readonly placement: Placement | null;
  /** Resolves once a WebGPU bundle's self-test decided where the model runs (at once otherwise). */
  readonly checked: Promise<void>;
  readonly threads: number;
  /** The wasm kernel set webedge's runtime runs ('relaxed' or 'simd128'); null on onnxruntime-web. */
  readonly simd: 'relaxed' | 'simd128' | null;
  /** Why this many threads, in one sentence. */
  readonly threadsWhy: string;
  readonly streaming: boolean;
  /** Whether the model lives in a Web Worker (load option `worker`). */
  readonly worker: boolean;
  /** Resolves when every weight the model was loaded for (option `outputs`) is downloaded, verified and in place. */
  readonly loaded: Promise<void>;
  readonly stats: Stats;
  run(feeds: Feeds, options?: RunOptions): Promise<Outputs>;
  dispose(): Promise<void>;
}

/** Load a bundle from the URL of its model.json (relative to the page). */
export function load(manifestUrl: string | URL, options?: LoadOptions): Promise<Model>;

/** One class of a row: its index, its label (when the bundle has labels) and its score. */
export interface Ranked {
  index: number;
  label: string | undefined;
  score: number;
}

/** The k best classes along the last axis, per row, best first (a string tensor is a TypeError). */
export function topK(tensor: Pick<Tensor, 'data' | 'dims'> | { data: ArrayLike<number | bigint>; dims: number[] }, k?: number,
  labels?: string[]): Ranked[][];

/** Check a manifest against the bundle schema; throws WebedgeError naming the first bad field. */
export function validateManifest(manifest: unknown, where?: string): Manifest;

/** Everything the loader refuses; `file` names the bundle file at fault. */
export class WebedgeError extends Error {
  constructor(message: string, options?: { file?: string; retryable?: boolean; cause?: unknown });
  readonly file: string | undefined;
  readonly retryable: boolean;
}


/** The loader's version (matches the Python package). */
export const version: string;
