/** The innermost message: an activity or child failure wraps the error that says what really went wrong. */
export function innermostMessage(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  while (e?.cause) e = e.cause as typeof e;
  return e?.message || String(err);
}
