/** A configuration problem, reported to the operator as one line naming the key and what is wrong. */
export class ConfigError extends Error {
  constructor(readonly key: string, readonly problem: string) {
    super(`config: ${key} ${problem}`);
    this.name = 'ConfigError';
  }
}
