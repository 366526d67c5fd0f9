/**
 * Where backups meet age: what an encrypted artifact records (format and recipients' fingerprints, never a
 * key), and the decrypting stage of a read. Size and SHA-256 in a manifest are always the stored ciphertext's,
 * so an encrypted backup is verified whole without any private key.
 */
import type { Transform } from 'node:stream';
import { AgeError, decryptStream, encryptStream, parseHeader, type Identity, type Recipient } from '../crypto/age';
import { PermanentError, type ArtifactRecord } from '../engines/engine';

export interface ArtifactEncryption {
  format: 'age-v1';
  /** 'X25519:<first 16 hex of sha256(age1...)>' per recipient, or 'scrypt' for a passphrase */
  recipients: string[];
}

export const AGE_EXTENSION = 'age';
const IDENTITY_KEYS = 'BACKUP_ENCRYPTION_IDENTITIES (or BACKUP_ENCRYPTION_PASSPHRASE)';

export function encryptionRecord(recipients: Recipient[]): ArtifactEncryption {
  return { format: 'age-v1', recipients: recipients.map((r) => r.fingerprint) };
}

export function encryptor(recipients: Recipient[]): Transform {
  return encryptStream(recipients);
}

/** The configured identities that this artifact was encrypted to (by fingerprint). */
export function identitiesFor(artifact: ArtifactRecord, identities: Identity[]): Identity[] {
  const recorded = new Set(artifact.encryption?.recipients ?? []);
  return identities.filter((id) => recorded.has(id.fingerprint));
}

export function canDecrypt(artifacts: ArtifactRecord[], identities: Identity[]): boolean {
  return artifacts.every((a) => !a.encryption || identitiesFor(a, identities).length > 0);
}

/** Refuses, before anything is read or touched, a backup none of the configured identities can open. */
export function assertCanDecrypt(backupId: string, artifacts: ArtifactRecord[], identities: Identity[]): void {
  for (const a of artifacts) {
    if (!a.encryption) continue;
    if (a.encryption.format !== 'age-v1') throw new PermanentError(`stored object ${a.key} is encrypted as '${a.encryption.format}', which this Cairn cannot read; upgrade Cairn`, 'UnknownEncryption');
    if (identitiesFor(a, identities).length) continue;
    const have = identities.length ? `the ${identities.length} configured (${identities.map((i) => i.fingerprint).join(', ')}) match none of them` : 'none is configured';
    throw new PermanentError(`backup ${backupId} is encrypted to ${a.encryption.recipients.join(', ')}; ${have}. `
      + `Add the identity it was encrypted to (kept after a key rotation) to ${IDENTITY_KEYS}; nothing was changed`, 'NoMatchingIdentity');
  }
}

/** The decrypting stage for one artifact; its failures name the object and are permanent. */
export function decryptor(artifact: ArtifactRecord, identities: Identity[]): Transform {
  const matching = identitiesFor(artifact, identities);
  if (!matching.length) assertCanDecrypt(artifact.key, [artifact], identities);
  return decryptStream(matching, (err) => new PermanentError(`stored object ${artifact.key} cannot be decrypted: ${err.message}`,
    err.kind === 'NoMatchingIdentity' ? 'NoMatchingIdentity' : 'ChecksumMismatch'));
}

/**
 * What can be checked of an age file without a key: a well-formed header with one stanza per recorded
 * recipient, followed by at least a payload nonce and one sealed chunk.
 */
export function checkCiphertextShape(artifact: ArtifactRecord, head: Buffer, totalBytes: number): void {
  let header;
  try {
    header = parseHeader(head, head.length >= totalBytes);
  } catch (err) {
    if (err instanceof AgeError) throw new PermanentError(`stored object ${artifact.key} is not a whole age file: ${err.message}`, 'ValidationFailed');
    throw err;
  }
  if (!header) throw new PermanentError(`stored object ${artifact.key} has no age header end in its first ${head.length} bytes`, 'ValidationFailed');
  const expected = artifact.encryption!.recipients.length;
  if (header.stanzas.length !== expected) {
    throw new PermanentError(`stored object ${artifact.key} has ${header.stanzas.length} recipient stanzas, its manifest records ${expected}`, 'ValidationFailed');
  }
  if (totalBytes < header.length + 16 + 16) throw new PermanentError(`stored object ${artifact.key} ends before its encrypted payload`, 'ValidationFailed');
}
