/**
 * Where a JSON.parse failure is, as a line and column of the text: V8's messages name a character
 * position ("… at position 1234"), which a person cannot find in a file; undefined when the message
 * names none (e.g. "Unexpected end of JSON input").
 */
export function errorLineColumn(message: string, text: string): { line: number; column: number } | undefined {
  const at = /at position (\d+)/.exec(message);
  if (!at) return undefined;
  const position = Math.min(Number(at[1]), text.length);
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < position; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: position - lineStart + 1 };
}
