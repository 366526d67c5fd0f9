/**
 * Client-side encryption (age v1) and object lock settings. Encryption is off unless recipients or a
 * passphrase are set. A backup worker needs only recipients (public keys), so it never holds anything that
 * reads old backups; restoring needs an identity. Keys are checked here, at start-up, and errors never
 * repeat a secret.
 */
import { AgeError, scryptIdentity, scryptRecipient, x25519Identity, x25519Recipient, type Identity, type Recipient } from '../crypto/age';
import { ConfigError } from './errors';
import { int, secret, str, type Source } from './read';

export interface EncryptionConfig {
  /** who new backups are encrypted to; empty: backups are written in the clear */
  recipients: Recipient[];
  /** what can open encrypted backups (restore, full validation); old identities stay listed after a rotation */
  identities: Identity[];
}

export interface ObjectLockConfig {
  mode: 'GOVERNANCE' | 'COMPLIANCE';
  days: number;
}

/** age's key files: one key per line, `#` comments and blank lines ignored; or a comma list. */
function keyLines(text: string): string[] {
  // Comments first (they may hold commas), then a comma list is allowed on a line, as in an environment variable.
  return text.split('\n').filter((l) => !l.trim().startsWith('#')).flatMap((l) => l.split(',')).map((k) => k.trim()).filter(Boolean);
}

function parseEach<T>(lines: string[], key: string, parse: (line: string) => T, secretValues: boolean): T[] {
  return lines.map((line, i) => {
    try {
      return parse(line);
    } catch (err) {
      if (!(err instanceof AgeError)) throw err;
      throw new ConfigError(key, secretValues ? `entry ${i + 1} is not an age identity (AGE-SECRET-KEY-1...)` : `entry ${i + 1}: ${err.message}`);
    }
  });
}

export function encryptionConfig(src: Source): EncryptionConfig {
  const recipientLines = keyLines(secret(src, 'BACKUP_ENCRYPTION_RECIPIENTS', 'BACKUP_ENCRYPTION_RECIPIENTS_FILE', ''));
  const passphrase = secret(src, 'BACKUP_ENCRYPTION_PASSPHRASE', 'BACKUP_ENCRYPTION_PASSPHRASE_FILE', '');
  const identityLines = keyLines(secret(src, 'BACKUP_ENCRYPTION_IDENTITIES', 'BACKUP_ENCRYPTION_IDENTITIES_FILE', ''));
  if (passphrase && recipientLines.length) {
    throw new ConfigError('BACKUP_ENCRYPTION_PASSPHRASE', 'and BACKUP_ENCRYPTION_RECIPIENTS are both set; age cannot combine a passphrase with other recipients, choose one');
  }
  if (passphrase && passphrase.length < 12) {
    throw new ConfigError('BACKUP_ENCRYPTION_PASSPHRASE', 'must be at least 12 characters');
  }
  const recipients = passphrase ? [scryptRecipient(passphrase)]
    : parseEach(recipientLines, 'BACKUP_ENCRYPTION_RECIPIENTS', x25519Recipient, false);
  const identities = parseEach(identityLines, 'BACKUP_ENCRYPTION_IDENTITIES', x25519Identity, true);
  // The passphrase opens what it encrypted; identities may still be listed for backups from before a switch.
  if (passphrase) identities.push(scryptIdentity(passphrase));
  return { recipients, identities };
}

export function objectLockConfig(src: Source): ObjectLockConfig | undefined {
  const mode = str(src, 'BACKUP_LOCK_MODE', '').toUpperCase();
  const daysSet = str(src, 'BACKUP_LOCK_DAYS', '') !== '';
  if (!mode) {
    if (daysSet) throw new ConfigError('BACKUP_LOCK_DAYS', 'is set but BACKUP_LOCK_MODE is not; set BACKUP_LOCK_MODE to GOVERNANCE or COMPLIANCE');
    return undefined;
  }
  if (mode !== 'GOVERNANCE' && mode !== 'COMPLIANCE') {
    throw new ConfigError('BACKUP_LOCK_MODE', `must be GOVERNANCE or COMPLIANCE, got '${str(src, 'BACKUP_LOCK_MODE')}'`);
  }
  if (!daysSet) throw new ConfigError('BACKUP_LOCK_DAYS', 'is required when BACKUP_LOCK_MODE is set (how many days each backup object stays locked)');
  return { mode, days: int(src, 'BACKUP_LOCK_DAYS', 0, 1, 36500) };
}
