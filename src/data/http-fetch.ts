/**
 * One HTTP(S) GET of a URL into a local file with node's own http/https: resumes from the
 * file's current length with a Range request, follows redirects, gives up when the server
 * stays silent for `idleTimeoutMs`, and stops (removing the file) once it would outgrow `maxBytes`.
 * It reports what happened and leaves retrying to the caller.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { pipeline } from 'node:stream/promises';
import { field, fieldMessage, OperationalError } from '../errors.ts';

const MAX_REDIRECTS = 5;

export interface FetchOutcome {
  /** `complete`: all bytes arrived; `interrupted`: the connection dropped, the file holds a prefix. */
  state: 'complete' | 'interrupted';
  /** Whether the bytes were appended to an existing prefix (HTTP 206). */
  resumed: boolean;
  bytesOnDisk: number;
  totalBytes?: number;
  reason?: string;
}

export interface FetchOptions {
  idleTimeoutMs: number;
  /** The most bytes the file may reach; a server sending more is refused, so it cannot fill the disk. */
  maxBytes: number;
  onProgress?: (receivedBytes: number, totalBytes: number | undefined) => void;
}

interface OpenResponse {
  response: http.IncomingMessage;
  /** Whether the connection was closed by us because the server went silent. */
  stalled: () => boolean;
}

function get(url: URL, headers: Record<string, string>, idleTimeoutMs: number): Promise<OpenResponse> {
  const client = url.protocol === 'https:' ? https : http;
  let stalled = false;
  return new Promise((resolve, reject) => {
    const request = client.get(url, { headers: { 'user-agent': 'mnist-serve', ...headers } }, (response) =>
      resolve({ response, stalled: () => stalled }),
    );
    request.setTimeout(idleTimeoutMs, () => {
      stalled = true;
      request.destroy(new Error(`no data for ${idleTimeoutMs / 1000} s`));
    });
    request.on('error', reject);
  });
}

async function open(url: URL, offset: number, idleTimeoutMs: number): Promise<OpenResponse> {
  let current = url;
  for (let redirects = 0; ; redirects += 1) {
    const opened = await get(current, offset > 0 ? { range: `bytes=${offset}-` } : {}, idleTimeoutMs);
    const { response } = opened;
    const location = response.headers.location;
    if (response.statusCode && response.statusCode >= 300 && response.statusCode < 400 && location) {
      response.resume();
      if (redirects >= MAX_REDIRECTS) throw new OperationalError(`${url}: more than ${MAX_REDIRECTS} redirects`);
      current = new URL(location, current);
      continue;
    }
    return opened;
  }
}

/** Downloads `url` into `file`, continuing after the bytes already in `file`. */
export async function fetchToFile(url: URL, file: string, options: FetchOptions): Promise<FetchOutcome> {
  let offset = fs.existsSync(file) ? fs.statSync(file).size : 0;
  if (offset > options.maxBytes) {
    fs.rmSync(file);
    offset = 0;
  }
  let response: http.IncomingMessage;
  let stalled: () => boolean;
  try {
    ({ response, stalled } = await open(url, offset, options.idleTimeoutMs));
  } catch (error) {
    if (error instanceof OperationalError) throw error;
    return { state: 'interrupted', resumed: false, bytesOnDisk: offset, reason: (error as Error).message };
  }
  const status = response.statusCode ?? 0;
  if (status === 416) {
    // The prefix is not a prefix of this file (it changed, or it is complete and longer): redo.
    response.resume();
    fs.rmSync(file, { force: true });
    return { state: 'interrupted', resumed: false, bytesOnDisk: 0, reason: 'the server refused to resume (HTTP 416)' };
  }
  if (status !== 200 && status !== 206) {
    response.resume();
    if (status === 404)
      throw new OperationalError(fieldMessage`${url}: not found on the mirror (HTTP 404); check ${field('mirror')}`);
    throw new OperationalError(`${url}: ${`HTTP ${status} ${response.statusMessage ?? ''}`.trim()}`);
  }
  const resumed = status === 206 && offset > 0 && contentRangeStart(response) === offset;
  if (status === 206 && !resumed) {
    response.resume();
    fs.rmSync(file, { force: true });
    return {
      state: 'interrupted',
      resumed: false,
      bytesOnDisk: 0,
      reason: 'the server answered a range we did not ask for',
    };
  }
  const start = resumed ? offset : 0;
  const length = Number(response.headers['content-length'] ?? Number.NaN);
  const totalBytes = Number.isFinite(length) ? start + length : undefined;
  const tooLarge = new OperationalError(
    `${url}: the server sends more than ${options.maxBytes} bytes, ` +
      'more than the file can be; stopped, and removed what was received',
  );
  if (totalBytes !== undefined && totalBytes > options.maxBytes) {
    response.destroy();
    fs.rmSync(file, { force: true });
    throw tooLarge;
  }
  let received = start;
  response.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received > options.maxBytes) response.destroy(tooLarge);
    else options.onProgress?.(received, totalBytes);
  });
  try {
    await pipeline(response, fs.createWriteStream(file, { flags: resumed ? 'a' : 'w' }));
  } catch (error) {
    if (error === tooLarge) {
      fs.rmSync(file, { force: true });
      throw tooLarge;
    }
    const reason = stalled() ? `no data for ${options.idleTimeoutMs / 1000} s` : (error as Error).message;
    return { state: 'interrupted', resumed, bytesOnDisk: fs.statSync(file).size, totalBytes, reason };
  }
  const bytesOnDisk = fs.statSync(file).size;
  if (!response.complete || (totalBytes !== undefined && bytesOnDisk < totalBytes)) {
    return { state: 'interrupted', resumed, bytesOnDisk, totalBytes, reason: 'the connection closed early' };
  }
  return { state: 'complete', resumed, bytesOnDisk, totalBytes };
}

function contentRangeStart(response: http.IncomingMessage): number | undefined {
  const match = /^bytes (\d+)-/.exec(response.headers['content-range'] ?? '');
  return match ? Number(match[1]) : undefined;
}
