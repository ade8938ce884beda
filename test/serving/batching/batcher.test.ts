import { describe, expect, it, vi } from 'vitest';
import { Batcher, QUEUE_FULL_MESSAGE, type BatchingParameters } from '../../../src/serving/batching/batcher.ts';
import type { HostTensor, TensorMap } from '../../../src/serving/servable/host-tensor.ts';

const params = (overrides: Partial<BatchingParameters> = {}): BatchingParameters => ({
  maxBatchSize: 8,
  batchTimeoutMicros: 5000,
  maxEnqueuedBatches: 10,
  numBatchThreads: 1,
  allowedBatchSizes: [],
  ...overrides,
});

/** An input of `rows` rows whose values are `first`, `first + 1`, … (one value per row). */
const rowsFrom = (first: number, rows: number): TensorMap => ({
  x: { dtype: 'DT_FLOAT', shape: [rows, 1], values: Float32Array.from({ length: rows }, (_, i) => first + i) },
});

/** A model that doubles its input and records the batch sizes it was called with. */
function doubler() {
  const calls: number[] = [];
  const run = (inputs: TensorMap): TensorMap => {
    const x = inputs.x as HostTensor;
    calls.push(x.shape[0]!);
    return {
      y: { dtype: 'DT_FLOAT', shape: x.shape, values: Float32Array.from(x.values as Float32Array, (v) => v * 2) },
    };
  };
  return { calls, run };
}

describe('Batcher', () => {
  it('merges concurrent requests into one engine call and gives each its own rows back', async () => {
    const model = doubler();
    const batcher = new Batcher(params(), model.run);
    const answers = await Promise.all([
      batcher.submit(rowsFrom(1, 2), 2),
      batcher.submit(rowsFrom(10, 1), 1),
      batcher.submit(rowsFrom(20, 3), 3),
    ]);
    expect(model.calls).toEqual([6]);
    expect(answers.map((answer) => Array.from(answer.y!.values as Float32Array))).toEqual([[2, 4], [20], [40, 42, 44]]);
    expect(answers[2]!.y!.shape).toEqual([3, 1]);
  });

  it('closes a batch at max_batch_size rows and starts the next', async () => {
    const model = doubler();
    const batcher = new Batcher(params({ maxBatchSize: 4 }), model.run);
    await Promise.all([3, 1, 2, 4].map((rows, i) => batcher.submit(rowsFrom(i * 10, rows), rows)));
    expect(model.calls).toEqual([4, 2, 4]);
  });

  it('runs a lone request once batch_timeout_micros has passed, not before', async () => {
    // Fake timers (the batch timeout and the turn it runs on): time moves only when the test says.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate'] });
    try {
      const model = doubler();
      const batcher = new Batcher(params({ batchTimeoutMicros: 20_000 }), model.run);
      const answer = batcher.submit(rowsFrom(0, 1), 1);
      await vi.advanceTimersByTimeAsync(19);
      expect(model.calls).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      await vi.runOnlyPendingTimersAsync(); // the closed batch runs on the next turn of the loop
      expect(model.calls).toEqual([1]);
      expect(Array.from((await answer).y!.values as Float32Array)).toEqual([0]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('pads a batch to the next allowed batch size and drops the padding from the answers', async () => {
    const model = doubler();
    const batcher = new Batcher(params({ allowedBatchSizes: [4, 8] }), model.run);
    const answer = await batcher.submit(rowsFrom(1, 3), 3);
    expect(model.calls).toEqual([4]);
    expect(Array.from(answer.y!.values as Float32Array)).toEqual([2, 4, 6]);
  });

  it('answers UNAVAILABLE when max_enqueued_batches batches are already waiting', async () => {
    const batcher = new Batcher(params({ maxBatchSize: 1, maxEnqueuedBatches: 2 }), doubler().run);
    const accepted = [batcher.submit(rowsFrom(0, 1), 1), batcher.submit(rowsFrom(1, 1), 1)];
    expect(() => batcher.submit(rowsFrom(2, 1), 1)).toThrow(
      expect.objectContaining({ code: 'UNAVAILABLE', message: QUEUE_FULL_MESSAGE }),
    );
    await Promise.all(accepted);
    await expect(batcher.submit(rowsFrom(3, 1), 1)).resolves.toBeDefined();
  });

  it('rejects a request larger than max_batch_size as INVALID_ARGUMENT', () => {
    const batcher = new Batcher(params({ maxBatchSize: 2 }), doubler().run);
    expect(() => batcher.submit(rowsFrom(0, 3), 3)).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: 'Task size 3 is larger than maximum input batch size 2',
      }),
    );
  });

  it('fails every request of a batch whose engine call fails', async () => {
    const batcher = new Batcher(params(), () => {
      throw new Error('engine broke');
    });
    const results = await Promise.allSettled([batcher.submit(rowsFrom(0, 1), 1), batcher.submit(rowsFrom(1, 1), 1)]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
  });

  it('keeps requests with different per-row shapes in different batches', async () => {
    const model = doubler();
    const batcher = new Batcher(params(), model.run);
    const wide: TensorMap = { x: { dtype: 'DT_FLOAT', shape: [1, 2], values: Float32Array.from([1, 2]) } };
    await Promise.all([batcher.submit(rowsFrom(0, 1), 1), batcher.submit(wide, 1)]);
    expect(model.calls).toEqual([1, 1]);
  });
});
