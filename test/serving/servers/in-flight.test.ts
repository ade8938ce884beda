import { describe, expect, it } from 'vitest';
import { InFlight } from '../../../src/serving/servers/in-flight.ts';

describe('InFlight', () => {
  it('is drained at once when nothing is in flight', async () => {
    expect(await new InFlight().drained(10_000)).toBe(true);
  });

  it('is drained when the last request in flight ends', async () => {
    const requests = new InFlight();
    requests.begin();
    requests.begin();
    const drained = requests.drained(10_000);
    requests.end();
    setTimeout(() => requests.end(), 20);
    expect(await drained).toBe(true);
  });

  it('gives up after the timeout while a request is still in flight', async () => {
    const requests = new InFlight();
    requests.begin();
    const started = performance.now();
    expect(await requests.drained(50)).toBe(false);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });
});
