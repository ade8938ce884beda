/**
 * A real HTTP proxy on 127.0.0.1 in front of s3rver that enforces `If-None-Match: *` on PUT, as
 * AWS S3 (and MinIO) do and s3rver does not: a conditional PUT of a key that exists answers 412
 * PreconditionFailed; conditional PUTs of one key are decided one at a time. Requests pass
 * through byte for byte (SigV4 signs the Host header, which is forwarded unchanged).
 * Every request is recorded, so a test can count downloads; `hold(key)` delays a PUT until released.
 * `race(key, racers)` holds the conditional PUTs of `key` until `racers` of them have arrived, so
 * a test can make exports collide on one version deterministically.
 */
import http from 'node:http';
import type net from 'node:net';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';

export interface ConditionalWriteProxy {
  port: number;
  /** Conditional PUTs answered 412, by key. */
  refused: string[];
  /** Every request that passed, as `METHOD key`: what a test counts downloads with. */
  requests: string[];
  race(key: string, racers: number): void;
  /** Holds every PUT of `key` until the returned function is called. */
  hold(key: string): () => void;
  close(): Promise<void>;
}

export async function startConditionalWriteProxy(
  upstreamPort: number,
  direct: S3Client,
): Promise<ConditionalWriteProxy> {
  const decided = new Map<string, Promise<void>>();
  const barriers = new Map<string, { racers: number; arrived: number; open: Promise<void>; release: () => void }>();
  const refused: string[] = [];
  const held = new Map<string, Promise<void>>();
  const requests: string[] = [];

  const forward = (request: http.IncomingMessage, response: http.ServerResponse, body: Buffer): Promise<void> =>
    new Promise((resolve, reject) => {
      const upstream = http.request(
        { host: '127.0.0.1', port: upstreamPort, method: request.method, path: request.url, headers: request.headers },
        (answer) => {
          response.writeHead(answer.statusCode!, answer.headers);
          answer.pipe(response);
          answer.on('end', resolve);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });

  const exists = async (bucket: string, key: string) => {
    try {
      await direct.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return true;
    } catch (error) {
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
      throw error;
    }
  };

  const server = http.createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(request.url!, 'http://proxy');
    const [, bucket = '', ...rest] = decodeURIComponent(url.pathname).split('/');
    const key = rest.join('/');
    requests.push(`${request.method} ${key}`);
    try {
      if (request.method === 'PUT') await held.get(key);
      // Multipart part uploads carry no condition of their own.
      if (request.method !== 'PUT' || request.headers['if-none-match'] !== '*' || url.searchParams.has('uploadId')) {
        await forward(request, response, body);
        return;
      }
      const barrier = barriers.get(key);
      if (barrier) {
        barrier.arrived += 1;
        if (barrier.arrived >= barrier.racers) barrier.release();
        await barrier.open;
      }
      const previous = decided.get(key) ?? Promise.resolve();
      const turn = previous.then(async () => {
        if (await exists(bucket, key)) {
          refused.push(key);
          response.writeHead(412, { 'content-type': 'application/xml' });
          response.end(
            '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PreconditionFailed</Code>' +
              '<Message>At least one of the pre-conditions you specified did not hold</Message></Error>',
          );
          return;
        }
        await forward(request, response, body);
      });
      decided.set(
        key,
        turn.catch(() => {}),
      );
      await turn;
    } catch (error) {
      response.writeHead(502).end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    refused,
    requests,
    race(key, racers) {
      let release!: () => void;
      const open = new Promise<void>((resolve) => (release = resolve));
      // A racer that never comes must not hang the test forever.
      setTimeout(release, 60_000).unref();
      barriers.set(key, { racers, arrived: 0, open, release });
    },
    hold(key) {
      let release!: () => void;
      held.set(key, new Promise<void>((resolve) => (release = resolve)));
      return () => {
        held.delete(key);
        release();
      };
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
