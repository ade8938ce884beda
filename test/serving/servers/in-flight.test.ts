import { describe, expect, it, vi } from 'vitest';
import { InFlight } from '../../../src/serving/servers/in-flight.ts';

describe('InFlight', () => {
  it('is drained at once when nothing is in flight', async () => {
    expect(await new InFlight().drained(10_000)).toBe(true);
  });

  it('is drained when the last request in flight ends', async () => {
    const requests = new InFlight();
    requests.begin();
    requests.begin();
    const outcomes: boolean[] = [];
    void requests.drained(10_000).then((drained) => outcomes.push(drained));
    requests.end();
    await new Promise((resolve) => setImmediate(resolve)); // every settled promise has reported by now
    expect(outcomes, 'one request is still in flight').toEqual([]);
    requests.end();
    await vi.waitFor(() => expect(outcomes).toEqual([true]));
  });

  it('gives up after the timeout while a request is still in flight, not before', async () => {
    vi.useFakeTimers();
    try {
      const requests = new InFlight();
      requests.begin();
      const outcomes: boolean[] = [];
      void requests.drained(50).then((drained) => outcomes.push(drained));
      await vi.advanceTimersByTimeAsync(49);
      expect(outcomes).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(outcomes).toEqual([false]);
    } finally {
      vi.useRealTimers();
    }
  });
});
