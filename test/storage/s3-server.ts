/**
 * A real S3-compatible server (s3rver) on 127.0.0.1 on a random port, with one bucket, and the
 * standard AWS environment that points a client at it. s3rver checks signatures (wrong
 * credentials are refused) but ignores If-None-Match on PUT, as some S3-compatible stores do.
 */
import S3rver from 's3rver';
import { tempDir } from '../helpers/temp-dir.ts';

export const BUCKET = 'models';

export interface TestS3 {
  port: number;
  /** What a process needs to reach it: endpoint, credentials, region. */
  env: Record<string, string>;
  /** Stops the server; `restart()` brings it back on the same port with the same objects. */
  stop(): Promise<void>;
  restart(): Promise<void>;
}

export async function startS3(): Promise<TestS3> {
  const directory = tempDir('s3rver');
  const options = { address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: BUCKET, configs: [] }] };
  let server = new S3rver({ ...options, port: 0 });
  const { port } = (await server.run()) as { port: number };
  let running = true;
  return {
    port,
    env: {
      AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}`,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    async stop() {
      if (running) await server.close();
      running = false;
    },
    async restart() {
      server = new S3rver({ ...options, port });
      await server.run();
      running = true;
    },
  };
}

/** Points this process's S3 client at `s3` (set before the first store is opened: the client is shared). */
export function useS3(s3: TestS3): void {
  Object.assign(process.env, s3.env);
}
