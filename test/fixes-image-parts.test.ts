import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { eventsToTrajectory } from '../src/atif/export.js';
import type { Step, Trajectory } from '../src/atif/types.js';
import type { Json } from '../src/json/value.js';
import { resolveFixes, type ProfileName } from '../src/profiles/fixes.js';
import { imageContentParts, providerImage, sniffImageMediaType } from '../src/providers/images.js';
import { ROOT, runCli, runJson } from './support/cli.js';
import { at, ev, P, uuid } from './support/events.js';
import { fixture, seed } from './support/fixes.js';

/**
 * Fix image-parts: images in prompts and tool results are ATIF image parts, their data a file beside
 * the trajectory. The fixture (its other checks are in fixes-profiles.test.ts) sends a 1×1 PNG as an
 * Anthropic base64 block, then again with the next prompt (Claude Code re-sends the history) beside an
 * Anthropic URL image, the PNG as an OpenAI Chat data URL beside an https JPEG, a GIF as a Responses
 * data URL, an image-only Responses message (a .webp URL), and a file_id and an extension-less URL.
 */
const N = 'image-parts';
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC';
const GIF = 'R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==';
const name = (b64: string, ext: string) => `images/${createHash('sha256').update(Buffer.from(b64, 'base64')).digest('hex').slice(0, 16)}.${ext}`;
const PNG_PATH = name(PNG, 'png');
const GIF_PATH = name(GIF, 'gif');
const image = (media_type: string, path: string) => ({ source: { media_type, path }, type: 'image' });
const text = (t: string) => ({ text: t, type: 'text' });

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'image-parts-'));
  dirs.push(d);
  return d;
};
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const userMessages = (t: Trajectory) => t.steps.filter((s) => s.source === 'user').map((s) => s.message);
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Trajectory;
const pythonValidator = join(ROOT, '..', 'shared', 'tools', 'atif_validate.py');
const noPython = spawnSync('python3', ['--version']).status === 0 ? false : 'python3 is not available';

async function convertTo(output: string, ...flags: string[]) {
  const r = await runCli(['convert', fixture(N), '--session-id', 's', '--no-observed-events', '-o', output, ...flags]);
  assert.equal(r.code, 0, r.stderr);
  return r;
}

describe('image-parts: the fixture written to a directory', () => {
  it('each provider shape is text and image parts; data images are files named by their content, written once', async () => {
    const dir = tempDir();
    const r = await convertTo(`${dir}/out/`);
    const t = readJson(join(dir, 'out', 'trajectory-s.json'));
    assert.deepEqual(userMessages(t), [
      [image('image/png', PNG_PATH), text('What is in this screenshot?')], // cache_control is not kept: parts are built closed
      [image('image/gif', 'https://example.com/diagram.gif'), text('And this one?')],
      [text('Compare these two.'), image('image/png', PNG_PATH), image('image/jpeg', 'https://example.com/photo.jpg?size=large')],
      [text('What does this chart say?'), image('image/gif', GIF_PATH)],
      [image('image/webp', 'https://example.com/chart.webp')],
      [text('And these?')],
    ]);
    // The PNG, sent three times, is one file; the bytes are the image's.
    assert.deepEqual(readdirSync(join(dir, 'out', 'images')).sort(), [GIF_PATH, PNG_PATH].map((p) => p.slice('images/'.length)).sort());
    assert.deepEqual(readFileSync(join(dir, 'out', PNG_PATH)), Buffer.from(PNG, 'base64'));
    assert.match(r.stderr, /wrote 2 images to images\/ beside the trajectories/);
    assert.match(r.stderr, /2 images left out of the messages as no ATIF image can show them \(an uploaded file's id/);
    // No base64 is left in any step message.
    assert.doesNotMatch(JSON.stringify(t.steps.map((s) => s.message)), /iVBOR|R0lGOD/);
  });

  it('--report lists the image files and the images not shown', async () => {
    const dir = tempDir();
    await convertTo(`${dir}/out/`, '--report', join(dir, 'r.json'), '-q');
    const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as { images: unknown; outputs: string[] };
    assert.deepEqual(report.images, { files: [join(dir, 'out', PNG_PATH), join(dir, 'out', GIF_PATH)], not_written: 0, not_shown: 2 });
    assert.deepEqual(report.outputs, [join(dir, 'out', 'trajectory-s.json')]);
  });

  it('atif_validate.py --strict --check-media passes (paths resolved beside the trajectory)', { skip: noPython }, async () => {
    const dir = tempDir();
    await convertTo(`${dir}/out/`, '-q');
    const run = spawnSync('python3', [pythonValidator, '--strict', '--check-media', 'trajectory-s.json'], { cwd: join(dir, 'out'), encoding: 'utf8' });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    // A file missing is caught: the check looks at the paths.
    rmSync(join(dir, 'out', PNG_PATH));
    assert.notEqual(spawnSync('python3', [pythonValidator, '--check-media', 'trajectory-s.json'], { cwd: join(dir, 'out') }).status, 0);
  });

  it('-o FILE writes the images to images/ beside the file', async () => {
    const dir = tempDir();
    await convertTo(join(dir, 'one.json'), '-q');
    assert.deepEqual(readdirSync(dir).sort(), ['images', 'one.json']);
    assert.deepEqual(readJson(join(dir, 'one.json')).steps[0].message, [image('image/png', PNG_PATH), text('What is in this screenshot?')]);
    assert.deepEqual(readFileSync(join(dir, GIF_PATH)), Buffer.from(GIF, 'base64'));
  });

  it('an image file is never written over an input', async () => {
    const dir = tempDir();
    const input = join(dir, 'images', PNG_PATH.slice('images/'.length));
    await convertTo(`${dir}/`, '-q'); // makes dir/images/
    writeFileSync(input, readFileSync(join(ROOT, fixture(N))));
    const r = await runCli(['convert', input, '--session-id', 's', '-o', `${dir}/`, '-q']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /would be written over the input file/);
  });

  it('explain --step names the fix on a user step with an image', async () => {
    const step = await runJson<{ fixes?: string[] }>(['explain', fixture(N), '--session-id', 's', '--step', '1']);
    assert.deepEqual(step.fixes, ['image-parts']);
  });
});

describe('image-parts on stdout and under relay-0.3', () => {
  it('stdout: images of data are left out (text and URL images kept), counted in the summary and --report', async () => {
    const dir = tempDir();
    const r = await convertTo('-', '--report', join(dir, 'r.json'));
    const t = JSON.parse(r.stdout) as Trajectory;
    assert.deepEqual(userMessages(t).slice(0, 4), [
      [text('What is in this screenshot?')],
      [image('image/gif', 'https://example.com/diagram.gif'), text('And this one?')],
      [text('Compare these two.'), image('image/jpeg', 'https://example.com/photo.jpg?size=large')],
      [text('What does this chart say?')],
    ]);
    assert.match(r.stderr, /2 images left out of the messages: stdout has no directory to write image files to; -o DIR\/ writes them to DIR\/images\//);
    assert.deepEqual((JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as { images: unknown }).images, { files: [], not_written: 2, not_shown: 2 });
    assert.equal((await runCli(['convert', fixture(N), '--session-id', 's', '-o', '-', '--validate', '-q'])).code, 0);
  });

  it('relay-0.3 writes the content arrays as JSON, base64 included, and no image file', async () => {
    const t = await seed(N);
    assert.equal(typeof t.steps[0].message, 'string');
    assert.ok((t.steps[0].message as string).includes(`"data":"${PNG}"`));
    const dir = tempDir();
    await convertTo(`${dir}/`, '--profile', 'relay-0.3', '-q');
    assert.deepEqual(readdirSync(dir), ['trajectory-s.json']);
  });

  it('an image-only message of a user with images left out is "", not an earlier prompt or the request', () => {
    const body = { input: [{ role: 'user', content: 'earlier' }, { role: 'user', content: [{ type: 'input_image', image_url: `data:image/png;base64,${PNG}` }] }] };
    const t = toAtif([llm(1, 0, 'start', body), llm(1, 5, 'end', { output_text: 'ok' })], 'default', false);
    assert.equal(t.steps[0].message, '');
    // relay-0.3 reads input_text alone: it wrote the earlier prompt again as this one.
    assert.equal(toAtif([llm(1, 0, 'start', body), llm(1, 5, 'end', { output_text: 'ok' })], 'relay-0.3').steps[0].message, 'earlier');
  });
});

const agent = { name: 'a', version: '1' };
const llm = (n: number, ms: number, phase: 'start' | 'end', data: Json) => ev({ category: 'llm', scope_category: phase, uuid: uuid(n), parent_uuid: P, timestamp: at(ms), name: 'llm', data });
const tool = (n: number, ms: number, phase: 'start' | 'end', data: Json, id: string) =>
  ev({ category: 'tool', scope_category: phase, uuid: uuid(n), parent_uuid: P, timestamp: at(ms), name: 'Read', data, category_profile: { tool_call_id: id } });
function toAtif(events: ReturnType<typeof ev>[], profile: ProfileName = 'default', imageFiles = true): Trajectory {
  return eventsToTrajectory(events, { sessionId: 's', agent, fixes: resolveFixes(profile), imageFiles }).trajectory!;
}
const results = (s: Step) => s.observation?.results ?? [];

describe('image-parts in tool results sent back', () => {
  // Claude Code's Read of a PNG: the next request's tool_result holds the image (Anthropic's documented tool_result content of text and image blocks).
  const callRead = { content: [{ type: 'tool_use', id: 'toolu_1', name: 'Read', input: { file_path: '/w/shot.png' } }], stop_reason: 'tool_use', role: 'assistant', type: 'message' };
  const sendBack: { messages: Json[] } = {
    messages: [
      { role: 'user', content: 'look at shot.png' },
      { role: 'assistant', content: callRead.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'Read 1 image' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } }] }] },
    ],
  };
  const done = { content: [{ type: 'text', text: 'One red pixel.' }], stop_reason: 'end_turn', role: 'assistant', type: 'message' };
  const gateway = () => [llm(1, 0, 'start', { messages: [sendBack.messages[0]] }), llm(1, 5, 'end', callRead), llm(2, 10, 'start', sendBack), llm(2, 15, 'end', done)];

  it('a gateway log: the result is the text and image parts, not the blocks as JSON', () => {
    const r = eventsToTrajectory(gateway(), { sessionId: 's', agent, fixes: resolveFixes('default') });
    assert.deepEqual(results(r.trajectory!.steps[1])[0].content, [text('Read 1 image'), image('image/png', PNG_PATH)]);
    assert.deepEqual(r.images?.files.map((f) => f.path), [PNG_PATH]);
    const without = eventsToTrajectory(gateway(), { sessionId: 's', agent, fixes: resolveFixes('default', [], ['image-parts']) }).trajectory!;
    assert.match(results(without.steps[1])[0].content as string, /"data":"iVBOR/);
  });

  it("with the tool's hooks (its value an object, in extra.tool_result), the content is what the request sent", () => {
    const events = [...gateway()];
    events.splice(2, 0, tool(3, 6, 'start', { file_path: '/w/shot.png' }, 'toolu_1'), tool(3, 7, 'end', { type: 'image', file: { base64: PNG, type: 'image/png' } }, 'toolu_1'));
    const t = toAtif(events);
    const [result] = results(t.steps[1]);
    assert.deepEqual(result.content, [text('Read 1 image'), image('image/png', PNG_PATH)]);
    assert.equal(result.extra?.content_source, 'llm_request');
  });

  it('stdout: the image is left out of the result, its text kept, the blocks as sent in extra.tool_result', () => {
    const [result] = results(toAtif(gateway(), 'default', false).steps[1]);
    assert.deepEqual(result.content, [text('Read 1 image')]);
    const blocks = (sendBack.messages[2] as { content: Array<{ content: Json }> }).content[0].content;
    assert.deepEqual(result.extra?.tool_result, blocks);
  });

  it('a Responses function_call_output of input_text and input_image items', () => {
    const call = { output: [{ type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'view_image', arguments: '{}' }] };
    const back: Json = { input: [{ type: 'function_call_output', call_id: 'call_1', output: [{ type: 'input_text', text: 'shot.png' }, { type: 'input_image', image_url: `data:image/gif;base64,${GIF}` }] }] };
    const events = [llm(1, 0, 'start', { input: 'view it' }), llm(1, 5, 'end', call), llm(2, 10, 'start', back), llm(2, 15, 'end', { output_text: 'ok' })];
    const t = toAtif(events);
    const [result] = results(t.steps[1]);
    assert.deepEqual(result.content, [text('shot.png'), image('image/gif', GIF_PATH)]);
    // The items as sent are no longer needed in extra: the image is a file.
    assert.equal(result.extra?.tool_result, undefined);
    // On stdout the image is left out; the items stay in extra.tool_result, as responses-tool-output-items keeps them.
    const [out] = results(toAtif(events, 'default', false).steps[1]);
    assert.deepEqual([out.content, out.extra?.tool_result], [[text('shot.png')], (back as { input: Array<{ output: Json }> }).input[0].output]);
  });
});

describe('image-parts: provider shapes', () => {
  it('reads each documented image block', () => {
    assert.deepEqual(providerImage({ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'x' } }), { kind: 'data', data: 'x', mediaType: 'image/png' });
    assert.deepEqual(providerImage({ type: 'image', source: { type: 'url', url: 'https://e.com/a.PNG' } }), { kind: 'url', url: 'https://e.com/a.PNG', mediaType: 'image/png' });
    assert.deepEqual(providerImage({ type: 'image', source: { type: 'file', file_id: 'f' } }), { kind: 'reference' });
    assert.deepEqual(providerImage({ type: 'image_url', image_url: { url: 'data:image/jpg;base64,AAAA' } }), { kind: 'data', data: 'AAAA', mediaType: 'image/jpeg' });
    assert.deepEqual(providerImage({ type: 'input_image', image_url: 'https://e.com/render?x=1.png' }), { kind: 'url', url: 'https://e.com/render?x=1.png', mediaType: undefined });
    assert.deepEqual(providerImage({ type: 'input_image', file_id: 'file-1' }), { kind: 'reference' });
    assert.equal(providerImage({ type: 'text', text: 'a' }), undefined);
  });

  it('the bytes tell the type where they can; bytes of no known image with no allowed type are not shown', () => {
    assert.equal(sniffImageMediaType(Buffer.from(PNG, 'base64')), 'image/png');
    assert.equal(sniffImageMediaType(Buffer.from(GIF, 'base64')), 'image/gif');
    assert.equal(sniffImageMediaType(Buffer.from('hello')), undefined);
    const JPEG = '/9j/4AAQ'; // FF D8 FF E0 00 10: a JPEG's start
    const url = (mime: string, data: string) => ({ type: 'image_url', image_url: { url: `data:${mime};base64,${data}` } });
    const content = [url('application/octet-stream', PNG), url('image/png', JPEG), url('application/octet-stream', 'aGVsbG8=')];
    const t = toAtif([llm(1, 0, 'start', { messages: [{ role: 'user', content }] }), llm(1, 5, 'end', { output_text: 'ok' })]);
    assert.deepEqual(t.steps[0].message, [image('image/png', PNG_PATH), image('image/jpeg', name(JPEG, 'jpg'))]);
  });

  it('content with a block that is neither text nor image is left to the other rules', () => {
    const place = () => image('image/png', 'x.png');
    assert.equal(imageContentParts([{ type: 'image', source: { type: 'url', url: 'https://e.com/a.png' } }, { type: 'document', source: {} }], place), undefined);
    assert.equal(imageContentParts([{ type: 'text', text: 'a' }], place), undefined);
    assert.deepEqual(imageContentParts([{ type: 'input_text', text: 'a' }, { type: 'input_image', image_url: 'https://e.com/a.png' }], place), [text('a'), image('image/png', 'x.png')]);
  });
});

describe('image-parts with --jobs', () => {
  // Two sessions, each a top-level agent holding the fixture's calls: with workers forced (and the
  // dist bundle built), a group converted on a worker sends its image files back with its counts.
  const lines = readFileSync(join(ROOT, fixture(N)), 'utf8').trim().split('\n');
  const session = (k: number) => {
    const root = uuid(0xa00 + k);
    const scope = (phase: string, ts: string) => JSON.stringify({ atof_version: '0.1', kind: 'scope', uuid: root, timestamp: ts, name: 'agent', category: 'agent', scope_category: phase });
    return [scope('start', '2026-01-01T00:00:00.000Z'), ...lines.map((l) => l.replaceAll('01970000-0000-7000-8000-0000000000aa', root).replaceAll('-0000000001', `-000000000${k}`)), scope('end', '2026-01-01T00:01:00.000Z')];
  };
  const input = [...session(1), ...session(2)].join('\n') + '\n';

  it('--jobs 2 writes byte-identical trajectories and images to --jobs 1', async () => {
    const out = async (jobs: string, env: Record<string, string>) => {
      const dir = tempDir();
      const r = await runCli(['convert', '-', '-o', `${dir}/`, '--jobs', jobs, '-q'], { stdin: input, env });
      assert.equal(r.code, 0, r.stderr);
      return Object.fromEntries(readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort().map((f) => [f, f.includes('.') ? readFileSync(join(dir, f)).toString('base64') : 'dir']));
    };
    const one = await out('1', {});
    const two = await out('2', { RELAY_ATIF_JOBS_AFTER_BYTES: '1' });
    assert.deepEqual(two, one);
    assert.equal(Object.keys(one).filter((f) => f.startsWith('images/')).length, 2);
    assert.equal(Object.keys(one).filter((f) => f.endsWith('.json')).length, 2);
  });
});
