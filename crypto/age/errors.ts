/** Every way an age file can be refused. Messages never contain key material or plaintext. */
export type AgeErrorKind = 'BadKey' | 'BadHeader' | 'NoMatchingIdentity' | 'Tampered' | 'Truncated';

export class AgeError extends Error {
  constructor(message: string, readonly kind: AgeErrorKind) {
    super(message);
    this.name = 'AgeError';
  }
}
