/**
 * Cairn's age implementation (crypto/age) against the reference `age` CLI, both ways, for X25519 keys and
 * passphrases, at the sizes where chunking has edges; and every way of damaging a file is detected.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { decryptStream, encryptStream, generateIdentity, scryptIdentity, scryptRecipient, x25519Identity, x25519Recipient, type Identity, type Recipient } from '../crypto/age';
import { age, ageKeygen, ageWithPassphrase } from './support/age-cli';

const CHUNK = 64 * 1024;
// Empty, one byte, exactly one chunk, one byte over, exactly two chunks, and a few chunks and a bit.
const SIZES = [0, 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 12345];

async function run(input: Buffer, stage: NodeJS.ReadWriteStream): Promise<Buffer> {
  const out: Buffer[] = [];
  // Feed in odd-sized pieces so chunk boundaries never line up with the input's.
  const pieces = [];
  for (let i = 0; i < input.length; i += 7001) pieces.push(input.subarray(i, i + 7001));
  for await (const c of Readable.from(pieces).pipe(stage)) out.push(c as Buffer);
  return Buffer.concat(out);
}

const encrypt = (data: Buffer, recipients: Recipient[]) => run(data, encryptStream(recipients));
const decrypt = (data: Buffer, identities: Identity[]) => run(data, decryptStream(identities));

test('the age CLI decrypts what Cairn encrypts to X25519 recipients, at every chunk edge', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cairn-age-'));
  const { identity, recipient } = ageKeygen();
  const other = generateIdentity();
  writeFileSync(path.join(dir, 'key'), `${identity}\n`);
  for (const size of SIZES) {
    const plain = randomBytes(size);
    const sealed = await encrypt(plain, [x25519Recipient(other.recipient), x25519Recipient(recipient)]);
    const r = age(['-d', '-i', path.join(dir, 'key')], sealed);
    assert.equal(r.status, 0, `age -d failed for ${size} bytes: ${r.stderr}`);
    assert.ok(r.stdout.equals(plain), `age -d returned the plaintext of ${size} bytes`);
  }
});

test('Cairn decrypts what the age CLI encrypts to X25519 recipients, at every chunk edge', async () => {
  const { identity, recipient } = ageKeygen();
  for (const size of SIZES) {
    const plain = randomBytes(size);
    const r = age(['-r', recipient], plain);
    assert.equal(r.status, 0, r.stderr);
    assert.ok((await decrypt(r.stdout, [x25519Identity(generateIdentity().identity), x25519Identity(identity)])).equals(plain), `${size} bytes`);
  }
});

test('passphrases interoperate both ways with the age CLI (scrypt)', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cairn-age-'));
  const passphrase = 'correct horse battery staple';
  const plain = randomBytes(3 * CHUNK + 99);
  writeFileSync(path.join(dir, 'cairn.age'), await encrypt(plain, [scryptRecipient(passphrase)]));
  assert.equal(ageWithPassphrase(['-d', '-o', path.join(dir, 'out'), path.join(dir, 'cairn.age')], passphrase, 1), 0);
  assert.ok(readFileSync(path.join(dir, 'out')).equals(plain), 'age -d with the passphrase returns the plaintext');

  writeFileSync(path.join(dir, 'plain'), plain);
  assert.equal(ageWithPassphrase(['-p', '-o', path.join(dir, 'cli.age'), path.join(dir, 'plain')], passphrase, 2), 0);
  const fromCli = readFileSync(path.join(dir, 'cli.age'));
  assert.ok((await decrypt(fromCli, [scryptIdentity(passphrase)])).equals(plain), 'Cairn opens the CLI passphrase file');
  await assert.rejects(decrypt(fromCli, [scryptIdentity('not the passphrase')]), /passphrase does not open/);
});

test('a wrong identity, a flipped bit anywhere, a cut, or reordered chunks are each refused', async () => {
  const id = generateIdentity();
  const ids = [x25519Identity(id.identity)];
  const plain = randomBytes(3 * CHUNK + 500);
  const sealed = await encrypt(plain, [x25519Recipient(id.recipient)]);
  const headerEnd = sealed.indexOf('\n---') + 48; // "--- " + 43 base64 characters + newline
  const payload = headerEnd + 16;
  const sealedChunk = CHUNK + 16;

  await assert.rejects(decrypt(sealed, [x25519Identity(generateIdentity().identity)]), /none of the 1 configured identities opens this file/);
  const flip = (at: number) => { const b = Buffer.from(sealed); b[at] ^= 0x01; return b; };
  await assert.rejects(decrypt(flip(30), ids), /altered|malformed|base64|opens/, 'a bit in the header');
  await assert.rejects(decrypt(flip(headerEnd - 5), ids), /header|base64/, 'a bit in the MAC');
  await assert.rejects(decrypt(flip(headerEnd + 3), ids), /altered/, 'a bit in the payload nonce');
  await assert.rejects(decrypt(flip(payload + sealedChunk + 10), ids), /chunk 1 does not authenticate/, 'a bit in a middle chunk');
  await assert.rejects(decrypt(flip(sealed.length - 1), ids), /last chunk/, 'a bit in the last tag');
  await assert.rejects(decrypt(sealed.subarray(0, sealed.length - 1), ids), /cut short|altered/, 'one byte cut off');
  await assert.rejects(decrypt(sealed.subarray(0, payload + 2 * sealedChunk), ids), /last chunk/, 'cut at a chunk boundary');
  const swapped = Buffer.concat([sealed.subarray(0, payload), sealed.subarray(payload + sealedChunk, payload + 2 * sealedChunk),
    sealed.subarray(payload, payload + sealedChunk), sealed.subarray(payload + 2 * sealedChunk)]);
  await assert.rejects(decrypt(swapped, ids), /chunk 0 does not authenticate/, 'two chunks swapped');
  assert.ok((await decrypt(sealed, ids)).equals(plain), 'the undamaged file still opens');
});
