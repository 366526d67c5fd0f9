/**
 * The contract every database engine implements. Adding a database means adding one folder under
 * engines/ with a module exporting an Engine, and registering it in engines/registry.ts.
 */
import type { Readable } from 'node:stream';
import type { Target, TargetType } from '../config/types';

/** Counts used to validate a restore, by kind: e.g. { tables: { 'public.users': 10 } }. */
export type Counts = Record<string, Record<string, number>>;

export interface ArtifactSpec {
  /** distinguishes several artifacts of one backup (e.g. a Qdrant collection name); '' for the main one */
  part: string;
  /** file extension without the dot, e.g. 'dump', 'ndjson.gz', 'snapshot', 'json' */
  extension: string;
  /** gzip the stream on its way to storage (for formats that are not compressed already) */
  compress: boolean;
  contentType?: string;
  /** extra facts recorded in the manifest for this artifact (e.g. Qdrant's own checksum) */
  meta?: Record<string, unknown>;
}

export interface ArtifactRecord {
  part: string;
  key: string;
  sizeBytes: number;
  sha256: string;
  compressed: boolean;
  meta?: Record<string, unknown>;
}

export interface BackupContext {
  /** Streams `source` (through gzip when asked) and SHA-256 into storage in one pass; resolves once stored. */
  writeArtifact(spec: ArtifactSpec, source: Readable): Promise<ArtifactRecord>;
  /** Tells Temporal the activity is alive; cheap to call often (it is throttled). */
  heartbeat(progress?: Record<string, unknown>): void;
  /** Aborted when the activity is cancelled or times out: stop work and clean up. */
  signal: AbortSignal;
  log(message: string, fields?: Record<string, unknown>): void;
}

export interface EngineBackupResult {
  artifacts: ArtifactRecord[];
  sourceVersion: string;
  /** what point in time the backup represents, as precisely as the source can say */
  consistency: Record<string, unknown>;
  counts: Counts;
}

/** What validate() and restore() get: a way to read stored artifacts back. */
export interface ReadContext {
  /** Opens a fresh read stream of an artifact's stored bytes (decompressed when it was compressed). */
  open(artifact: ArtifactRecord): Promise<Readable>;
  heartbeat(progress?: Record<string, unknown>): void;
  signal: AbortSignal;
  log(message: string, fields?: Record<string, unknown>): void;
}

export interface HealthCheck {
  check: string;
  ok: boolean;
  detail: string;
  /** what to do about it, when not ok */
  fix?: string;
}

export interface Engine<T extends Target = Target> {
  readonly type: TargetType;
  /** Back the target up; every artifact goes through ctx.writeArtifact. */
  backup(target: T, ctx: BackupContext): Promise<EngineBackupResult>;
  /**
   * Check stored artifacts are structurally whole and agree with the recorded counts.
   * Throws an Error naming what is wrong.
   */
  validate(artifacts: ArtifactRecord[], counts: Counts, ctx: ReadContext): Promise<void>;
  /** Restore a backup's artifacts into `target` (which must be empty or new); throws naming what failed. */
  restore(target: T, artifacts: ArtifactRecord[], ctx: ReadContext): Promise<void>;
  /** Exact counts of the live source, in the same shape backup() records. */
  count(target: T): Promise<Counts>;
  /** Health checks for `cairn doctor`: reachable, credentials, versions, tools. */
  doctor(target: T): Promise<HealthCheck[]>;
}

/** Errors retrying cannot fix (bad credentials, missing database...). Activities turn them into non-retryable failures. */
export class PermanentError extends Error {
  constructor(message: string, readonly kind = 'PermanentError') {
    super(message);
    this.name = 'PermanentError';
  }
}
