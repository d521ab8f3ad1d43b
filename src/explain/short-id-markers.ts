import { randomBytes } from 'node:crypto';
import type { Styles } from './palette.js';

/** How a marked cell is printed: a span's short id (`id`), a uuid printed whole (`uuid`), a column header (`head`). */
export type MarkKind = 'id' | 'uuid' | 'head';

/**
 * Short span ids are unique among every span of the input, so they are known only once it has ended,
 * while the overview is printed a trajectory at a time as the input is read. Each part is printed
 * with a marker wherever a short id goes and, in text, wherever a column holding them is padded (the
 * column is as wide as its widest id); the markers are filled in at the end. A marker carries a
 * random nonce, so that text of the input printed in the overview (span names, models) cannot forge
 * one; no marker is left in the output.
 */
export class ShortIdMarkers {
  /** Parts printed on a worker thread use the markers of the printer that fills them in: its prefix. */
  constructor(readonly prefix = `<<${randomBytes(8).toString('hex')}:`) {}

  /**
   * The marker of a cell: in column `col` of table `table` of a text part, padded and styled at the
   * end; with table -1 (JSON), only the short id, unpadded.
   */
  mark(kind: MarkKind, value: string, table = -1, col = 0): string {
    return `${this.prefix}${kind}:${table}:${col}:${value}>>`;
  }

  /**
   * A part with its markers filled in, short ids from `short`: in a text table, each marked cell is
   * padded to the widest cell of its column and then styled (headers dim, ids as ids).
   */
  fill(part: string, short: ReadonlyMap<string, string>, s?: Styles): string {
    return this.fillChunks([part], short, s)[0];
  }

  /**
   * {@link fill} for a part printed in chunks (no marker spans two): each chunk filled in, columns
   * padded to their widest cell across all of them.
   */
  fillChunks(chunks: readonly string[], short: ReadonlyMap<string, string>, s?: Styles): string[] {
    // Split at the markers (a string search, not a pattern: the parts are as large as the output).
    const split = chunks.map((chunk) => {
      const pieces = chunk.split(this.prefix);
      const marks = pieces.slice(1).map((piece) => {
        const end = piece.indexOf('>>');
        const [kind, table, col, value] = splitFields(piece.slice(0, end));
        return { text: kind === 'id' ? (short.get(value) ?? value) : value, kind, column: table === '-1' ? undefined : `${table}:${col}`, rest: piece.slice(end + 2) };
      });
      return { head: pieces[0], marks };
    });
    const widths = new Map<string, number>();
    for (const { marks } of split) for (const m of marks) if (m.column !== undefined) widths.set(m.column, Math.max(widths.get(m.column) ?? 0, m.text.length));
    return split.map(({ head, marks }, i) => {
      if (marks.length === 0) return chunks[i];
      const out = [head];
      for (const m of marks) {
        if (m.column === undefined || !s) out.push(m.text);
        else {
          const padded = m.text.padEnd(widths.get(m.column)!);
          out.push(m.kind === 'head' ? s.dim(padded) : s.id(padded));
        }
        out.push(m.rest);
      }
      return out.join('');
    });
  }
}

/** A marker's kind, table, column and value (everything after the third colon). */
function splitFields(fields: string): [string, string, string, string] {
  const a = fields.indexOf(':');
  const b = fields.indexOf(':', a + 1);
  const c = fields.indexOf(':', b + 1);
  return [fields.slice(0, a), fields.slice(a + 1, b), fields.slice(b + 1, c), fields.slice(c + 1)];
}
