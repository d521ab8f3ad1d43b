import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { eventsToTrajectory } from '../src/atif/export.js';
import type { Step, Trajectory } from '../src/atif/types.js';
import type { Json } from '../src/json/value.js';
import { resolveFixes, type FixName } from '../src/profiles/fixes.js';
import { providerDocument, readContentParts } from '../src/providers/images.js';
import { runCli, runJson } from './support/cli.js';
import { at, ev, P, uuid } from './support/events.js';
import { convert, fixture, seed } from './support/fixes.js';

/**
 * Fix document-blocks: a PDF or another file the agent sends a model has no ATIF part; it is left out
 * of the message (counted), not written as the content's JSON with its base64. The fixture (its other
 * checks are in fixes-profiles.test.ts) sends an Anthropic base64 PDF beside the user's text, an
 * Anthropic plain-text document, an OpenAI Chat file part (a PDF data URL) and a Responses message of an
 * input_file alone (after an earlier prompt).
 */
const N = 'document-blocks';
const text = (t: string) => ({ text: t, type: 'text' });
const userMessages = (t: Trajectory) => t.steps.filter((s) => s.source === 'user').map((s) => s.message);

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('document-blocks: the fixture', () => {
  it('documents are left out, plain text kept as a text part; relay-0.3 wrote the JSON with the base64', async () => {
    assert.deepEqual(userMessages(await convert(N)), [[text('Summarize this PDF.')], [text('alpha\nbeta'), text('Which words?')], [text('And this one?')], '']);
    const before = userMessages(await seed(N));
    assert.match(before[0] as string, /^\[\{"source":\{"data":"JVBERi0x/);
    assert.match(before[2] as string, /"file_data":"data:application\/pdf;base64,JVBERi0x/);
    // A Responses message of a file alone was passed over: the earlier prompt was written as this one.
    assert.equal(before[3], 'earlier question');
  });

  it('the summary and --report count the documents left out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'document-blocks-'));
    dirs.push(dir);
    const r = await runCli(['convert', fixture(N), '--session-id', 's', '-o', '-', '--report', join(dir, 'r.json')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /3 documents \(a PDF or another file\) left out of the messages: ATIF has no part for them; each request keeps them in extra\.llm_request/);
    const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as { documents_left_out?: number; images?: unknown };
    assert.deepEqual([report.documents_left_out, report.images], [3, undefined]);
  });

  it('explain --step names the fix', async () => {
    const step = await runJson<{ fixes?: string[] }>(['explain', fixture(N), '--session-id', 's', '--step', '1']);
    assert.deepEqual(step.fixes, [N]);
  });
});

const agent = { name: 'a', version: '1' };
const llm = (n: number, ms: number, phase: 'start' | 'end', data: Json) => ev({ category: 'llm', scope_category: phase, uuid: uuid(n), parent_uuid: P, timestamp: at(ms), name: 'llm', data });
const results = (s: Step) => s.observation?.results ?? [];

describe('document-blocks in tool results sent back', () => {
  // A gateway log of Claude Code reading a PDF: the next request's tool_result holds the document.
  const callRead = { content: [{ type: 'tool_use', id: 'toolu_1', name: 'Read', input: { file_path: '/w/a.pdf' } }], stop_reason: 'tool_use', role: 'assistant', type: 'message' };
  const pdf: Json = [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0xLjQK' } }];
  const events = (content: Json) => [
    llm(1, 0, 'start', { messages: [{ role: 'user', content: 'read a.pdf' }] }),
    llm(1, 5, 'end', callRead),
    llm(2, 10, 'start', { messages: [{ role: 'user', content: 'read a.pdf' }, { role: 'assistant', content: callRead.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content }] }] }),
    llm(2, 15, 'end', { content: [{ type: 'text', text: 'done' }], stop_reason: 'end_turn', role: 'assistant', type: 'message' }),
  ];
  const result = (content: Json, disable: FixName[] = []) => results(eventsToTrajectory(events(content), { sessionId: 's', agent, fixes: resolveFixes('default', [], disable) }).trajectory!.steps[1])[0];

  it('the result has no content (or its text), the blocks as sent in extra.tool_result, not the JSON as content', () => {
    const only = result(pdf);
    assert.deepEqual([only.content, only.extra?.tool_result], [undefined, pdf]);
    const withText = [{ type: 'text', text: 'PDF, 1 page' }, ...(pdf as Json[])];
    assert.deepEqual(result(withText).content, [text('PDF, 1 page')]);
    assert.match(result(pdf, [N]).content as string, /^\[\{"source":\{"data":"JVBERi0x/);
  });
});

describe('document-blocks: provider shapes', () => {
  it('reads each documented document block', () => {
    assert.deepEqual(providerDocument({ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'hi' } }), { text: 'hi', key: 'hi' });
    assert.deepEqual(providerDocument({ type: 'document', source: { type: 'content', content: 'hi' } }), { text: 'hi', key: 'hi' });
    assert.deepEqual(providerDocument({ type: 'document', source: { type: 'url', url: 'https://e.com/a.pdf' } }), { key: 'https://e.com/a.pdf' });
    assert.deepEqual(providerDocument({ type: 'file', file: { file_id: 'file-1' } }), { key: 'file-1' });
    assert.deepEqual(providerDocument({ type: 'input_file', file_id: 'file-2', filename: 'a.pdf' }), { key: 'file-2' });
    assert.equal(providerDocument({ type: 'image', source: {} }), undefined);
  });

  it('a content with an image is left to image-parts: without it, the content is read as before', () => {
    const content: Json = [{ type: 'image', source: { type: 'url', url: 'https://e.com/a.png' } }, { type: 'document', source: { type: 'text', data: 'x' } }];
    assert.equal(readContentParts(content, { document: () => undefined }), undefined);
    assert.deepEqual(readContentParts(content, { document: (d) => (d.text === undefined ? undefined : text(d.text)), image: () => undefined }), [text('x')]);
  });
});
