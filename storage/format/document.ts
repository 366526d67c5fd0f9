/** Reading any of Cairn's bucket documents: JSON, of the expected format, of a version this Cairn knows. */
export function parseDocument<T extends { format: string; version: number }>(
  text: string, key: string, format: T['format'], versions: readonly number[],
): T {
  let doc: T;
  try {
    doc = JSON.parse(text) as T;
  } catch (err) {
    throw new Error(`${key} is not valid JSON: ${(err as Error).message}`);
  }
  if (doc?.format !== format) throw new Error(`${key} is not a ${format} document (format ${JSON.stringify(doc?.format)})`);
  if (!versions.includes(doc.version)) {
    throw new Error(`${key} is a ${format} of version ${doc.version}, which this Cairn does not know (it reads ${versions.join(', ')}); upgrade Cairn`);
  }
  return doc;
}
