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
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.marked ? 0 : [...c.text].length)));
  return rows.map((row) => {
    let end = row.length;
    while (end > 0 && row[end - 1].text === '') end--;
    const parts = row.slice(0, end).map((c, i) => {
      if (c.marked) return c.text;
      const padded = i === end - 1 ? c.text : c.text + ' '.repeat(widths[i] - [...c.text].length);
      return c.style ? c.style(padded) : padded;
    });
    return indent + parts.join('  ');
  });
}
