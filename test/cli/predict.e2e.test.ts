import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot, runCli, userStderr } from '../helpers/cli.ts';
import { jpegWithFrame, pngBomb } from '../helpers/inflating-files.ts';
import { exportVersion, tempDir } from '../serving/helpers/export-version.ts';
import { modelConfig, startServer, type TestServer } from '../serving/helpers/test-server.ts';

let served: TestServer;
let imageFile: string;
const hostileDir = tempDir('cli-predict-hostile');
const hostile = (name: string, bytes: Uint8Array): string => {
  const file = path.join(hostileDir, name);
  fs.writeFileSync(file, bytes);
  return file;
};
const bombPng = hostile('bomb.png', pngBomb(20_000, 20_000));
const bomb50k = hostile('bomb-50k.png', pngBomb(50_000, 50_000));
const hugeJpeg = hostile('huge.jpg', jpegWithFrame(60_000, 60_000));
const hugeFile = path.join(hostileDir, 'huge-file.png');
fs.writeFileSync(hugeFile, pngBomb(10, 10));
fs.truncateSync(hugeFile, 300 * 2 ** 20); // sparse: 300 MiB long, nothing on disk
const blankPng = hostile(
  'blank.png',
  (() => {
    const blank = new PNG({ width: 40, height: 40 });
    blank.data.fill(255);
    return PNG.sync.write(blank);
  })(),
);

beforeAll(async () => {
  const base = tempDir('cli-predict');
  await exportVersion(base, 1);
  await exportVersion(base, 2);
  served = await startServer([modelConfig(base, { versionPolicy: { kind: 'all' }, versionLabels: { stable: 1 } })]);
  const png = new PNG({ width: 50, height: 60 });
  for (let i = 0; i < 50 * 60; i++) {
    const [x, y] = [i % 50, Math.floor(i / 50)];
    const ink = x > 20 && x < 28 && y > 8 && y < 52;
    png.data.set([ink ? 0 : 255, ink ? 0 : 255, ink ? 0 : 255, 255], i * 4);
  }
  imageFile = path.join(tempDir('cli-predict-image'), 'one.png');
  fs.writeFileSync(imageFile, PNG.sync.write(png));
}, 120_000);

afterAll(async () => {
  await served?.server.stop();
});

describe('mnist-serve predict', () => {
  it('classifies a PNG and prints the class and top scores', async () => {
    const result = await runCli(['predict', '--server', served.url, '--image', imageFile]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`model mnist version 2 (serving_default) at ${served.url}`);
    const escaped = imageFile.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    expect(result.stdout).toMatch(new RegExp(`${escaped}\\s+\\d\\s+\\d: 0\\.\\d{4}  \\d: 0\\.\\d{4}  \\d: 0\\.\\d{4}`));
  }, 60_000);

  it('prints one JSON object for test-split samples at a labelled version', async () => {
    const result = await runCli([
      'predict',
      '--server',
      served.url,
      '--label',
      'stable',
      '--sample',
      '0',
      '--sample',
      '5',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ server: served.url, model: 'mnist', version: 1, signature: 'serving_default' });
    expect(report.results).toHaveLength(2);
    for (const entry of report.results) {
      expect(entry.source).toMatch(/^sample \d$/);
      expect(entry.class).toBe(entry.top[0].class);
      expect(entry.expected).toBeGreaterThanOrEqual(0);
      expect(entry.top).toHaveLength(3);
      expect(entry.top[0].score).toBeGreaterThanOrEqual(entry.top[1].score);
    }
  }, 60_000);

  it.each([
    [['--version', '9', '--sample', '0'], 2, 'Servable not found for request: Specific(mnist, 9)'],
    [['--model-name', 'fashion', '--sample', '0'], 2, 'Servable not found for request: Latest(fashion)'],
    [['--label', 'beta', '--sample', '0'], 2, 'Unrecognized servable version label: beta'],
    [['--image', '/etc/hostname'], 2, '/etc/hostname: cannot read the image (not a PNG or JPEG file)'],
    [['--image', '/nonexistent.png'], 2, '--image /nonexistent.png: cannot read it (ENOENT)'],
    [['--sample', '999999'], 2, '--sample 999999: the test split has'],
    [
      ['--image', bomb50k],
      2,
      `${bomb50k}: a 50000×50000 PNG (2500 megapixels) ` +
        'is over the limit of 50 megapixels for a digit image; scale it down',
    ],
    [['--image', hugeJpeg], 2, `${hugeJpeg}: a 60000×60000 JPEG (3600 megapixels) is over the limit of 50 megapixels`],
    [
      ['--image', hugeFile],
      2,
      `--image ${hugeFile}: ${300 * 2 ** 20} bytes is more than the 256 MiB an image file may have`,
    ],
    [['--image', blankPng], 2, `${blankPng}: no digit found (the image is blank or one flat colour)`],
    [[], 2, 'give --image FILE… or --sample N…'],
  ])(
    'fails clearly for %j',
    async (args, code, message) => {
      const result = await runCli(['predict', '--server', served.url, ...args]);
      expect(result.code).toBe(code);
      expect(userStderr(result.stderr).join('\n')).toContain(message);
    },
    60_000,
  );

  it('refuses a 20000×20000 PNG from its header, with bounded memory', async () => {
    const peakRss = path.join(projectRoot, 'test', 'helpers', 'report-peak-rss.cjs');
    const result = await runCli(['predict', '--server', served.url, '--image', bombPng, '--json'], {
      nodeArgs: ['--require', peakRss],
    });
    expect(result.code).toBe(2);
    const message =
      `${bombPng}: a 20000×20000 PNG (400 megapixels) ` +
      'is over the limit of 50 megapixels for a digit image; scale it down';
    expect(JSON.parse(result.stdout)).toEqual({ error: { kind: 'usage', message } });
    expect(userStderr(result.stderr)[0]).toBe(`mnist-serve: error: ${message}`);
    // Measured: 1.2 s and 100 MB peak; decoding it first took 35 s and 3.2 GB.
    expect(Number(/\[peak-rss-mb\] (\d+)/.exec(result.stderr)![1])).toBeLessThan(300);
  }, 60_000);

  it('exits 1 when the server cannot be reached', async () => {
    const port = await freePort();
    const result = await runCli(['predict', '--server', `http://127.0.0.1:${port}`, '--sample', '0']);
    expect(result.code).toBe(1);
    expect(userStderr(result.stderr).join('\n')).toContain(
      `cannot reach the server at http://127.0.0.1:${port}/v1/models/mnist/metadata: ECONNREFUSED`,
    );
  }, 60_000);
});

/** A port nothing listens on: one the OS just handed out and was released. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
