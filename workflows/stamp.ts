/** UTC 'YYYYMMDD_HHMMSS': default destination names and ids are made from a workflow's start time. */
export function utcStamp(at: Date): string {
  return at.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '_');
}
