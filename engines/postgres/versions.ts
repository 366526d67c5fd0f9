/** Client/server version problems a restore would otherwise only reveal halfway, explained up front in one line. */
import { execFileSync } from 'node:child_process';
import type { Manifest } from '../../storage/format/manifest';
import { PermanentError } from '../engine';
import { majorOf, pgBinary } from './tools';

export function pgRestoreVersion(): string {
  try {
    return execFileSync(pgBinary('pg_restore'), ['--version'], { encoding: 'utf8' }).trim();
  } catch (err) {
    throw new PermanentError(`pg_restore is not runnable (${(err as Error).message.split('\n')[0]}): install the PostgreSQL client programs or set CAIRN_PG_BIN`);
  }
}

/** The pg_dump that wrote the archive, as the manifest recorded it (absent in manifests of hand-made restores). */
function dumpedWith(manifest: Manifest): string | undefined {
  const v = manifest.consistency?.dumpedWith;
  return typeof v === 'string' ? v : undefined;
}

export function checkVersions(manifest: Manifest, restoreVersion: string, serverVersion: string): void {
  const client = majorOf(restoreVersion.replace(/^\D+/, ''));
  const dump = dumpedWith(manifest);
  if (dump && majorOf(dump.replace(/^\D+/, '')) > client) {
    throw new PermanentError(`${restoreVersion} cannot read this archive, written by ${dump}: install pg_restore ${majorOf(dump.replace(/^\D+/, ''))} or newer (or point CAIRN_PG_BIN at it)`);
  }
  const server = majorOf(serverVersion);
  if (client >= 17 && server < 17) {
    throw new PermanentError(`${restoreVersion} emits 'SET transaction_timeout', which PostgreSQL ${serverVersion} rejects: restore with a pg_restore of major ${server}..16 (point CAIRN_PG_BIN at it)`);
  }
}

/** Rewrites pg_restore's own message for the version problems it reports only once it has started. */
export function explainRestoreFailure(err: Error, restoreVersion: string, serverVersion: string): Error {
  if (/unrecognized configuration parameter "transaction_timeout"/.test(err.message)) {
    return new PermanentError(`${restoreVersion} emits 'SET transaction_timeout', which PostgreSQL ${serverVersion} rejects: use a pg_restore no newer than the server (CAIRN_PG_BIN)`);
  }
  if (/unsupported version \([\d.]+\) in file header/.test(err.message)) {
    return new PermanentError(`${restoreVersion} is older than the pg_dump that wrote this archive (${err.message}): install a newer pg_restore (CAIRN_PG_BIN)`);
  }
  return err;
}
