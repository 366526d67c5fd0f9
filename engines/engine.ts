/**
 * The contract every database engine implements. Adding a database means adding one folder under
 * engines/ with a module exporting an Engine, and registering it in engines/registry.ts.
 */
import type { Readable } from 'node:stream';
import type { Target, TargetType } from '../config/types';
import type { Manifest } from '../storage/format/manifest';

/** Counts used to validate a restore, by kind: e.g. { tables: { 'public.users': 10 } }. */
export type Counts = Record<string, Record<string, number>>;

export interface ArtifactSpec {
  /** distinguishes several artifacts of one backup (e.g. a Qdrant collection name); '' for the main one */
  part: string;
  /** file extension without the dot, e.g. 'dump', 'ndjson.gz', 'snapshot', 'json' */
  extension: string;
  /** gzip the stream on its way to storage (for formats that are not compressed already) */
  compress: boolean;
  /** gzip level 1-9 when compressing (default 6): a format that is cheap to encode can favour speed */
  compressLevel?: number;
  /** the source arrives already compressed with this (e.g. by a zstd child process): recorded, not applied again */
  encoded?: StoredEncoding;
  contentType?: string;
  /** extra facts recorded in the manifest for this artifact (e.g. Qdrant's own checksum) */
  meta?: Record<string, unknown>;
}

export interface ArtifactRecord {
  part: string;
  key: string;
  sizeBytes: number;
  sha256: string;
  /** the stored bytes are compressed: with gzip, unless `encoding` says otherwise */
  compressed: boolean;
  /** how the stored bytes are compressed when not gzip (absent in manifests written before zstd, meaning gzip) */
  encoding?: StoredEncoding;
  meta?: Record<string, unknown>;
  /** present when the stored bytes are an age file (storage/encryption.ts); size and sha256 are the ciphertext's */
  encryption?: import('../storage/encryption').ArtifactEncryption;
}

/** A compression applied by Cairn on the way to storage, undone by a verified read. */
export type StoredEncoding = 'gzip' | 'zstd';

/** The compression a stored artifact carries: what `encoding` says, else gzip when `compressed` (manifest versions 1-2). */
export function storedEncoding(a: Pick<ArtifactRecord, 'compressed' | 'encoding'>): StoredEncoding | undefined {
  if (!a.compressed) return undefined;
  return a.encoding ?? 'gzip';
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
  /** content fingerprints that a restore is later proven against (engine-specific JSON); omitted when turned off */
  proof?: Record<string, unknown>;
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

/**
 * Where a restore goes. Built by Engine.destination() from plain inputs (never sent through Temporal itself:
 * each activity rebuilds it from the same request, so connection secrets stay in the worker).
 */
export interface Destination<T extends Target = Target> {
  /** the connection to restore into: the source target, another configured target, or a drill target */
  target: T;
  /** what a person reads, without secrets: e.g. 'postgres 127.0.0.1:5432/app_restore_20261121_101500' */
  label: string;
  /** a stable key naming the destination, e.g. 'postgres/127.0.0.1:5432/app_restore_20261121_101500': two
   * restores with the same key never run at once */
  key: string;
  /** new names for the backup's parts, e.g. Qdrant collection -> collection to create; empty when kept */
  rename: Record<string, string>;
  /** the destination is one Cairn makes for this restore (a new database or collection), so teardown may drop it */
  created: boolean;
}

export interface DestinationRequest<T extends Target = Target> {
  /** the configured target the backup was taken from */
  source: T;
  manifest: Manifest;
  /** the operator's choice (engine-specific meaning, see each engine); absent: a new destination */
  into?: string;
  /** UTC 'YYYYMMDD_HHMMSS' of the restore's start, for default names like <db>_restore_<stamp> */
  stamp: string;
  purpose: 'restore' | 'drill';
  /** every configured target, to resolve `into` and to refuse a drill destination that is production */
  targets: Target[];
}

export interface RestoreOptions {
  /** replace a non-empty destination (the operator said --force); otherwise a non-empty destination is refused */
  replace: boolean;
  /** PostgreSQL: parallel pg_restore jobs (spools the archive to a local file) */
  jobs?: number;
  /** PostgreSQL: keep owners and privileges from the dump (default off: --no-owner --no-acl) */
  keepOwnership?: boolean;
  /**
   * Present when the backup was not verified yet (only for an engine with `verifiesWhileRestoring`): the engine
   * verifies every stored object (size, SHA-256, structural check) before touching the destination, from a local
   * copy it reads once, or by calling this (a full verified read of the store) when it cannot keep one.
   */
  verify?: () => Promise<VerifiedBackup>;
}

/** What verifying a backup checked, how many stored bytes it read, and how long it took. */
export interface VerifiedBackup { checks: string[]; bytesRead: number; ms?: number }

export interface RestoreOutcome {
  /** facts worth reporting, e.g. 'previous database kept as app_replaced_20261121_101500' */
  notes: string[];
  /** fingerprints taken on the destination while restoring, when an engine can only take them then */
  proof?: Record<string, unknown>;
  /** how the backup was verified, when the restore itself did it (RestoreOptions.verify) */
  verified?: VerifiedBackup;
}

/** One line of a validation report: what was compared, and whether it matched. */
export interface ProofCheck {
  check: string;
  ok: boolean;
  expected?: string;
  found?: string;
}

export interface ProofReport {
  checks: ProofCheck[];
  /** honest caveats, e.g. 'the source was written to during its backup: counts are not point-in-time' */
  notes: string[];
}

/** A user-defined drill check as an engine runs it: a query whose single value is returned as text. */
export interface CheckQuery {
  /** SQL (PostgreSQL) or Cypher (Neo4j) returning one row with one column */
  query?: string;
  /** Qdrant: the collection (its name in the backup) whose exact point count is the value */
  collection?: string;
}

/** What masking changed in a restored copy, one per rule: the report and `cairn restore` list these. */
export interface MaskedField {
  /** the rule's place in the config file, e.g. masking.app[0] */
  rule: string;
  /** e.g. public.oauth_tokens.access_token */
  field: string;
  /** hash, null, or value '***' */
  with: string;
  /** rows whose value was replaced (those that held a value) */
  changed: number;
}

/** An engine's masking capability (config/masking.ts): engines without it refuse masking rules at config load. */
export interface Masking<T extends Target = Target> {
  /** the configured target whose own data the destination is (masking it would damage production), if any */
  production(dest: Destination<T>, targets: Target[]): string | undefined;
  /**
   * Applies every rule to the restored destination, all or nothing. Idempotent: once it succeeded, another call
   * changes nothing and returns the first call's result (hashing a hash again would not be harmless).
   */
  apply(dest: Destination<T>, rules: import('../config/masking').MaskRule[], ctx: MaskContext): Promise<MaskedField[]>;
  /**
   * Runs once apply() has succeeded (and never before it, so apply's retries may rely on what finish removes):
   * clears what masking left behind (old row versions, progress marks). Idempotent.
   */
  finish(dest: Destination<T>, rules: import('../config/masking').MaskRule[], ctx: MaskContext): Promise<void>;
}

export type MaskContext = Pick<ReadContext, 'heartbeat' | 'signal' | 'log'>;

export interface Engine<T extends Target = Target> {
  readonly type: TargetType;
  /** Back the target up; every artifact goes through ctx.writeArtifact. */
  backup(target: T, ctx: BackupContext): Promise<EngineBackupResult>;
  /**
   * Check stored artifacts are structurally whole and agree with the recorded counts.
   * Throws an Error naming what is wrong.
   */
  validate(artifacts: ArtifactRecord[], counts: Counts, ctx: ReadContext): Promise<void>;
  /**
   * Where a restore of this backup goes. Pure (no I/O); throws PermanentError for an `into` it cannot honour,
   * or, for a drill, a destination that is (or points at the same database as) a configured production target.
   */
  destination(req: DestinationRequest<T>): Destination<T>;
  /** Whether the destination holds anything now, and what, in words an operator reads. */
  inspect(dest: Destination<T>): Promise<{ empty: boolean; detail: string }>;
  /**
   * Restore the artifacts into the destination, creating it when it does not exist. A non-empty destination
   * is refused (PermanentError) unless opts.replace.
   */
  restore(dest: Destination<T>, manifest: Manifest, ctx: ReadContext, opts: RestoreOptions): Promise<RestoreOutcome>;
  /** restore() honours RestoreOptions.verify: it verifies the backup itself before touching the destination */
  verifiesWhileRestoring?: boolean;
  /** Compares the restored destination with what the manifest recorded (counts, fingerprints, schema). */
  prove(dest: Destination<T>, manifest: Manifest, outcome: RestoreOutcome, ctx: ReadContext): Promise<ProofReport>;
  /** Removes what a restore created (drill teardown); idempotent; refuses a destination Cairn did not create. */
  drop(dest: Destination<T>): Promise<void>;
  /** Built-in smoke checks on a restored destination: it answers queries and its data is readable. */
  smoke(dest: Destination<T>): Promise<HealthCheck[]>;
  /** Runs a user-defined drill check on the destination and returns its value as text. */
  query(dest: Destination<T>, check: CheckQuery): Promise<string>;
  /** Exact counts of the live source, in the same shape backup() records. */
  count(target: T): Promise<Counts>;
  /** Health checks for `cairn doctor`: reachable, credentials, versions, tools. */
  doctor(target: T): Promise<HealthCheck[]>;
  /** Masking rules for copies leaving production (`cairn restore --mask`); absent: not supported. */
  masking?: Masking<T>;
}

/** Errors retrying cannot fix (bad credentials, missing database...). Activities turn them into non-retryable failures. */
export class PermanentError extends Error {
  constructor(message: string, readonly kind = 'PermanentError') {
    super(message);
    this.name = 'PermanentError';
  }
}
