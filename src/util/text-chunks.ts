/**
 * Pieces of text concatenated into chunks of at most about `maxChars` characters (a piece longer than
 * that is a chunk of its own): a report as large as a trajectory held without one string for all of
 * it (V8 caps a string near 512 MiB) nor one string per line.
 */
export function joinInChunks(pieces: Iterable<string>, maxChars = 1 << 20): string[] {
  const chunks: string[] = [];
  let current: string[] = [];
  let size = 0;
  for (const piece of pieces) {
    if (size > 0 && size + piece.length > maxChars) {
      chunks.push(current.join(''));
      current = [];
      size = 0;
    }
    current.push(piece);
    size += piece.length;
  }
  if (size > 0 || chunks.length === 0) chunks.push(current.join(''));
  return chunks;
}
