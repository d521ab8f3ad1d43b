import type { z } from 'zod';
import { JsonNumber } from '../../json/value.js';
import { error, quote, type Finding } from './finding.js';
import type { JsonPath, PathSegment } from './path.js';
import { NonFiniteToken, isPyDict, prop, pyTypeName } from './py-values.js';
import type { RuleParams } from './model-scalars.js';

type Issue = z.core.$ZodIssue;

/**
 * Parses `value` with a model schema and turns zod's issues into findings with the reference's rule
 * ids: unknown keys → unknown-field, missing or null required fields → required, wrong JSON types →
 * type, enum misses → enum, too-short arrays → min-items, bounds → range; custom checks name their
 * rule in `params.rule`. All issues are reported, not only the first.
 */
export function structuralFindings(schema: z.ZodType, value: unknown, at: JsonPath): Finding[] {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return [];
  return uniqueFindings(translate(result.error.issues, { value, at }, []));
}

interface Subject {
  /** The value that was parsed, to look at what an issue path points through. */
  value: unknown;
  /** Where that value sits in the document. */
  at: JsonPath;
}

function translate(issues: readonly Issue[], subject: Subject, prefix: JsonPath): Finding[] {
  return issues.flatMap((issue) => translateOne(issue, subject, [...prefix, ...issue.path.map(segmentOf)]));
}

/** zod paths may hold symbols in general; ATIF documents only have string keys and indexes. */
function segmentOf(key: PropertyKey): PathSegment {
  return typeof key === 'symbol' ? String(key) : key;
}

function translateOne(issue: Issue, subject: Subject, path: JsonPath): Finding[] {
  const scalar = scalarInstanceOnPath(subject.value, path);
  // The token is reported as invalid-json-number; like the reference, no type errors on top of that.
  if (
    scalar?.value instanceof NonFiniteToken &&
    (scalar.depth < path.length || issue.code === 'unrecognized_keys' || isTypeCheck(issue))
  ) {
    return [];
  }
  // zod takes class instances for objects; a JsonNumber where an object belongs is a plain type error.
  if (scalar && (scalar.depth < path.length || issue.code === 'unrecognized_keys')) {
    const where = path.slice(0, scalar.depth);
    return [error([...subject.at, ...where], 'type', 'expected object, got number')];
  }
  const at = [...subject.at, ...path];
  const input = issue.input;
  const key = path[path.length - 1];

  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) =>
      error([...at, k], 'unknown-field', `field ${quote(k)} is not part of ${issue.message} (extra fields are forbidden)`),
    );
  }
  if (isTypeCheck(issue) && input === undefined) {
    return [error(at, 'required', `required field ${quote(String(key))} is missing`)];
  }
  if (isTypeCheck(issue) && input === null && typeof key === 'string') {
    return [error(at, 'required', `field ${quote(key)} must not be null`)];
  }
  switch (issue.code) {
    case 'invalid_union':
      return unionFindings(issue, subject, path);
    case 'invalid_type':
      return [typeError(at, expectedName(issue.expected), input)];
    case 'invalid_value':
      if (typeof input !== 'string') return [typeError(at, 'string', input)];
      return [error(at, 'enum', `must be one of ${issue.values.map(String).join(', ')}, got ${quote(input)}`)];
    case 'too_small':
      // zod runs length checks even after a type error (on anything with a length); those add nothing.
      if (issue.origin === 'array' && Array.isArray(input)) {
        return [error(at, 'min-items', `must contain at least ${String(issue.minimum)} item(s)`)];
      }
      return [];
    case 'custom':
      return [customFinding(issue, at, input)];
    default:
      return [typeError(at, 'a valid value', input)];
  }
}

function isTypeCheck(issue: Issue): boolean {
  if (issue.code === 'custom') return ruleParams(issue)?.rule === 'type';
  return issue.code === 'invalid_type' || issue.code === 'invalid_value' || issue.code === 'invalid_union';
}

/**
 * When no union branch matched, the branch whose root type fits the value holds the real problems
 * (e.g. a bad content part inside an array-valued message); if none fits, it is a type error.
 */
function unionFindings(issue: z.core.$ZodIssueInvalidUnion, subject: Subject, path: JsonPath): Finding[] {
  const fitting = issue.errors.filter((branch) => !branch.some(rejectsRootType));
  if (fitting.length > 0) return translate(fitting[0]!, subject, path);
  const expected = issue.errors.flatMap((branch) => branch.filter(rejectsRootType).map(expectationOf));
  return [typeError([...subject.at, ...path], [...new Set(expected)].join(' or '), issue.input)];
}

function rejectsRootType(issue: Issue): boolean {
  if (issue.path.length > 0) return false;
  return issue.code === 'invalid_type' || (issue.code === 'custom' && ruleParams(issue)?.rule === 'type');
}

function expectationOf(issue: Issue): string {
  if (issue.code === 'invalid_type') return expectedName(issue.expected);
  return ruleParams(issue)?.expected ?? 'a valid value';
}

/** zod's name for a JSON type, in the reference's words (a record is a JSON object). */
function expectedName(zodType: string): string {
  return zodType === 'record' ? 'object' : zodType;
}

function customFinding(issue: z.core.$ZodIssueCustom, at: JsonPath, input: unknown): Finding {
  const params = ruleParams(issue);
  const rule = params?.rule ?? 'type';
  switch (rule) {
    case 'type':
      return typeError(at, params?.expected ?? 'a valid value', input);
    case 'range':
      return error(at, 'range', `must be >= ${String(params?.minimum)}, got ${shown(input)}`);
    case 'timestamp':
      return error(at, 'timestamp', `not an ISO 8601 timestamp: ${shown(input)}`);
    case 'enum':
      return error(at, 'enum', `${issue.message}, got ${shown(input)}`);
    default:
      return error(at, rule, issue.message);
  }
}

function ruleParams(issue: Issue): RuleParams | undefined {
  return issue.code === 'custom' ? (issue.params as RuleParams | undefined) : undefined;
}

function typeError(at: JsonPath, expected: string, input: unknown): Finding {
  return error(at, 'type', `expected ${expected}, got ${pyTypeName(input)}`);
}

function shown(value: unknown): string {
  if (typeof value === 'string') return quote(value);
  if (value instanceof JsonNumber) return value.text;
  return String(value);
}

/** The first JsonNumber or NonFiniteToken met while following `path` from `root`, with its depth. */
function scalarInstanceOnPath(root: unknown, path: JsonPath): { depth: number; value: unknown } | undefined {
  let current = root;
  for (let depth = 0; ; depth++) {
    if (current instanceof JsonNumber || current instanceof NonFiniteToken) return { depth, value: current };
    if (depth === path.length) return undefined;
    current = childOf(current, path[depth]!);
  }
}

function childOf(value: unknown, segment: PathSegment): unknown {
  if (Array.isArray(value) && typeof segment === 'number') return value[segment];
  if (isPyDict(value) && typeof segment === 'string') return prop(value, segment);
  return undefined;
}

function uniqueFindings(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const id = `${f.level}\u0000${f.rule}\u0000${f.path}\u0000${f.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
