/**
 * Encryption and object lock settings: bad values stop start-up naming the variable (never repeating a
 * secret), a passphrase cannot be mixed with recipients, and no key material survives serialisation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config/load';
import { generateIdentity, recipientFingerprint } from '../crypto/age';

const base = { CAIRN_TARGET_TYPES: 'postgres' };
const load = (env: Record<string, string>) => loadConfig({ ...base, ...env });

test('encryption is off by default, and on with recipients; identities come from a file with comments', () => {
  assert.deepEqual(load({}).encryption.recipients, []);
  const a = generateIdentity();
  const b = generateIdentity();
  const dir = mkdtempSync(path.join(tmpdir(), 'cairn-keys-'));
  writeFileSync(path.join(dir, 'identities'), `# created: today\n# public key: ${a.recipient}\n${a.identity}\n\n# the old one, kept for old backups\n${b.identity}\n`);
  const config = load({ BACKUP_ENCRYPTION_RECIPIENTS: `${a.recipient}, ${b.recipient}`, BACKUP_ENCRYPTION_IDENTITIES_FILE: path.join(dir, 'identities') });
  assert.deepEqual(config.encryption.recipients.map((r) => r.fingerprint), [recipientFingerprint(a.recipient), recipientFingerprint(b.recipient)]);
  assert.deepEqual(config.encryption.identities.map((i) => i.fingerprint), [recipientFingerprint(a.recipient), recipientFingerprint(b.recipient)]);
  const serialised = JSON.stringify(config);
  assert.ok(!serialised.includes(a.identity) && !serialised.includes(a.identity.slice(16, 40)), 'no identity in the serialised config');
});

test('bad keys stop start-up naming the variable, and a bad identity is never echoed', () => {
  assert.throws(() => load({ BACKUP_ENCRYPTION_RECIPIENTS: 'age1notakey' }), /config: BACKUP_ENCRYPTION_RECIPIENTS entry 1: 'age1notakey' is not an age X25519 recipient/);
  const secretish = 'AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ';
  assert.throws(() => load({ BACKUP_ENCRYPTION_IDENTITIES: `${generateIdentity().identity}\n${secretish}` }), (err: Error) =>
    /config: BACKUP_ENCRYPTION_IDENTITIES entry 2 is not an age identity/.test(err.message) && !err.message.includes(secretish));
  assert.throws(() => load({ BACKUP_ENCRYPTION_RECIPIENTS: generateIdentity().identity }), /BACKUP_ENCRYPTION_RECIPIENTS entry 1/);
});

test('a passphrase is its own recipient and identity, and cannot be mixed with recipients', () => {
  const config = load({ BACKUP_ENCRYPTION_PASSPHRASE: 'a long enough passphrase' });
  assert.deepEqual(config.encryption.recipients.map((r) => r.fingerprint), ['scrypt']);
  assert.deepEqual(config.encryption.identities.map((i) => i.fingerprint), ['scrypt']);
  assert.ok(!JSON.stringify(config).includes('a long enough passphrase'), 'the passphrase is not serialised');
  assert.throws(() => load({ BACKUP_ENCRYPTION_PASSPHRASE: 'a long enough passphrase', BACKUP_ENCRYPTION_RECIPIENTS: generateIdentity().recipient }),
    /config: BACKUP_ENCRYPTION_PASSPHRASE and BACKUP_ENCRYPTION_RECIPIENTS are both set/);
  assert.throws(() => load({ BACKUP_ENCRYPTION_PASSPHRASE: 'short' }), /config: BACKUP_ENCRYPTION_PASSPHRASE must be at least 12 characters/);
});

test('object lock settings: mode and days together, a known mode, a sane number of days', () => {
  assert.equal(load({}).storage.objectLock, undefined);
  assert.deepEqual(load({ BACKUP_LOCK_MODE: 'compliance', BACKUP_LOCK_DAYS: '30' }).storage.objectLock, { mode: 'COMPLIANCE', days: 30 });
  assert.throws(() => load({ BACKUP_LOCK_MODE: 'forever', BACKUP_LOCK_DAYS: '30' }), /config: BACKUP_LOCK_MODE must be GOVERNANCE or COMPLIANCE, got 'forever'/);
  assert.throws(() => load({ BACKUP_LOCK_MODE: 'GOVERNANCE' }), /config: BACKUP_LOCK_DAYS is required when BACKUP_LOCK_MODE is set/);
  assert.throws(() => load({ BACKUP_LOCK_DAYS: '30' }), /config: BACKUP_LOCK_DAYS is set but BACKUP_LOCK_MODE is not/);
  assert.throws(() => load({ BACKUP_LOCK_MODE: 'GOVERNANCE', BACKUP_LOCK_DAYS: '0' }), /config: BACKUP_LOCK_DAYS must be a whole number from 1 to 36500, got '0'/);
});
