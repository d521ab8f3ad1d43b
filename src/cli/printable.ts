/**
 * Diagnostics quote their input: a bad line's text, a file name, a payload. Written to a terminal as
 * they are, its control characters would act (an ESC sequence recolours the terminal or sets its
 * title, a carriage return overwrites the line, a NUL or line break cuts a one-line message). Every
 * control character (C0 but tab, DEL, C1) is shown as its \u escape instead; the rest of the text is
 * left as it is. Colours and the progress bar are added after, by the CLI itself.
 */
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;
const CONTROL_BUT_LINE_BREAKS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** `text` with its control characters escaped; `lines`: a message of several lines keeps its line breaks (\n). */
export function printable(text: string, lines = false): string {
  return text.replace(lines ? CONTROL_BUT_LINE_BREAKS : CONTROL, escapeOf);
}

const escapeOf = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
