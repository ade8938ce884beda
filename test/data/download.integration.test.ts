import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { downloadDataset, maxArchiveBytes, type DownloadOptions } from '../../src/data/download.ts';
import { loadDataset } from '../../src/data/load-dataset.ts';
import type { PinnedFile } from '../../src/data/pinned-files.ts';
import { OperationalError, UserInputError } from '../../src/errors.ts';
import { encodeIdxImages, encodeIdxLabels } from '../../src/formats/idx.ts';
import { seededRandom } from '../../src/util/random.ts';
import { gzipBomb } from '../helpers/inflating-files.ts';
import { fixtureSplit, tempDir } from './fixtures.ts';
import { dropAfter, serveBytes, startMirror, type MirrorServer, type Route } from './mirror-server.ts';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Noisy pixels, so the archives are a few kB and transfers take several chunks. */
function noisySplit(count: number, seed: number): { images: Uint8Array; labels: Uint8Array } {
  const random = seededRandom(seed);
  return {
    images: Uint8Array.from({ length: count * 784 }, () => Math.floor(random() * 256)),
    labels: fixtureSplit(count).labels,
  };
}

/** A tiny but complete dataset: raw IDX content (what the pins hash) and its .gz archives. */
const train = noisySplit(20, 1);
const test = noisySplit(10, 2);
const content: Record<string, Uint8Array> = {
  'train-images-idx3-ubyte.gz': encodeIdxImages({ count: 20, rows: 28, cols: 28, data: train.images }),
  'train-labels-idx1-ubyte.gz': encodeIdxLabels(train.labels),
  't10k-images-idx3-ubyte.gz': encodeIdxImages({ count: 10, rows: 28, cols: 28, data: test.images }),
  't10k-labels-idx1-ubyte.gz': encodeIdxLabels(test.labels),
};
const archives = Object.fromEntries(
  Object.entries(content).map(([file, raw]) => [file, new Uint8Array(zlib.gzipSync(raw))]),
);
const pins: PinnedFile[] = Object.entries(content).map(([file, raw]) => ({
  file,
  sha256: sha256(raw),
  bytes: raw.length,
}));
const IMAGES = 'train-images-idx3-ubyte.gz';

let server: MirrorServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function mirror(overrides: Record<string, Route> = {}): Promise<MirrorServer> {
  const routes: Record<string, Route> = {};
  for (const [file, bytes] of Object.entries(archives)) routes[`/mnist/${file}`] = serveBytes(bytes);
  for (const [file, route] of Object.entries(overrides)) routes[`/mnist/${file}`] = route;
  server = await startMirror(routes);
  return server;
}

function download(mirrorServer: MirrorServer, cacheDir: string, extra: Partial<DownloadOptions> = {}) {
  return downloadDataset({
    dataset: 'mnist',
    mirror: `${mirrorServer.url}mnist`,
    cacheDir,
    pinnedFiles: pins,
    idleTimeoutMs: 2000,
    ...extra,
  });
}

describe('downloadDataset against a mirror on 127.0.0.1', () => {
  it('fetches, verifies and stores the four files, which then load as mnist-full', async () => {
    const cacheDir = tempDir();
    const result = await download(await mirror(), cacheDir);
    expect(result.directory).toBe(path.join(cacheDir, 'mnist'));
    expect(result.files.map((f) => [f.file, f.status, f.sha256])).toEqual(
      pins.map((p) => [p.file, 'downloaded', p.sha256]),
    );
    expect(fs.readdirSync(result.directory).sort()).toEqual(Object.keys(archives).sort());
    const dataset = await loadDataset({ data: 'mnist-full', cacheDir });
    expect([dataset.train.count, dataset.test.count]).toEqual([20, 10]);
  });

  it('reuses verified files on the next run without asking the mirror', async () => {
    const cacheDir = tempDir();
    const first = await mirror();
    await download(first, cacheDir);
    const before = first.requests.length;
    const again = await download(first, cacheDir);
    expect(again.files.every((f) => f.status === 'cached')).toBe(true);
    expect(first.requests.length).toBe(before);
  });

  it('resumes with an HTTP Range request after the connection drops mid-file', async () => {
    const cacheDir = tempDir();
    const bytes = archives[IMAGES]!;
    const cut = 4096;
    const drops: Route = (request, response, attempt) =>
      (attempt === 1 ? dropAfter(bytes, cut) : serveBytes(bytes))(request, response, attempt);
    const mirrorServer = await mirror({ [IMAGES]: drops });
    const result = await download(mirrorServer, cacheDir);
    expect(result.files[0]).toMatchObject({ file: IMAGES, status: 'resumed', sha256: pins[0]!.sha256 });
    expect(mirrorServer.requests.filter((r) => r.path.endsWith(IMAGES))).toEqual([
      { path: `/mnist/${IMAGES}` },
      { path: `/mnist/${IMAGES}`, range: `bytes=${cut}-` },
    ]);
  });

  it('continues a partial file left by an earlier run', async () => {
    const cacheDir = tempDir();
    const bytes = archives[IMAGES]!;
    fs.mkdirSync(path.join(cacheDir, 'mnist'), { recursive: true });
    fs.writeFileSync(path.join(cacheDir, 'mnist', `.${IMAGES}.partial`), bytes.subarray(0, 100));
    const mirrorServer = await mirror();
    const result = await download(mirrorServer, cacheDir);
    expect(result.files[0]!.status).toBe('resumed');
    expect(mirrorServer.requests[0]).toEqual({ path: `/mnist/${IMAGES}`, range: 'bytes=100-' });
  });

  it(
    'redoes the file whole once when a resumed file does not verify ' + '(a stale partial from another version)',
    async () => {
      const cacheDir = tempDir();
      const stale = new Uint8Array(
        zlib.gzipSync(encodeIdxImages({ count: 20, rows: 28, cols: 28, data: noisySplit(20, 9).images })),
      );
      fs.mkdirSync(path.join(cacheDir, 'mnist'), { recursive: true });
      fs.writeFileSync(path.join(cacheDir, 'mnist', `.${IMAGES}.partial`), stale.subarray(0, 1000));
      const mirrorServer = await mirror();
      const result = await download(mirrorServer, cacheDir);
      expect(result.files[0]).toMatchObject({ status: 'downloaded', sha256: pins[0]!.sha256 });
      expect(mirrorServer.requests.filter((r) => r.path.endsWith(IMAGES))).toEqual([
        { path: `/mnist/${IMAGES}`, range: 'bytes=1000-' },
        { path: `/mnist/${IMAGES}` },
      ]);
    },
  );

  it('replaces a file in the cache that no longer verifies', async () => {
    const cacheDir = tempDir();
    fs.mkdirSync(path.join(cacheDir, 'mnist'), { recursive: true });
    fs.writeFileSync(path.join(cacheDir, 'mnist', IMAGES), 'not gzip at all');
    const result = await download(await mirror(), cacheDir);
    expect(result.files[0]).toMatchObject({ status: 'downloaded', sha256: pins[0]!.sha256 });
  });

  it('redoes the file whole when the mirror ignores the Range request', async () => {
    const cacheDir = tempDir();
    const bytes = archives[IMAGES]!;
    const noRange: Route = (_request, response) =>
      response.writeHead(200, { 'content-length': bytes.length }).end(Buffer.from(bytes));
    const drops: Route = (request, response, attempt) =>
      (attempt === 1 ? dropAfter(bytes, 50) : noRange)(request, response, attempt);
    const result = await download(await mirror({ [IMAGES]: drops }), cacheDir);
    expect(result.files[0]).toMatchObject({ status: 'downloaded', sha256: pins[0]!.sha256 });
  });

  it(
    'rejects a file whose content does not match its pinned SHA-256, ' + 'naming both hashes, and keeps nothing of it',
    async () => {
      const cacheDir = tempDir();
      const other = new Uint8Array(
        zlib.gzipSync(encodeIdxImages({ count: 20, rows: 28, cols: 28, data: fixtureSplit(20, 1).images })),
      );
      const error = await download(await mirror({ [IMAGES]: serveBytes(other) }), cacheDir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OperationalError);
      expect((error as Error).message).toContain(
        `${IMAGES} from ${server!.url}mnist/${IMAGES}: checksum mismatch: expected SHA-256 ${pins[0]!.sha256}`,
      );
      expect((error as Error).message).toContain(`got ${sha256(zlib.gunzipSync(other))}`);
      expect(fs.readdirSync(path.join(cacheDir, 'mnist'))).toEqual([]);
    },
  );

  it('rejects a download that is not valid gzip and removes it', async () => {
    const cacheDir = tempDir();
    const broken = Uint8Array.from(archives[IMAGES]!);
    broken.fill(0x55, 20, 60);
    await expect(download(await mirror({ [IMAGES]: serveBytes(broken) }), cacheDir)).rejects.toThrow(
      new RegExp(`${IMAGES} from .*: not a valid gzip file \\(.*\\); the file was removed`),
    );
    expect(fs.readdirSync(path.join(cacheDir, 'mnist'))).toEqual([]);
  });

  it('reports a 404 with the URL and a hint to check --mirror', async () => {
    const cacheDir = tempDir();
    const mirrorServer = await mirror();
    await expect(
      downloadDataset({ dataset: 'mnist', mirror: `${mirrorServer.url}elsewhere/`, cacheDir, pinnedFiles: pins }),
    ).rejects.toThrow(`${mirrorServer.url}elsewhere/${IMAGES}: not found on the mirror (HTTP 404); check mirror`);
  });

  it('completes a slow transfer, reporting progress as bytes arrive', async () => {
    const cacheDir = tempDir();
    const bytes = archives[IMAGES]!;
    const slow: Route = (_request, response) => {
      response.writeHead(200, { 'content-length': bytes.length });
      let offset = 0;
      const tick = (): void => {
        const chunk = bytes.subarray(offset, offset + 1000);
        offset += chunk.length;
        if (offset >= bytes.length) response.end(Buffer.from(chunk));
        else response.write(Buffer.from(chunk), () => setTimeout(tick, 10));
      };
      tick();
    };
    const progress: number[] = [];
    const result = await download(await mirror({ [IMAGES]: slow }), cacheDir, {
      onProgress: ({ file, receivedBytes, totalBytes }) => {
        if (file === IMAGES) progress.push(receivedBytes);
        expect(totalBytes).toBe(file === IMAGES ? bytes.length : archives[file]!.length);
      },
    });
    expect(result.files[0]!.status).toBe('downloaded');
    expect(progress.length).toBeGreaterThan(2);
    expect(progress[progress.length - 1]).toBe(bytes.length);
  });

  it('gives up on a mirror that stops sending, keeping the partial file for the next run', async () => {
    const cacheDir = tempDir();
    const bytes = archives[IMAGES]!;
    const stall: Route = (_request, response) => {
      response.writeHead(200, { 'content-length': bytes.length });
      response.write(Buffer.from(bytes.subarray(0, 64)));
    };
    const error = await download(await mirror({ [IMAGES]: stall }), cacheDir, {
      idleTimeoutMs: 150,
      attempts: 2,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationalError);
    expect((error as Error).message).toMatch(
      /download interrupted \(no data for 0\.15 s after 64 of \d+ bytes\) 2 times; run the command again to resume/,
    );
    expect(fs.readdirSync(path.join(cacheDir, 'mnist'))).toEqual([`.${IMAGES}.partial`]);
  });

  it("stops a mirror that streams without end past the pinned file's size, leaving nothing behind", async () => {
    const cacheDir = tempDir();
    const endless: Route = (_request, response) => {
      response.writeHead(200); // chunked: no length announced
      const chunk = Buffer.alloc(65536, 7);
      const pump = (): void => {
        while (!response.destroyed && response.write(chunk));
        if (!response.destroyed) response.once('drain', pump);
      };
      pump();
    };
    const error = await download(await mirror({ [IMAGES]: endless }), cacheDir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationalError);
    expect((error as Error).message).toBe(
      `${server!.url}mnist/${IMAGES}: the server sends more than ${maxArchiveBytes(pins[0]!)} bytes, ` +
        'more than the file can be; stopped, and removed what was received',
    );
    expect(fs.readdirSync(path.join(cacheDir, 'mnist'))).toEqual([]);
  });

  it("refuses at once a transfer whose announced length is beyond the pinned file's size", async () => {
    const cacheDir = tempDir();
    const huge: Route = (_request, response) => {
      response.writeHead(200, { 'content-length': 100 * 1024 ** 3 });
      response.write(Buffer.alloc(65536));
    };
    await expect(download(await mirror({ [IMAGES]: huge }), cacheDir)).rejects.toThrow(
      `the server sends more than ${maxArchiveBytes(pins[0]!)} bytes`,
    );
    expect(fs.readdirSync(path.join(cacheDir, 'mnist'))).toEqual([]);
  });

  it('starts over when a partial file left by an earlier run is already longer than the file can be', async () => {
    const cacheDir = tempDir();
    const partial = path.join(cacheDir, 'mnist', `.${IMAGES}.partial`);
    fs.mkdirSync(path.dirname(partial), { recursive: true });
    fs.writeFileSync(partial, '');
    fs.truncateSync(partial, maxArchiveBytes(pins[0]!) + 1);
    const mirrorServer = await mirror();
    const result = await download(mirrorServer, cacheDir);
    expect(result.files[0]).toMatchObject({ status: 'downloaded', sha256: pins[0]!.sha256 });
    expect(mirrorServer.requests[0]).toEqual({ path: `/mnist/${IMAGES}` });
  });

  it('stops verifying a download that inflates past the pinned size (a gzip bomb), and removes it', async () => {
    const cacheDir = tempDir();
    const bomb = gzipBomb(content[IMAGES]!, 768 * 1024 ** 2);
    expect(bomb.length).toBeLessThan(maxArchiveBytes(pins[0]!));
    // The check streams through idxContent, which stops inflating early (test/formats/idx.test.ts counts it).
    await expect(download(await mirror({ [IMAGES]: serveBytes(bomb) }), cacheDir)).rejects.toThrow(
      `${IMAGES} from ${server!.url}mnist/${IMAGES}: ` +
        `its content goes on past the ${pins[0]!.bytes} bytes of the pinned file; the file was removed`,
    );
    expect(fs.readdirSync(path.join(cacheDir, 'mnist'))).toEqual([]);
  });

  it('rejects a --mirror that is not an http(s) URL', async () => {
    await expect(
      downloadDataset({ dataset: 'mnist', mirror: 'ftp://example.org/', cacheDir: tempDir() }),
    ).rejects.toBeInstanceOf(UserInputError);
  });
});
