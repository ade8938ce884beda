/**
 * A model base path on S3 (or MinIO, Ceph, R2): `s3://bucket/prefix/N/...`, the layout TF Serving
 * reads. S3 has no rename and a lister sees `N/` as soon as one object exists, so publishing is a
 * commit protocol instead:
 *   1. the version is built and verified in a local staging directory, and its manifest
 *      (every file's size and SHA-256: version-manifest.ts) computed;
 *   2. N is claimed by writing `N/mnist-serve-manifest.json` with `If-None-Match: *`: of two
 *      exports racing for N, the store lets one win; the other takes the next number, or fails
 *      (exit 1) when --version named N. Stores that ignore the condition (s3rver, old MinIO) let
 *      both through; readers still never load a mix, because files must match the manifest;
 *   3. variables/ and assets.extra/ are uploaded (SHA-256 checksums the store verifies);
 *   4. `N/saved_model.pb` goes last: the commit. A version is complete exactly when it exists,
 *      so an export killed at any earlier point leaves nothing a reader loads.
 * --force unpublishes first (deletes saved_model.pb, then the rest), then runs 2–4: a reader sees
 * the old version, no version, or the new one. Every download is checked against the manifest
 * (and against the store's own checksum where it returns one).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3ServiceException,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { field, fieldMessage, OperationalError, UserInputError } from '../errors.ts';
import { SAVED_MODEL_FILE } from './versions.ts';
import type { ModelStore, PublishedVersion, PublishRequest } from './model-store.ts';
import { s3Client, storeError } from './s3-client.ts';
import { s3Key, s3Uri, type S3Location } from './s3-location.ts';
import {
  MANIFEST_FILE,
  MAX_MANIFEST_BYTES,
  manifestOf,
  parseManifest,
  type VersionManifest,
} from './version-manifest.ts';

/** How often an export that lost the race for N tries the next number. */
const MAX_CLAIM_ATTEMPTS = 10;

interface StoredFile {
  path: string;
  size: number;
  /** Absent for a version another tool uploaded without our manifest. */
  sha256?: string;
}

interface Scan {
  /** Versions whose saved_model.pb exists. */
  complete: Set<number>;
  /** Every version with any object, complete or not (a claim, an interrupted export). */
  used: Set<number>;
  objects: Map<number, { key: string; path: string; size: number }[]>;
}

export class S3ModelStore implements ModelStore {
  readonly location: string;
  private readonly client: S3Client;

  constructor(private readonly where: S3Location) {
    this.location = s3Uri(where);
    this.client = s3Client();
  }

  async listVersions(): Promise<number[]> {
    const scan = await this.scan();
    return [...scan.complete].sort((a, b) => a - b);
  }

  versionLocation(version: number): string {
    return s3Uri(this.where, String(version));
  }

  async readVersion(version: number, targetDir: string): Promise<void> {
    const uri = this.versionLocation(version);
    try {
      for (const file of await this.filesOf(version)) {
        const local = path.join(targetDir, ...file.path.split('/'));
        fs.mkdirSync(path.dirname(local), { recursive: true });
        await this.download(s3Key(this.where, String(version), file.path), local, file);
      }
    } catch (error) {
      throw storeError(uri, 'read it', error);
    }
  }

  async publishVersion(request: PublishRequest): Promise<PublishedVersion> {
    const log = request.log ?? (() => {});
    let scan = await this.scan();
    let version = request.version ?? nextFree(scan);
    const uri = this.versionLocation(version);
    if (scan.used.has(version) && !request.force) {
      const why = scan.complete.has(version) ? 'already exists' : `holds an unfinished export (no ${SAVED_MODEL_FILE})`;
      throw new UserInputError([
        `${uri} ${why}; `,
        ...fieldMessage`pass ${field('force', true)} to replace it or ${field('version')} to choose another version`,
      ]);
    }
    const replaced = scan.complete.has(version);
    const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'mnist-serve-publish-'));
    try {
      await request.build(staging);
      const manifest = manifestOf(staging);
      if (request.force && scan.used.has(version)) {
        await this.unpublish(version, scan);
        await this.putSmall(version, MANIFEST_FILE, manifestBytes(manifest), false);
      } else {
        for (let attempt = 1; !(await this.claim(version, manifest)); attempt += 1) {
          if (request.version !== undefined)
            throw new OperationalError(
              `${this.versionLocation(version)}: another export claimed this version first; nothing was published`,
            );
          if (attempt >= MAX_CLAIM_ATTEMPTS)
            throw new OperationalError(
              `${this.location}: lost the race for a version number ${attempt} times; nothing was published`,
            );
          scan = await this.scan();
          const taken = version;
          version = Math.max(nextFree(scan), taken + 1);
          log(`version ${taken} was claimed by another export; trying ${version}`);
        }
      }
      const commit = manifest.files.find((file) => file.path === SAVED_MODEL_FILE);
      if (!commit) throw new OperationalError(`${staging}: the staged version has no ${SAVED_MODEL_FILE}`);
      await Promise.all(
        manifest.files
          .filter((file) => file !== commit)
          .map((file) => this.upload(version, file.path, path.join(staging, ...file.path.split('/')))),
      );
      await this.putSmall(
        version,
        SAVED_MODEL_FILE,
        fs.readFileSync(path.join(staging, SAVED_MODEL_FILE)),
        !request.force,
      );
      log(`published ${this.versionLocation(version)} (${manifest.files.length} files, ${SAVED_MODEL_FILE} last)`);
      return { version, location: this.versionLocation(version), replaced };
    } catch (error) {
      throw storeError(this.versionLocation(version), 'publish it', error);
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
  }

  /** One listing of everything under the prefix (a few objects per version, so one page for ~200 versions). */
  private async scan(): Promise<Scan> {
    const prefix = s3Key(this.where, '');
    const scan: Scan = { complete: new Set(), used: new Set(), objects: new Map() };
    try {
      for await (const page of paginateListObjectsV2(
        { client: this.client },
        { Bucket: this.where.bucket, Prefix: prefix },
      )) {
        for (const object of page.Contents ?? []) {
          const match = /^(\d+)\/(.+)$/.exec(object.Key!.slice(prefix.length));
          const version = Number(match?.[1]);
          if (!match || !Number.isSafeInteger(version)) continue;
          scan.used.add(version);
          if (match[2] === SAVED_MODEL_FILE) scan.complete.add(version);
          const objects = scan.objects.get(version) ?? [];
          objects.push({ key: object.Key!, path: match[2]!, size: object.Size ?? 0 });
          scan.objects.set(version, objects);
        }
      }
    } catch (error) {
      throw storeError(this.location, 'list versions', error);
    }
    return scan;
  }

  /** The manifest's files, or, for a version uploaded by another tool, the objects listed under it. */
  private async filesOf(version: number): Promise<StoredFile[]> {
    const manifest = await this.readManifest(version);
    if (manifest) return manifest.files;
    const objects = (await this.scan()).objects.get(version) ?? [];
    if (!objects.some((object) => object.path === SAVED_MODEL_FILE))
      throw new OperationalError(`not a complete version (no ${SAVED_MODEL_FILE})`);
    return objects.map(({ path: file, size }) => ({ path: file, size }));
  }

  private async readManifest(version: number): Promise<VersionManifest | undefined> {
    const key = s3Key(this.where, String(version), MANIFEST_FILE);
    const local = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mnist-serve-manifest-')), MANIFEST_FILE);
    try {
      await this.download(key, local, { path: MANIFEST_FILE, size: MAX_MANIFEST_BYTES, exactSize: false });
      return parseManifest(fs.readFileSync(local, 'utf8'), this.versionLocation(version));
    } catch (error) {
      if (
        error instanceof S3ServiceException &&
        (error.name === 'NoSuchKey' || error.$metadata?.httpStatusCode === 404)
      )
        return undefined;
      throw error;
    } finally {
      fs.rmSync(path.dirname(local), { recursive: true, force: true });
    }
  }

  /** Streams an object to `file`, refusing more bytes than expected and checking the SHA-256. */
  private async download(key: string, file: string, expected: StoredFile & { exactSize?: boolean }): Promise<void> {
    const answer = await this.client.send(
      new GetObjectCommand({ Bucket: this.where.bucket, Key: key, ChecksumMode: 'ENABLED' }),
    );
    const exact = expected.exactSize ?? true;
    const size = answer.ContentLength;
    if (size !== undefined && (exact ? size !== expected.size : size > expected.size)) {
      (answer.Body as Readable | undefined)?.destroy();
      throw new OperationalError(
        `${expected.path} is ${size} bytes, expected ${exact ? '' : 'at most '}${expected.size} ` +
          '(the version is being replaced, or is damaged)',
      );
    }
    const hash = createHash('sha256');
    let bytes = 0;
    const count = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        if (bytes > expected.size)
          return done(new OperationalError(`${expected.path} is larger than the ${expected.size} bytes expected`));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    await pipeline(answer.Body as Readable, count, fs.createWriteStream(file));
    if (
      (exact && bytes !== expected.size) ||
      (expected.sha256 !== undefined && hash.digest('hex') !== expected.sha256)
    ) {
      throw new OperationalError(
        `${expected.path} does not match the version's manifest (the version is being replaced, or is damaged)`,
      );
    }
  }

  /** Writes the manifest only if N has none: true when this export now owns N. */
  private async claim(version: number, manifest: VersionManifest): Promise<boolean> {
    try {
      await this.putSmall(version, MANIFEST_FILE, manifestBytes(manifest), true);
      return true;
    } catch (error) {
      const status = error instanceof S3ServiceException ? error.$metadata?.httpStatusCode : undefined;
      if (status === 412 || status === 409) return false;
      throw error;
    }
  }

  /** A PutObject carrying the SHA-256 we computed, which the store checks the body against. */
  private async putSmall(version: number, file: string, body: Buffer, onlyIfAbsent: boolean): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.where.bucket,
        Key: s3Key(this.where, String(version), file),
        Body: body,
        ChecksumSHA256: createHash('sha256').update(body).digest('base64'),
        ...(onlyIfAbsent && { IfNoneMatch: '*' }),
      }),
    );
  }

  /** lib-storage picks one PUT or a multipart upload by size; either way every part carries a SHA-256. */
  private async upload(version: number, file: string, local: string): Promise<void> {
    await new Upload({
      client: this.client,
      params: {
        Bucket: this.where.bucket,
        Key: s3Key(this.where, String(version), file),
        Body: fs.createReadStream(local),
        ChecksumAlgorithm: 'SHA256',
      },
    }).done();
  }

  /** --force: the commit object goes first, so the version disappears before any of its files change. */
  private async unpublish(version: number, scan: Scan): Promise<void> {
    await this.client.send(
      new DeleteObjectCommand({ Bucket: this.where.bucket, Key: s3Key(this.where, String(version), SAVED_MODEL_FILE) }),
    );
    const rest = (scan.objects.get(version) ?? []).filter((object) => object.path !== SAVED_MODEL_FILE);
    for (let i = 0; i < rest.length; i += 1000) {
      const batch = rest.slice(i, i + 1000);
      await this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.where.bucket,
          Delete: { Objects: batch.map((object) => ({ Key: object.key })), Quiet: true },
        }),
      );
    }
  }
}

function nextFree(scan: Scan): number {
  return scan.used.size === 0 ? 1 : Math.max(...scan.used) + 1;
}

function manifestBytes(manifest: VersionManifest): Buffer {
  return Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
}
