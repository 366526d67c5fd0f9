/** What a handler gets and gives back; the server turns replies into Qdrant's response envelope. */
import type { IncomingMessage } from 'node:http';

export interface Call {
  params: Record<string, unknown>;
  body: unknown;
  req: IncomingMessage;
}

export type Reply =
  /** 200 {"result": ..., "status": "ok", "time": ...} */
  | { result: unknown }
  /** 200 with a body that is not enveloped (GET / answers VersionInfo itself) */
  | { raw: unknown }
  /** 202 {"status": "accepted", "time": ...}: the work goes on after the answer (wait=false) */
  | { accepted: true }
  /** a file streamed as is */
  | { file: string; contentType: string };

export type Handler = (call: Call) => Promise<Reply>;

/** Qdrant's `wait` semantics: answer when done (default), or accept now and finish in the background. */
export async function timeOrAccept(wait: unknown, work: () => Promise<unknown>, onBackgroundError: (err: Error) => void): Promise<Reply> {
  if (wait !== false) return { result: await work() };
  work().catch(onBackgroundError);
  return { accepted: true };
}
