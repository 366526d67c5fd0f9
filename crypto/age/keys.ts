/**
 * age's native X25519 keys: recipients `age1...` (public) and identities `AGE-SECRET-KEY-1...` (private),
 * on node:crypto. A recipient's fingerprint (what manifests record) is a hash of the recipient string, so
 * an operator can tell which identity a backup needs without the manifest holding anything secret.
 */
import { createHash, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { bech32Decode, bech32Encode } from './bech32';
import { AgeError } from './errors';

// DER prefixes that wrap a raw 32-byte X25519 key as PKCS#8 / SubjectPublicKeyInfo, which node:crypto imports.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

export interface X25519Recipient {
  /** the `age1...` string */
  text: string;
  publicKey: Buffer;
}

export interface X25519Identity {
  recipient: X25519Recipient;
  privateKey: KeyObject;
}

export function publicKeyObject(raw: Buffer): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

export function rawPublicKey(key: KeyObject): Buffer {
  if (key.type === 'private') key = createPublicKey(key);
  return key.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
}

export function x25519(privateKey: KeyObject, publicRaw: Buffer): Buffer {
  const shared = diffieHellman({ privateKey, publicKey: publicKeyObject(publicRaw) });
  // A low-order point gives an all-zero secret, which the spec says to reject.
  if (shared.every((b) => b === 0)) throw new AgeError('an X25519 share is a low-order point', 'BadHeader');
  return shared;
}

export function parseRecipient(text: string): X25519Recipient {
  const decoded = bech32Decode(text.trim());
  if (!decoded || decoded.hrp !== 'age' || decoded.data.length !== 32 || text.trim() !== text.trim().toLowerCase()) {
    throw new AgeError(`'${text}' is not an age X25519 recipient (age1... , 62 characters)`, 'BadKey');
  }
  return { text: text.trim(), publicKey: decoded.data };
}

/** Parses an identity; the error never repeats the key itself. */
export function parseIdentity(text: string): X25519Identity {
  const t = text.trim();
  const decoded = bech32Decode(t);
  if (!decoded || decoded.hrp !== 'age-secret-key-' || decoded.data.length !== 32 || t !== t.toUpperCase()) {
    throw new AgeError(`an identity is not an age X25519 secret key (AGE-SECRET-KEY-1..., upper case)`, 'BadKey');
  }
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, decoded.data]), format: 'der', type: 'pkcs8' });
  const publicKey = rawPublicKey(createPublicKey(privateKey));
  return { privateKey, recipient: { text: bech32Encode('age', publicKey), publicKey } };
}

/** A new identity, as `age-keygen` makes them: returns both strings. */
export function generateIdentity(): { identity: string; recipient: string } {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  const secret = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length);
  return { identity: bech32Encode('age-secret-key-', secret, true), recipient: bech32Encode('age', rawPublicKey(publicKey)) };
}

/** What a manifest records of a recipient: 'X25519:' and the first 16 hex digits of SHA-256(age1...). */
export function recipientFingerprint(recipientText: string): string {
  return `X25519:${createHash('sha256').update(recipientText).digest('hex').slice(0, 16)}`;
}
