/** A real HTTP server on 127.0.0.1 (random port) standing in for a dataset mirror in tests. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Route = (request: http.IncomingMessage, response: http.ServerResponse, attempt: number) => void;

export interface MirrorServer {
  url: string;
  /** Every request seen: path and Range header. */
  requests: { path: string; range?: string }[];
  close(): Promise<void>;
}

/** Serves `bytes` honouring a `Range: bytes=N-` request with 206, as S3 and GCS do. */
export function serveBytes(bytes: Uint8Array): Route {
  return (request, response) => {
    const match = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
    const start = match ? Number(match[1]) : 0;
    if (start > bytes.length) {
      response.writeHead(416).end();
      return;
    }
    const headers: http.OutgoingHttpHeaders = {
      'content-length': bytes.length - start,
      'content-type': 'application/octet-stream',
    };
    if (match) headers['content-range'] = `bytes ${start}-${bytes.length - 1}/${bytes.length}`;
    response.writeHead(match ? 206 : 200, headers).end(Buffer.from(bytes.subarray(start)));
  };
}

/** Announces the full length, sends the first `cut` bytes, then drops the connection. */
export function dropAfter(bytes: Uint8Array, cut: number): Route {
  return (_request, response) => {
    response.writeHead(200, { 'content-length': bytes.length });
    response.write(Buffer.from(bytes.subarray(0, cut)), () => setTimeout(() => response.socket?.destroy(), 20));
  };
}

export async function startMirror(routes: Record<string, Route>): Promise<MirrorServer> {
  const requests: MirrorServer['requests'] = [];
  const attempts = new Map<string, number>();
  const server = http.createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    requests.push({ path, ...(request.headers.range ? { range: request.headers.range } : {}) });
    const attempt = (attempts.get(path) ?? 0) + 1;
    attempts.set(path, attempt);
    const route = routes[path];
    if (!route) response.writeHead(404).end('not found');
    else route(request, response, attempt);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
