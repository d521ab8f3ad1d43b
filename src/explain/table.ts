/** One table cell: plain text (which sets the width) and an optional style applied after padding. */
export interface Cell {
  text: string;
  style?: (s: string) => string;
  /** A marker that pads and styles itself later (see ShortIdMarkers): printed as it is, and sets no width. */
  marked?: true;
}

export const cell = (text: string, style?: (s: string) => string): Cell => ({ text, style });

/** A cell whose text is a marker (every cell of its column is one; never the last cell of a row, which is not padded). */
export const markedCell = (marker: string): Cell => ({ text: marker, marked: true });

/**
 * Left-aligned columns separated by two spaces. Widths come from the plain text, so colour codes
 * never shift a column. A row ends at its last non-empty cell, which is not padded: no trailing
 * blanks, coloured or not.
 */
export function renderTable(rows: Cell[][], indent = '  '): string[] {
  const widths: number[] = [];
  // Each cell is measured once: its own width pads it, the widest of its column sets the padding.
  const cellWidths = rows.map((row) =>
    row.map((c, i) => {
      const w = c.marked ? 0 : codePoints(c.text);
      widths[i] = Math.max(widths[i] ?? 0, w);
      return w;
    }),
  );
  return rows.map((row, r) => {
    let end = row.length;
    while (end > 0 && row[end - 1].text === '') end--;
    const parts = row.slice(0, end).map((c, i) => {
      if (c.marked) return c.text;
      const padded = i === end - 1 ? c.text : c.text + ' '.repeat(widths[i] - cellWidths[r][i]);
      return c.style ? c.style(padded) : padded;
    });
    return indent + parts.join('  ');
  });
}

/**
 * The characters of a cell as a column counts them: code points, a surrogate pair being one. Only a
 * text holding a surrogate is spread into its characters: spreading every cell, twice, was a fifth
 * of the CPU time of an `explain` overview of a large log.
 */
export function codePoints(text: string): number {
  return HIGH_SURROGATE.test(text) ? [...text].length : text.length;
}

const HIGH_SURROGATE = /[\ud800-\udbff]/;
