import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { PNG } from 'pngjs';
import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM_FASHION_MNIST_DIR } from '../../src/data/load-dataset.ts';
import { PINNED_DATASETS } from '../../src/data/pinned-files.ts';
import { encodeIdxLabels, IDX_IMAGES_MAGIC } from '../../src/formats/idx.ts';
import { binPath, projectRoot, runCli, type CliResult } from '../helpers/cli.ts';
import { gzipBomb } from '../helpers/inflating-files.ts';
import { tempDir, writeIdxDir } from './fixtures.ts';
import { serveBytes, startMirror, type MirrorServer } from './mirror-server.ts';

const execFileAsync = promisify(execFile);
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const tracer = path.join(projectRoot, 'test', 'helpers', 'module-load-tracer.cjs');
const peakRss = path.join(projectRoot, 'test', 'helpers', 'report-peak-rss.cjs');
const peakRssMb = (result: CliResult): number => Number(/\[peak-rss-mb\] (\d+)/.exec(result.stderr)![1]);
const withoutPeakRss = (stderr: string): string => stderr.replace(/\n\[peak-rss-mb\] \d+\n/, '');

/** The header of an IDX images file declaring `count` 28×28 images, as the real MNIST training file does with 60000. */
function imagesHeader(count: number): Uint8Array {
  const header = new Uint8Array(16);
  const view = new DataView(header.buffer);
  [IDX_IMAGES_MAGIC, count, 28, 28].forEach((value, i) => view.setUint32(4 * i, value));
  return header;
}

let server: MirrorServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('mnist-serve data', () => {
  it('data info works with no flags on the embedded digits without loading TensorFlow', async () => {
    const result = await runCli(['data', 'info'], { nodeArgs: ['--require', tracer] });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^dataset\s+mnist$/m);
    expect(result.stdout).toMatch(/^train\s+8000$/m);
    expect(result.stdout).toMatch(/^test\s+2000$/m);
    expect(result.stdout).toMatch(/^checksum\s+verified$/m);
    expect(result.stderr).toContain('[tracer] engine-loaded=false');
  });

  it('data info stays fast: under 3 s of CPU time (about 1.3 s idle, 1 s of it starting the CLI)', async () => {
    // bash's `time` reports the child's user + system CPU seconds, which other load barely changes.
    const { stderr } = await execFileAsync(
      'bash',
      ['-c', `TIMEFORMAT='%U %S'; time "${process.execPath}" "${binPath}" data info >/dev/null`],
      { cwd: projectRoot },
    );
    const [user, system] = stderr.trim().split('\n').pop()!.split(' ').map(Number);
    expect(user! + system!).toBeGreaterThan(0);
    expect(user! + system!).toBeLessThan(3);
  });

  it('data info --json reports counts per split and class, shape, source and checksums', async () => {
    const dir = tempDir();
    writeIdxDir(dir, { train: 30, test: 10, gzip: true });
    const result = await runCli(['--json', 'data', 'info', '--data-dir', dir]);
    expect(result.code).toBe(0);
    const info = JSON.parse(result.stdout);
    expect(info).toMatchObject({
      name: 'idx',
      source: dir,
      imageShape: [28, 28, 1],
      numClasses: 10,
      train: { count: 30, perClass: [3, 3, 3, 3, 3, 3, 3, 3, 3, 3] },
      test: { count: 10, perClass: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1] },
      checksum: { status: 'unpinned' },
    });
    expect(info.checksum.files).toHaveLength(4);
    expect(info.checksum.files[0]).toMatchObject({
      file: path.join(dir, 'train-images-idx3-ubyte.gz'),
      expected: null,
    });
  });

  it(
    'data info reports a mismatch with the expected and actual hashes ' +
      'when named Fashion-MNIST files are not the published ones',
    async () => {
      const dir = tempDir();
      const written = writeIdxDir(dir, { train: 30, test: 10 });
      const pins = PINNED_DATASETS['fashion-mnist'].files;
      const expected = Object.entries(written).map(([base, bytes]) => ({
        file: path.join(dir, base),
        sha256: sha256(bytes),
        expected: pins.find((pin) => pin.file === `${base}.gz`)!.sha256,
      }));

      const json = await runCli(['--json', 'data', 'info', '--data', 'fashion-mnist', '--data-dir', dir]);
      expect(json.code, json.stderr).toBe(0);
      const info = JSON.parse(json.stdout);
      expect(info).toMatchObject({ name: 'fashion-mnist', source: dir });
      expect(info.checksum).toEqual({ status: 'mismatch', files: expected });

      const text = await runCli(['data', 'info', '--data', 'fashion-mnist', '--data-dir', dir]);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toMatch(/^checksum\s+mismatch$/m);
      for (const file of expected)
        expect(text.stdout).toContain(`          ${file.file}: expected ${file.expected}, got ${file.sha256}\n`);
    },
  );

  it('data show prints the digit as ASCII art with its label and writes a PNG', async () => {
    const png = path.join(tempDir(), 'digit.png');
    const result = await runCli(['data', 'show', '--index', '3', '--split', 'test', '--png', png]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(28 + 2);
    expect(lines.slice(0, 28).join('')).toMatch(/@@/);
    expect(lines[28]).toMatch(/^mnist test\[3\] {2}label \d$/);
    const image = PNG.sync.read(fs.readFileSync(png));
    expect([image.width, image.height]).toEqual([112, 112]);
  });

  it('data show --json gives the label and the 28×28 pixels', async () => {
    const result = await runCli(['--json', 'data', 'show', '--index', '0']);
    const shown = JSON.parse(result.stdout);
    expect(shown).toMatchObject({ dataset: 'mnist', split: 'train', index: 0, png: null });
    expect(shown.label).toBeGreaterThanOrEqual(0);
    expect(shown.pixels).toHaveLength(28);
    expect(shown.pixels[0]).toHaveLength(28);
  });

  it('data grid --count 16 writes a 4×4 PNG and lists the labels row by row', async () => {
    const png = path.join(tempDir(), 'grid.png');
    const result = await runCli(['--json', 'data', 'grid', '--count', '16', '--png', png, '--scale', '1']);
    expect(result.code).toBe(0);
    const grid = JSON.parse(result.stdout);
    expect(grid).toMatchObject({
      dataset: 'mnist',
      split: 'train',
      columns: 4,
      indices: Array.from({ length: 16 }, (_, i) => i),
    });
    expect(grid.labels).toHaveLength(16);
    const image = PNG.sync.read(fs.readFileSync(png));
    expect([image.width, image.height]).toEqual([4 * 28 + 3, 4 * 28 + 3]);
  });

  it('exits 2 with one line for an index outside the split or a bad --data', async () => {
    const outside = await runCli(['data', 'show', '--index', '99999']);
    expect(outside.code).toBe(2);
    expect(outside.stderr.trim()).toBe(
      'mnist-serve: error: --index 99999: expected an integer from 0 to 7999 (the train split has 8000 images)',
    );
    const badData = await runCli(['data', 'info', '--data', 'cifar']);
    expect(badData.code).toBe(2);
    expect(badData.stderr).toMatch(/--data <name>.*cifar.*invalid/i);
    const badCount = await runCli(['data', 'grid', '--png', path.join(tempDir(), 'g.png'), '--count', '0']);
    expect(badCount.code).toBe(2);
    expect(badCount.stderr.trim()).toBe(
      "mnist-serve: error: option '--count <n>' argument '0' is invalid. expected an integer from 1 to 400",
    );
  });

  it('exits 1 with one line naming the --png path when it cannot be written, leaving nothing behind', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'file'), 'x');
    const png = path.join(dir, 'file', 'digit.png');
    const result = await runCli(['data', 'show', '--index', '0', '--png', png]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(`mnist-serve: error: ${png}: cannot write it (ENOTDIR: not a directory)`);
    expect(fs.readdirSync(dir)).toEqual(['file']);
  });

  it('exits 2 naming the file when an IDX file is corrupt', async () => {
    const dir = tempDir();
    writeIdxDir(dir);
    fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), Uint8Array.of(0, 0, 8, 1, 0, 0, 0, 1, 42));
    const result = await runCli(['data', 'info', '--data-dir', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      `mnist-serve: error: ${path.join(dir, 't10k-labels-idx1-ubyte')}: label 42 at index 0 is out of range 0–9`,
    );
  });

  it(
    'data info refuses a 1.9 MB .gz declaring 60000 images that inflates to 1.9 GB: ' +
      'exit 2, memory near the declared 47 MB',
    async () => {
      const dir = tempDir();
      writeIdxDir(dir, { gzip: true });
      const images = path.join(dir, 'train-images-idx3-ubyte.gz');
      fs.writeFileSync(images, gzipBomb(imagesHeader(60_000), 1_900_000_000));
      fs.writeFileSync(
        path.join(dir, 'train-labels-idx1-ubyte.gz'),
        encodeIdxLabels(new Uint8Array(60_000), { gzip: true }),
      );
      expect(fs.statSync(images).size).toBeLessThan(2_000_000);
      const result = await runCli(['data', 'info', '--data-dir', dir], { nodeArgs: ['--require', peakRss] });
      expect(result.code).toBe(2);
      expect(withoutPeakRss(result.stderr)).toBe(
        `mnist-serve: error: ${images}: the data goes on past the 47040000 bytes ` +
          'its 60000×28×28 header declares (not an IDX file, or a wrong header)\n',
      );
      // Measured: 0.9 s and 152 MB peak (85 MB for a small valid directory); before streaming, 23 s and 3.8 GB.
      expect(peakRssMb(result)).toBeLessThan(300);
    },
  );

  /** The fixture dataset's four .gz archives on a mirror at 127.0.0.1: well-formed, but not the published MNIST. */
  async function fixtureMirror(): Promise<{ archives: Record<string, Uint8Array>; url: string }> {
    const archives = writeIdxDir(tempDir(), { train: 20, test: 10, gzip: true });
    server = await startMirror(
      Object.fromEntries(Object.entries(archives).map(([file, bytes]) => [`/mnist/${file}`, serveBytes(bytes)])),
    );
    return { archives, url: `${server.url}mnist/` };
  }

  it(
    'data download (default --dataset mnist) refuses a file that does not match its pin: ' +
      'exit 1, one line naming the file and both hashes, nothing kept',
    async () => {
      const { archives, url } = await fixtureMirror();
      const cacheDir = tempDir();
      const images = 'train-images-idx3-ubyte.gz';
      const pin = PINNED_DATASETS.mnist.files.find((f) => f.file === images)!;
      const got = sha256(zlib.gunzipSync(archives[images]!));
      const expectedLine =
        `mnist-serve: error: ${images} from ${url}${images}: checksum mismatch: ` +
        `expected SHA-256 ${pin.sha256} of the IDX content, got ${got}; the file was removed`;

      const text = await runCli(['--quiet', 'data', 'download', '--mirror', url, '--cache-dir', cacheDir]);
      expect(text.code).toBe(1);
      expect(text.stdout).toBe('');
      expect(text.stderr).toBe(`${expectedLine}\n`);
      expect(fs.readdirSync(path.join(cacheDir, 'mnist'))).toEqual([]);

      const json = await runCli(['--json', 'data', 'download', '--mirror', url, '--cache-dir', cacheDir]);
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout)).toEqual({
        error: { kind: 'failure', message: expectedLine.replace('mnist-serve: error: ', '') },
      });
      expect(json.stderr.trim().split('\n').pop()).toBe(expectedLine);
      expect(fs.readdirSync(path.join(cacheDir, 'mnist'))).toEqual([]);
    },
  );

  it(
    'data download --mirror stops verifying a .gz that inflates past the pinned size: ' +
      'exit 1, nothing kept, memory bounded',
    async () => {
      const images = 'train-images-idx3-ubyte.gz';
      const pin = PINNED_DATASETS.mnist.files.find((f) => f.file === images)!;
      server = await startMirror({ [`/mnist/${images}`]: serveBytes(gzipBomb(imagesHeader(60_000), 1_900_000_000)) });
      const url = `${server.url}mnist/`;
      const cacheDir = tempDir();
      const result = await runCli(['--quiet', 'data', 'download', '--mirror', url, '--cache-dir', cacheDir], {
        nodeArgs: ['--require', peakRss],
      });
      expect(result.code).toBe(1);
      expect(withoutPeakRss(result.stderr)).toBe(
        `mnist-serve: error: ${images} from ${url}${images}: ` +
          `its content goes on past the ${pin.bytes} bytes of the pinned file; the file was removed\n`,
      );
      expect(fs.readdirSync(path.join(cacheDir, 'mnist'))).toEqual([]);
      expect(peakRssMb(result)).toBeLessThan(300);
    },
  );

  it(
    'data download reports a file missing on the mirror (HTTP 404) ' +
      'in one line, exit 1, with a hint to check --mirror',
    async () => {
      await fixtureMirror();
      const cacheDir = tempDir();
      const elsewhere = `${server!.url}elsewhere/`;
      const result = await runCli([
        '--json',
        'data',
        'download',
        '--dataset',
        'mnist',
        '--mirror',
        elsewhere,
        '--cache-dir',
        cacheDir,
      ]);
      expect(result.code).toBe(1);
      const message = `${elsewhere}train-images-idx3-ubyte.gz: not found on the mirror (HTTP 404); check --mirror`;
      expect(JSON.parse(result.stdout)).toEqual({ error: { kind: 'failure', message } });
      expect(result.stderr).toBe(`mnist-serve: error: ${message}\n`);
      expect(fs.readdirSync(path.join(cacheDir, 'mnist'))).toEqual([]);
    },
  );

  it('data download exits 2 with one line for a --mirror that is not http(s), before creating anything', async () => {
    const cacheDir = tempDir();
    const result = await runCli(['--json', 'data', 'download', '--mirror', 'ftp://x', '--cache-dir', cacheDir]);
    expect(result.code).toBe(2);
    const message = '--mirror ftp://x: expected an http:// or https:// URL';
    expect(JSON.parse(result.stdout)).toEqual({ error: { kind: 'usage', message } });
    expect(result.stderr).toBe(`mnist-serve: error: ${message}\n`);
    expect(fs.readdirSync(cacheDir)).toEqual([]);
  });

  it.skipIf(!fs.existsSync(SYSTEM_FASHION_MNIST_DIR))(
    'data download fetches Fashion-MNIST from a --mirror, ' +
      "verified against the pinned SHA-256s (serves Debian's dataset-fashion-mnist files)",
    async () => {
      const routes = Object.fromEntries(
        fs
          .readdirSync(SYSTEM_FASHION_MNIST_DIR)
          .map((file) => [`/fmnist/${file}`, serveBytes(fs.readFileSync(path.join(SYSTEM_FASHION_MNIST_DIR, file)))]),
      );
      server = await startMirror(routes);
      const cacheDir = tempDir();
      const download = await runCli([
        '--json',
        'data',
        'download',
        '--dataset',
        'fashion-mnist',
        '--mirror',
        `${server.url}fmnist/`,
        '--cache-dir',
        cacheDir,
      ]);
      expect(download.code).toBe(0);
      const result = JSON.parse(download.stdout);
      expect(result.directory).toBe(path.join(cacheDir, 'fashion-mnist'));
      expect(result).toMatchObject({ dataset: 'fashion-mnist', mirror: `${server.url}fmnist/` });
      expect(result.files).toEqual(
        PINNED_DATASETS['fashion-mnist'].files.map((pin) => ({
          file: pin.file,
          url: `${server!.url}fmnist/${pin.file}`,
          path: path.join(cacheDir, 'fashion-mnist', pin.file),
          status: 'downloaded',
          sha256: pin.sha256,
          bytes: pin.bytes,
        })),
      );
      const info = JSON.parse((await runCli(['--json', 'data', 'info', '--data-dir', result.directory])).stdout);
      expect(info.checksum).toMatchObject({ status: 'verified', matches: 'fashion-mnist' });
      expect(info.train.count).toBe(60_000);
    },
  );
});
