import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { appendAll, error, promoteWarnings, quote, type Finding } from './finding.js';
import { structuralFindings } from './issues.js';
import { loadTrajectoryJson, type ScannedText } from './json-load.js';
import { atifModel } from './model.js';
import { formatPath, type JsonPath } from './path.js';
import { NonFiniteToken, isPyDict, prop, pyTypeName } from './py-values.js';
import type { RuleContext } from './rule-context.js';
import { stepContentRules } from './rules-content.js';
import { finalMetricsRules, metricsRules } from './rules-metrics.js';
import { stepIdSequence, stepRules } from './rules-steps.js';
import { embeddedTrajectoryIds, subagentRefRules } from './rules-subagents.js';
import { rootSessionIdRule, schemaVersionRules, toolDefinitionShape, totalStepsRule } from './rules-trajectory.js';
import {
  ATIF_VERSION_LABELS,
  DEFAULT_VERSION,
  V1_7,
  atLeast,
  isAtifVersionLabel,
  versionLabel,
  versionOfLabel,
  type AtifVersion,
} from './versions.js';

export interface ValidateOptions {
  /** Treat SHOULD-level findings as violations: warnings are reported with level 'error'. */
  strict?: boolean;
  /** Also require this exact `schema_version` (one of ATIF-v1.0 … ATIF-v1.8). */
  requireVersion?: string;
  /** Check that local image/audio paths exist (`media-missing`); see validateFile's `checkMedia`. */
  mediaExists?: (mediaPath: string) => boolean;
}

/**
 * Validates a parsed ATIF document with the rules of the version it declares (v1.0 … v1.8), embedded
 * subagent trajectories with theirs. Every finding is collected; nothing stops at the first one.
 * Numbers may be JsonNumber instances (src/json/value.ts); `NaN` tokens are NonFiniteToken instances
 * when the document comes from {@link validateJson} / {@link validateFile}.
 */
export function validateTrajectory(doc: unknown, opts: ValidateOptions = {}): Finding[] {
  return validateDocument(doc, opts, true);
}

/** {@link validateTrajectory}, without looking for NaN / Infinity tokens in a document known to hold none. */
function validateDocument(doc: unknown, opts: ValidateOptions, mayHoldTokens: boolean): Finding[] {
  const required = opts.requireVersion;
  if (required !== undefined && !isAtifVersionLabel(required)) {
    throw new RangeError(`requireVersion must be one of ${ATIF_VERSION_LABELS.join(', ')}, got ${required}`);
  }
  const findings = [
    ...(mayHoldTokens ? nonFiniteTokens(doc) : []),
    ...trajectoryFindings(doc, [], undefined, opts.mediaExists),
    ...requiredVersion(doc, required),
  ];
  return opts.strict ? promoteWarnings(findings) : findings;
}

/** Validates JSON text or bytes (file contents): invalid JSON, duplicate keys, then the trajectory. */
export function validateJson(input: Uint8Array | string | ScannedText, opts: ValidateOptions = {}): Finding[] {
  const loaded = loadTrajectoryJson(input);
  const findings = loaded.ok
    ? [...loaded.findings, ...validateDocument(loaded.document, { ...opts, strict: false }, loaded.noTokens !== true)]
    : loaded.findings;
  return opts.strict ? promoteWarnings(findings) : findings;
}

export interface ValidateFileOptions extends Omit<ValidateOptions, 'mediaExists'> {
  /** Check that local media paths exist, relative to the file's directory. */
  checkMedia?: boolean;
}

/** Reads and validates one trajectory file; an unreadable file is an `io` finding, not an exception. */
export async function validateFile(path: string, opts: ValidateFileOptions = {}): Promise<Finding[]> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    return [error([], 'io', `cannot read file: ${(e as Error).message}`)];
  }
  const baseDir = dirname(resolve(path));
  const mediaExists = opts.checkMedia
    ? (mediaPath: string) => existsSync(isAbsolute(mediaPath) ? mediaPath : join(baseDir, mediaPath))
    : undefined;
  return validateJson(bytes, { strict: opts.strict, requireVersion: opts.requireVersion, mediaExists });
}

/** An embedded trajectory's place, linked to its parent's (paths are built only for findings). */
type Place = { parent?: Place; segments: JsonPath };

function placePath(place: Place | undefined): JsonPath {
  const parts: JsonPath[] = [];
  for (let p = place; p; p = p.parent) parts.push(p.segments);
  return parts.reverse().flat();
}

/** Findings computed at `$` of an embedded trajectory, moved to its real place in the document. */
function rebase(findings: Finding[], place: Place | undefined): Finding[] {
  if (!place || findings.length === 0) return findings;
  const prefix = formatPath(placePath(place));
  return findings.map((f) => ({ ...f, path: prefix + f.path.slice(1) }));
}

interface TrajectoryFrame {
  doc: Record<string, unknown>;
  place: Place | undefined;
  version: AtifVersion;
  ctx: RuleContext;
  steps: unknown;
  subagents?: unknown[];
  next: number;
}

/**
 * Findings of a trajectory and, in place, those of its embedded trajectories (the order the reference
 * reports them in). Embedded trajectories are walked with an explicit stack and checked at a relative
 * `$`, their findings moved to the real path afterwards: nesting can be thousands of levels deep, and
 * rules working on long absolute paths would make that quadratic.
 */
function trajectoryFindings(
  root: unknown,
  rootAt: JsonPath,
  rootParentVersion: AtifVersion | undefined,
  mediaExists: RuleContext['mediaExists'],
): Finding[] {
  const findings: Finding[] = [];
  const stack: TrajectoryFrame[] = [];
  const rootPlace: Place | undefined = rootAt.length > 0 ? { segments: rootAt } : undefined;
  const at: JsonPath = [];
  const stepsPath: JsonPath = ['steps'];
  const enter = (doc: unknown, place: Place | undefined, parentVersion: AtifVersion | undefined): void => {
    const label = isPyDict(doc) ? prop(doc, 'schema_version') : undefined;
    const version = versionOfLabel(label) ?? DEFAULT_VERSION;
    const ctx: RuleContext = { version, versionLabel: typeof label === 'string' ? label : versionLabel(version), mediaExists };
    const structural = structuralFindings(atifModel(version).trajectory, doc, at);
    if (!isPyDict(doc)) return appendAll(findings, rebase(structural, place));
    const own: Finding[] = [...schemaVersionRules(doc, at, ctx, parentVersion), ...structural];
    if (!parentVersion) appendAll(own, rootSessionIdRule(doc, at, ctx));
    appendAll(own, toolDefinitionShape(prop(doc, 'agent'), ['agent'], ctx));
    const steps = prop(doc, 'steps');
    if (Array.isArray(steps)) {
      appendAll(own, stepIdSequence(steps, stepsPath));
      for (const [index, step] of steps.entries()) {
        const stepPath = [...stepsPath, index];
        appendAll(own, stepRules(step, stepPath, ctx));
        appendAll(own, stepContentRules(step, stepPath, ctx));
        if (isPyDict(step)) appendAll(own, metricsRules(prop(step, 'metrics'), [...stepPath, 'metrics']));
      }
    }
    appendAll(own, finalMetricsRules(prop(doc, 'final_metrics'), ['final_metrics']));
    appendAll(findings, rebase(own, place));
    const subagents = prop(doc, 'subagent_trajectories');
    stack.push({ doc, place, version, ctx, steps, subagents: atLeast(version, V1_7) && Array.isArray(subagents) ? subagents : undefined, next: 0 });
  };
  const leave = (f: TrajectoryFrame): void => {
    const own: Finding[] = [];
    let embeddedIds: ReadonlySet<string> = new Set();
    if (f.subagents) {
      const embedded = embeddedTrajectoryIds(f.subagents, ['subagent_trajectories']);
      appendAll(own, embedded.findings);
      embeddedIds = embedded.ids;
    }
    appendAll(own, subagentRefRules(f.steps, stepsPath, embeddedIds, f.ctx));
    appendAll(own, totalStepsRule(f.doc, at));
    appendAll(findings, rebase(own, f.place));
  };
  enter(root, rootPlace, rootParentVersion);
  while (stack.length > 0) {
    const f = stack[stack.length - 1];
    if (f.subagents && f.next < f.subagents.length) {
      const index = f.next++;
      enter(f.subagents[index], { parent: f.place, segments: ['subagent_trajectories', index] }, f.version);
      continue;
    }
    stack.pop();
    leave(f);
  }
  return findings;
}

function requiredVersion(doc: unknown, required: string | undefined): Finding[] {
  if (required === undefined || !isPyDict(doc)) return [];
  const declared = prop(doc, 'schema_version');
  if (declared === required) return [];
  const shown = typeof declared === 'string' ? quote(declared) : pyTypeName(declared);
  return [error(['schema_version'], 'require-version', `schema_version is ${shown} but ${quote(required)} is required`)];
}

/** Whether a value is or may contain a token: only objects (strings and plain numbers, most values, are skipped unvisited). */
const mayHold = (v: unknown): boolean => typeof v === 'object' && v !== null;

/** NaN / Infinity tokens anywhere in the document (they are not JSON), in document order. */
function nonFiniteTokens(doc: unknown): Finding[] {
  const findings: Finding[] = [];
  // An explicit stack: documents can nest deeper than the call stack allows. Each entry links to its
  // parent instead of carrying a copy of its path, so deep documents stay linear; a path is built
  // only for a finding.
  type Entry = { value: unknown; key?: string | number; parent?: Entry };
  const pathOf = (e: Entry): JsonPath => {
    const path: Array<string | number> = [];
    for (let cur: Entry | undefined = e; cur?.parent; cur = cur.parent) path.push(cur.key!);
    return path.reverse() as JsonPath;
  };
  const pending: Entry[] = [{ value: doc }];
  while (pending.length > 0) {
    const entry = pending.pop()!;
    const value = entry.value;
    if (value instanceof NonFiniteToken) {
      findings.push(error(pathOf(entry), 'invalid-json-number', `${value.token} is not valid JSON`));
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) if (mayHold(value[i])) pending.push({ value: value[i], key: i, parent: entry });
    } else if (isPyDict(value)) {
      const keys = Object.keys(value);
      for (let i = keys.length - 1; i >= 0; i--) if (mayHold(value[keys[i]!])) pending.push({ value: value[keys[i]!], key: keys[i]!, parent: entry });
    }
  }
  return findings;
}
