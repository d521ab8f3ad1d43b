/**
 * `--read-transcripts`: a Codex child thread whose `SessionStart` hook does not name its parent is
 * linked through the first line of its transcript file (`session_meta` with
 * `source.subagent.thread_spawn.parent_thread_id`), as the live hook reads it (relay-cli.md §3.7.1).
 * Without the flag the replay reads no local file, and the child thread is a trajectory of its own.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Trajectory } from '../src/atif/types.js';
import { transcriptFirstLines } from '../src/cli/transcripts.js';
import { runCli } from './support/cli.js';

let dir: string;
let input: string;
const hook = (ms: number, payload: object) => JSON.stringify({ record: 'hook', agent: 'codex', received_at: new Date(Date.UTC(2026, 5, 1, 10, 0, 0, ms)).toISOString(), payload });

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'relay-atif-transcripts-'));
  const transcript = join(dir, 'rollout-child.jsonl');
  const meta = { type: 'session_meta', payload: { id: 'thread-child', source: { subagent: { thread_spawn: { parent_thread_id: 'thread-root', depth: 1, agent_nickname: 'Hume' } } } } };
  await writeFile(transcript, `${JSON.stringify(meta)}\n${JSON.stringify({ type: 'response_item', payload: {} })}\n`);
  input = join(dir, 'hooks.ndjson');
  await writeFile(
    input,
    [
      hook(0, { session_id: 'thread-root', hook_event_name: 'SessionStart', transcript_path: join(dir, 'rollout-root.jsonl') }),
      hook(1000, { session_id: 'thread-root', hook_event_name: 'UserPromptSubmit', prompt: 'ask a helper' }),
      hook(2000, { session_id: 'thread-child', hook_event_name: 'SessionStart', transcript_path: transcript }),
      hook(3000, { session_id: 'thread-child', hook_event_name: 'UserPromptSubmit', prompt: 'look around' }),
      hook(4000, { session_id: 'thread-child', hook_event_name: 'Stop' }),
      hook(5000, { session_id: 'thread-root', hook_event_name: 'Stop' }),
    ].join('\n') + '\n',
  );
});
after(() => rm(dir, { recursive: true, force: true }));

const convert = async (...flags: string[]) => {
  const r = await runCli(['convert', input, '-o', '-', ...flags]);
  assert.equal(r.code, 0, r.stderr);
  return { trajectories: r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Trajectory), stderr: r.stderr };
};
/** The hook session ids a trajectory's events carry (metadata.session_id of its observed events). */
const sessions = (t: Trajectory): string[] => [...new Set(JSON.stringify(t).match(/"session_id":"thread-(root|child)"/g))].map((m) => m.slice(14, -1)).sort();

describe('--read-transcripts', () => {
  it('without it, the child thread is a trajectory of its own', async () => {
    const { trajectories } = await convert('--no-fix', 'no-empty-trajectories');
    assert.deepEqual(trajectories.map(sessions).sort(), [['thread-child'], ['thread-root']]);
  });

  it("with it, the child thread is a subagent of the root thread, and the root's missing transcript is counted and named", async () => {
    const { trajectories, stderr } = await convert('--no-fix', 'no-empty-trajectories', '--read-transcripts');
    assert.equal(trajectories.length, 1);
    assert.deepEqual(sessions(trajectories[0]), ['thread-child', 'thread-root'], 'the child thread is in the root trajectory');
    assert.match(stderr, /1 Codex transcript \(transcript_path\) could not be read \(--read-transcripts\).*the first: .*hooks\.ndjson:1: .*rollout-root\.jsonl/);
  });

  it('events and the --report say the same', async () => {
    const events = await runCli(['events', input, '-q', '--read-transcripts']);
    assert.equal(events.code, 0, events.stderr);
    assert.ok(events.stdout.split('\n').some((l) => l.includes('"codex_parent_thread_id":"thread-root"')), 'the child start names its parent');
    const report = join(dir, 'report.json');
    await convert('--read-transcripts', '--report', report, '-q');
    const { readFile } = await import('node:fs/promises');
    assert.equal(JSON.parse(await readFile(report, 'utf8')).replay.transcripts_not_read, 1);
  });
});

describe('transcriptFirstLines', () => {
  it('reads a first line (without its newline), a file of one unterminated line, and nothing of a missing or empty file', async () => {
    const read = transcriptFirstLines();
    const write = async (name: string, text: string) => {
      await writeFile(join(dir, name), text);
      return join(dir, name);
    };
    // Longer than one read: the line is gathered over chunks.
    const long = `{"type":"session_meta","pad":"${'x'.repeat(200_000)}"}`;
    assert.equal(read(await write('long.jsonl', `${long}\r\n{"next":1}\n`)), `${long}\r`);
    assert.equal(read(await write('one.jsonl', '{"only":1}')), '{"only":1}');
    assert.equal(read(await write('empty.jsonl', '')), undefined);
    assert.equal(read(join(dir, 'missing.jsonl')), undefined);
  });
});
