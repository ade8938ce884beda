/**
 * Dynamic batching as TF Serving's BasicBatchScheduler does it: requests join the open batch until
 * it holds `maxBatchSize` rows or `batchTimeoutMicros` has passed since its first request; closed
 * batches wait in a queue of at most `maxEnqueuedBatches` (the open one included), and a request
 * that finds it full fails at once with UNAVAILABLE instead of growing memory. One merged engine
 * call answers every request in a batch; the rows are split back in order. A request whose
 * client gave up while it waited is left out of its batch when the batch runs.
 */
import { cancelled, invalidArgument, unavailable } from '../serving-errors.ts';
import { concatRows, padRows, sliceRows, type TensorMap } from '../servable/host-tensor.ts';

export interface BatchingParameters {
  maxBatchSize: number;
  batchTimeoutMicros: number;
  maxEnqueuedBatches: number;
  /** TF Serving's thread count; the embedded engine runs one batch at a time (the TF C API call is synchronous). */
  numBatchThreads: number;
  /** When set, batches are padded up to the next allowed size (the last must equal maxBatchSize). */
  allowedBatchSizes: number[];
}

/** The notebook's batching values, which `serving-config` writes and `serve --enable-batching` uses by default. */
export const DEFAULT_BATCHING: BatchingParameters = {
  maxBatchSize: 1024,
  batchTimeoutMicros: 1000,
  maxEnqueuedBatches: 100,
  numBatchThreads: 4,
  allowedBatchSizes: [],
};

export const QUEUE_FULL_MESSAGE = 'The batch scheduling queue to which this task was submitted is full';

export interface BatchObserver {
  batchRan(rows: number): void;
  queueDepthChanged(delta: number): void;
}

interface Task {
  inputs: TensorMap;
  rows: number;
  isCancelled: () => boolean;
  resolve: (outputs: TensorMap) => void;
  reject: (error: unknown) => void;
}

export class Batcher {
  private open: Task[] = [];
  private openRows = 0;
  private openKey = '';
  private timer: NodeJS.Timeout | undefined;
  private readonly queue: Task[][] = [];
  private scheduled = false;

  constructor(
    private readonly params: BatchingParameters,
    private readonly run: (inputs: TensorMap) => TensorMap,
    private readonly observer?: BatchObserver,
  ) {}

  submit(inputs: TensorMap, rows: number, isCancelled: () => boolean = () => false): Promise<TensorMap> {
    if (rows > this.params.maxBatchSize) {
      throw invalidArgument(`Task size ${rows} is larger than maximum input batch size ${this.params.maxBatchSize}`);
    }
    const key = compatibilityKey(inputs);
    if (this.open.length > 0 && (this.openRows + rows > this.params.maxBatchSize || key !== this.openKey))
      this.closeOpen();
    if (this.open.length === 0) {
      if (this.queue.length >= this.params.maxEnqueuedBatches) throw unavailable(QUEUE_FULL_MESSAGE);
      this.openKey = key;
      this.observer?.queueDepthChanged(1);
      this.timer = setTimeout(() => this.closeOpen(), this.params.batchTimeoutMicros / 1000);
    }
    return new Promise<TensorMap>((resolve, reject) => {
      this.open.push({ inputs, rows, isCancelled, resolve, reject });
      this.openRows += rows;
      if (this.openRows >= this.params.maxBatchSize) this.closeOpen();
    });
  }

  private closeOpen(): void {
    clearTimeout(this.timer);
    if (this.open.length === 0) return;
    this.queue.push(this.open);
    this.open = [];
    this.openRows = 0;
    this.schedule();
  }

  /** Runs on a later turn of the event loop, so requests already read from sockets join first. */
  private schedule(): void {
    if (this.scheduled || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const batch = this.queue.shift();
      if (batch) this.execute(batch);
      this.schedule();
    });
  }

  private execute(tasks: Task[]): void {
    this.observer?.queueDepthChanged(-1);
    const batch = tasks.filter((task) => {
      if (!task.isCancelled()) return true;
      task.reject(cancelled());
      return false;
    });
    if (batch.length === 0) return;
    const rows = batch.reduce((sum, task) => sum + task.rows, 0);
    const paddedRows = this.params.allowedBatchSizes.find((size) => size >= rows) ?? rows;
    try {
      const merged: TensorMap = {};
      for (const name of Object.keys(batch[0]!.inputs)) {
        merged[name] = padRows(concatRows(batch.map((task) => task.inputs[name]!)), paddedRows);
      }
      const outputs = this.run(merged);
      this.observer?.batchRan(rows);
      let start = 0;
      for (const task of batch) {
        const end = start + task.rows;
        task.resolve(
          Object.fromEntries(Object.entries(outputs).map(([name, tensor]) => [name, sliceRows(tensor, start, end)])),
        );
        start = end;
      }
    } catch (error) {
      for (const task of batch) task.reject(error);
    }
  }
}

/** Requests can share a batch when they feed the same inputs with the same per-row shape and dtype. */
function compatibilityKey(inputs: TensorMap): string {
  return Object.keys(inputs)
    .sort()
    .map((name) => `${name}:${inputs[name]!.dtype}:${inputs[name]!.shape.slice(1).join('x')}`)
    .join(';');
}
