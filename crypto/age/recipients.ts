/**
 * Who can open a file: X25519 recipients (public keys; the encrypting side never holds anything that can
 * decrypt) and scrypt passphrases. Each wraps the 16-byte file key into a header stanza, and each identity
 * tries to unwrap the stanzas of its own kind.
 */
import { generateKeyPairSync, hkdfSync, randomBytes, scryptSync } from 'node:crypto';
import { open, seal } from './aead';
import { AgeError } from './errors';
import { b64, fromB64, type Stanza } from './header';
import { parseIdentity, parseRecipient, rawPublicKey, recipientFingerprint, x25519, type X25519Identity } from './keys';

const ZERO_NONCE = Buffer.alloc(12);
const X25519_INFO = 'age-encryption.org/v1/X25519';
const SCRYPT_LABEL = 'age-encryption.org/v1/scrypt';
/** The work factor the age CLI uses by default (2^18), and the most we accept when decrypting. */
export const SCRYPT_LOG_N = 18;
const MAX_SCRYPT_LOG_N = 22;

export interface Recipient {
  /** what a manifest records: 'X25519:<16 hex>' or 'scrypt' */
  fingerprint: string;
  wrap(fileKey: Buffer): Stanza;
}

export interface Identity {
  /** fingerprints of the recipients this identity can open */
  fingerprint: string;
  /** the file key, undefined when no stanza is for this identity; throws when one is but does not open */
  unwrap(stanzas: Stanza[]): Buffer | undefined;
}

const wrapKey = (shared: Buffer, salt: Buffer) => Buffer.from(hkdfSync('sha256', shared, salt, X25519_INFO, 32));

export function x25519Recipient(text: string): Recipient {
  const r = parseRecipient(text);
  return {
    fingerprint: recipientFingerprint(r.text),
    wrap(fileKey) {
      const ephemeral = generateKeyPairSync('x25519').privateKey;
      const share = rawPublicKey(ephemeral);
      const key = wrapKey(x25519(ephemeral, r.publicKey), Buffer.concat([share, r.publicKey]));
      return { type: 'X25519', args: [b64(share)], body: seal(key, ZERO_NONCE, fileKey) };
    },
  };
}

export function x25519Identity(text: string): Identity {
  const id: X25519Identity = parseIdentity(text);
  return {
    fingerprint: recipientFingerprint(id.recipient.text),
    unwrap(stanzas) {
      for (const s of stanzas.filter((x) => x.type === 'X25519')) {
        if (s.args.length !== 1 || s.body.length !== 32) throw new AgeError('an X25519 stanza is malformed', 'BadHeader');
        const share = fromB64(s.args[0]!, 'X25519 share');
        if (share.length !== 32) throw new AgeError('an X25519 share is not 32 bytes', 'BadHeader');
        const key = wrapKey(x25519(id.privateKey, share), Buffer.concat([share, id.recipient.publicKey]));
        // A stanza for another recipient simply does not open: try the next one.
        const fileKey = open(key, ZERO_NONCE, s.body);
        if (fileKey) return fileKey;
      }
      return undefined;
    },
  };
}

function scryptKey(passphrase: string, salt: Buffer, logN: number): Buffer {
  const N = 2 ** logN;
  return scryptSync(Buffer.from(passphrase, 'utf8'), Buffer.concat([Buffer.from(SCRYPT_LABEL), salt]), 32, { N, r: 8, p: 1, maxmem: 256 * N * 8 });
}

export function scryptRecipient(passphrase: string, logN = SCRYPT_LOG_N): Recipient {
  return {
    fingerprint: 'scrypt',
    wrap(fileKey) {
      const salt = randomBytes(16);
      return { type: 'scrypt', args: [b64(salt), String(logN)], body: seal(scryptKey(passphrase, salt, logN), ZERO_NONCE, fileKey) };
    },
  };
}

export function scryptIdentity(passphrase: string): Identity {
  return {
    fingerprint: 'scrypt',
    unwrap(stanzas) {
      const s = stanzas.find((x) => x.type === 'scrypt');
      if (!s) return undefined;
      // The spec: a scrypt stanza must be alone, or a passphrase could be swapped in beside real recipients.
      if (stanzas.length !== 1) throw new AgeError('a scrypt stanza is not the only one in the header', 'BadHeader');
      const [salt64, logText] = s.args;
      if (s.args.length !== 2 || !/^[1-9][0-9]?$/.test(logText ?? '') || s.body.length !== 32) throw new AgeError('the scrypt stanza is malformed', 'BadHeader');
      const logN = Number(logText);
      if (logN > MAX_SCRYPT_LOG_N) throw new AgeError(`the scrypt work factor 2^${logN} is above the 2^${MAX_SCRYPT_LOG_N} accepted`, 'BadHeader');
      const salt = fromB64(salt64!, 'scrypt salt');
      if (salt.length !== 16) throw new AgeError('the scrypt salt is not 16 bytes', 'BadHeader');
      const fileKey = open(scryptKey(passphrase, salt, logN), ZERO_NONCE, s.body);
      if (!fileKey) throw new AgeError('the passphrase does not open this file', 'NoMatchingIdentity');
      return fileKey;
    },
  };
}
