/**
 * Hooks logged by a clock apart from the gateway's (the hook process and the gateway on two hosts or
 * containers, logs merged from machines whose clocks differ): the replay orders hooks and calls by
 * their times, so a turn's calls fall outside it. That is said (run summary, --report), from causal
 * evidence only, and `--hook-clock-offset` moves the hook times back onto the gateway clock.
 * Fixtures: samples/claude-code-session.ndjson with every hook's received_at 3 s later
 * (clock-skew-hooks-late) or 3 s earlier (clock-skew-hooks-early), the gateway records as they were.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Trajectory } from '../src/atif/types.js';
import type { Json } from '../src/json/value.js';
import { requestLatestInput as latestInput } from '../src/providers/latest-input.js';
import { runCli } from './support/cli.js';

const LATE = 'test/fixtures/sessions/clock-skew-hooks-late.ndjson';
const EARLY = 'test/fixtures/sessions/clock-skew-hooks-early.ndjson';
const SAMPLE = 'samples/claude-code-session.ndjson';

async function convert(input: string, ...flags: string[]) {
  const r = await runCli(['convert', input, '-o', '-', '--no-observed-events', ...flags]);
  const trajectories = r.stdout.trim() === '' ? [] : r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Trajectory);
  return { ...r, trajectories };
}

/** Each trajectory's steps as source and text: what a reader of the output sees. */
const shape = (ts: Trajectory[]) => ts.map((t) => t.steps.map((s) => `${s.source}:${typeof s.message === 'string' ? s.message.slice(0, 20) : '[parts]'}`));

interface SkewReport {
  replay: {
    hook_clock_offset_seconds: number;
    clock_skew_calls: number;
    clock_skew_sessions: number;
    clock_skew_hooks_late_seconds: number;
    clock_skew_hooks_early_seconds: number;
    first_clock_skew_call?: { file: string; line: number; capture_id: string; session_id: string; direction: string; gap_seconds: number; evidence: string };
  };
}

const report = (stderr: string) => (JSON.parse(stderr) as SkewReport).replay;

describe('hook clock skew', () => {
  it('hooks stamped late: the call carrying a prompt the hooks deliver later is named, with the gap, in the summary and --report', async () => {
    const r = await convert(LATE);
    assert.equal(r.code, 0, r.stderr);
    // The output is as before (a stray system step): only the explanation is new.
    assert.equal(r.trajectories.length, 1);
    assert.match(
      r.stderr,
      /2 gateway calls of 1 session show the hook clock apart from the gateway's \(hooks stamped at least 2\.8 s later than the gateway's calls\):.* the first: .*clock-skew-hooks-late\.ndjson:3: capture cap-c1: its request carried the prompt "List the TypeScript files in src\/", which the hooks of session 5b8f1c2e-claude-demo delivered 2\.8 s later; --hook-clock-offset -2\.8 s/,
    );
    const json = report((await convert(LATE, '--json')).stderr);
    assert.equal(json.clock_skew_calls, 2);
    assert.equal(json.clock_skew_sessions, 1);
    assert.equal(json.clock_skew_hooks_late_seconds, 2.8);
    assert.equal(json.clock_skew_hooks_early_seconds, 0);
    assert.deepEqual(json.first_clock_skew_call, {
      file: LATE, line: 3, capture_id: 'cap-c1', session_id: '5b8f1c2e-claude-demo', direction: 'hooks-late', gap_seconds: 2.8, evidence: 'the prompt "List the TypeScript files in src/"',
    });
  });

  it('hooks stamped early: a call of a turn that completes after its Stop is named; the split output was silent before', async () => {
    const r = await convert(EARLY);
    assert.deepEqual(shape(r.trajectories).map((t) => t.length).sort(), [1, 3], 'two trajectories, as without the note');
    assert.match(r.stderr, /2 gateway calls of 1 session show the hook clock apart from the gateway's \(hooks at least 2\.8 s earlier\)/);
    assert.match(r.stderr, /the first: .*clock-skew-hooks-early\.ndjson:3: capture cap-c1: it carried the prompt "List the TypeScript files in src\/" of session 5b8f1c2e-claude-demo and completed 0\.8 s after that turn's end hook; --hook-clock-offset \+2\.8 s/);
    const json = report((await convert(EARLY, '--json')).stderr);
    assert.equal(json.clock_skew_hooks_early_seconds, 2.8, "the tool result's call completed 2.8 s after the Stop");
    assert.equal(json.first_clock_skew_call?.direction, 'hooks-early');
  });

  it('--hook-clock-offset moves the hooks back: both logs convert as the sample, and the summary says what was moved', async () => {
    const sample = await convert(SAMPLE);
    assert.doesNotMatch(sample.stderr, /hook clock/, 'no note where the clocks agree');
    assert.equal(report((await convert(SAMPLE, '--json')).stderr).clock_skew_calls, 0);
    for (const [input, offset] of [[LATE, '-2.9'], [EARLY, '+2.9']]) {
      const moved = await convert(input, '--hook-clock-offset', offset);
      assert.equal(moved.code, 0, moved.stderr);
      assert.deepEqual(shape(moved.trajectories), shape(sample.trajectories), input);
      assert.match(moved.stderr, new RegExp(`hook times were moved by \\${offset} s \\(--hook-clock-offset\\); no gateway call contradicts the hook times`));
      assert.equal(report((await convert(input, '--hook-clock-offset', offset, '--json')).stderr).hook_clock_offset_seconds, Number(offset));
    }
  });

  it('--hook-clock-offset takes seconds only', async () => {
    for (const bad of ['3s', 'abc', '1e9', '']) {
      const r = await convert(SAMPLE, '--hook-clock-offset', bad);
      assert.equal(r.code, 2, bad);
      assert.match(r.stderr, /--hook-clock-offset must be a number of seconds/);
    }
  });
});

/** Request bodies written as literals. */
const requestLatestInput = (body: unknown) => latestInput(body as Json);

describe('requestLatestInput', () => {
  it('reads the tail only: the new prompt and the results sent back, not a conversation re-sent whole', () => {
    const anthropic = {
      messages: [
        { role: 'user', content: 'old prompt' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok' }, { type: 'text', text: ' next \n' }] },
      ],
    };
    assert.deepEqual(requestLatestInput(anthropic), { texts: ['next'], toolResultIds: ['toolu_1'] });
    const chat = {
      messages: [
        { role: 'user', content: 'old prompt' },
        { role: 'assistant', tool_calls: [{ id: 'call_1' }, { id: 'call_2' }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'a' },
        { role: 'tool', tool_call_id: 'call_2', content: 'b' },
      ],
    };
    assert.deepEqual(requestLatestInput(chat), { texts: [], toolResultIds: ['call_2', 'call_1'] });
    const responses = { input: [{ role: 'user', content: [{ type: 'input_text', text: 'old' }] }, { type: 'function_call', call_id: 'c1' }, { type: 'function_call_output', call_id: 'c1', output: 'x' }] };
    assert.deepEqual(requestLatestInput(responses), { texts: [], toolResultIds: ['c1'] });
    assert.deepEqual(requestLatestInput({ input: 'hi' }), { texts: ['hi'], toolResultIds: [] });
    assert.deepEqual(requestLatestInput({ messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a' }] }), { texts: [], toolResultIds: [] });
  });
});
