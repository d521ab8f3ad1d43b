import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { beginsLikeTrajectory, OPENING_BYTES } from '../src/cli/trajectory-opening.js';

const opens = (text: string) => beginsLikeTrajectory(Buffer.from(text));

describe('beginsLikeTrajectory: a trajectory told by its opening, even cut short', () => {
  it('a trajectory as convert writes it (sorted keys), pretty, or with schema_version after other keys', () => {
    assert.equal(opens('{"agent":{"name":"NeMo Re'), true);
    assert.equal(opens('{\n  "agent": {\n    "model_name'), true);
    assert.equal(opens('{"schema_version":'), true);
    assert.equal(opens('{"session_id":"s \\" , {","notes":[1,{"a":"}"}],"schema_version":"ATIF-v1.7","st'), true);
  });

  it('no input record: a hook record (agent is a name), an ATOF event, a HAR document, a key only nested', () => {
    assert.equal(opens('{"record":"hook","agent":"claude-code","received_at":"2026'), false);
    assert.equal(opens('{"agent":"claude-code","record":"hook"}'), false);
    assert.equal(opens('{"kind":"scope","atof_version":"0.1","data":{"schema_version":"x","agent":{}}}'), false);
    assert.equal(opens('{\n "log": {\n  "version": "1.2",\n  "entries": ['), false);
    assert.equal(opens('[{"schema_version":"ATIF-v1.7"}]'), false);
    assert.equal(opens(''), false);
    assert.equal(opens('{"age'), false);
  });

  it('only the opening is looked at', () => {
    assert.equal(opens(`{"notes":"${'x'.repeat(OPENING_BYTES)}","schema_version":"ATIF-v1.7"}`), false);
  });
});
