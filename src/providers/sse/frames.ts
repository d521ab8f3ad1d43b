import { parseJson } from '../../json/parse.js';
import type { Json } from '../../json/value.js';
import { trimRust } from './unicode-whitespace.js';

/**
 * The live gateway's `text/event-stream` decoder (core `SseEventDecoder`), applied to a whole
 * captured stream: CRLF → LF, frames split on a blank line, `data:` lines (one optional leading
 * space removed) joined with `\n`, frames without a `data:` line dropped, `[DONE]` dropped, any other
 * payload parsed as JSON, and an unterminated last frame parsed at end of stream. `event:`, `id:`,
 * `retry:` and comment lines are ignored: consumers read the event name from the JSON `type`.
 */
export interface SseDecodeResult {
  /** Parsed payloads, in stream order, up to the first frame that failed. */
  events: Json[];
  /** Set when a frame's data was not JSON; the live stream fails there (the LLM end still follows). */
  error?: SseFrameError;
  /** Whether a `data: [DONE]` frame was read (the chat stream's end marker; dropped like the live decoder does). */
  done: boolean;
}

export interface SseFrameError {
  /** 0-based position of the failing frame among all frames of the stream. */
  frameIndex: number;
  message: string;
}

type FrameOutcome = { kind: 'skip'; done?: boolean } | { kind: 'event'; data: Json } | { kind: 'error'; message: string };

/**
 * Offline the whole stream is at hand, so frames are decoded one by one. Live, a read that delivered
 * a malformed frame also lost the valid frames of that same read (fixed after the seed by #504); with
 * frames arriving in separate reads, as streaming providers send them, the events before the bad
 * frame are kept, which is what this does.
 */
export function decodeSseStream(text: string): SseDecodeResult {
  const normalized = text.replace(/\r\n/g, '\n');
  const pieces = normalized.split('\n\n');
  // The last piece is what followed the final terminator: the unterminated tail frame.
  const tail = pieces.pop() as string;
  const frames = trimRust(tail) === '' ? pieces : [...pieces, tail];
  const events: Json[] = [];
  let done = false;
  for (const [frameIndex, frame] of frames.entries()) {
    const outcome = parseFrame(frame);
    if (outcome.kind === 'error') return { events, error: { frameIndex, message: outcome.message }, done };
    if (outcome.kind === 'event') events.push(outcome.data);
    else if (outcome.done) done = true;
  }
  return { events, done };
}

function parseFrame(frame: string): FrameOutcome {
  const dataLines: string[] = [];
  for (const line of frame.split('\n')) {
    if (!line.startsWith('data:')) continue;
    const rest = line.slice('data:'.length);
    dataLines.push(rest.startsWith(' ') ? rest.slice(1) : rest);
  }
  if (dataLines.length === 0) return { kind: 'skip' };
  const payload = dataLines.join('\n');
  const trimmed = trimRust(payload);
  if (trimmed === '[DONE]') return { kind: 'skip', done: true };
  try {
    return { kind: 'event', data: parseJson(trimmed) };
  } catch (error) {
    return { kind: 'error', message: `streaming codec failed to parse SSE data payload: ${(error as Error).message}: ${payload}` };
  }
}
