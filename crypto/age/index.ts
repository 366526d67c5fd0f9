/**
 * The age v1 file format (https://age-encryption.org/v1) on node:crypto, interoperable with the reference
 * `age` CLI: X25519 recipients and identities, scrypt passphrases, streamed STREAM payloads.
 */
export { AgeError, type AgeErrorKind } from './errors';
export { generateIdentity, recipientFingerprint } from './keys';
export { scryptIdentity, scryptRecipient, x25519Identity, x25519Recipient, type Identity, type Recipient } from './recipients';
export { decryptStream, encryptStream } from './stream';
export { parseHeader } from './header';
