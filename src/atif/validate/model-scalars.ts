import { z } from 'zod';
import { isPyInt, isPyNumber, comparePyNumbers, type PyInt, type PyNumber } from './py-values.js';
import { isPythonIsoTimestamp } from './iso-timestamp.js';

/**
 * Scalar building blocks of the ATIF model. Numbers are custom types because parsed documents hold
 * JsonNumber instances (exact big integers, and integral floats such as `12.0` that Python does not
 * count as integers). Custom issues carry the reference's rule id in `params.rule`.
 */

/** JSON Schema fragments for the custom types, which zod cannot derive by itself. */
export const jsonSchemaFragments = z.registry<Record<string, unknown>>();

export interface RuleParams {
  rule: string;
  /** For `rule: 'type'`: what the value should have been. */
  expected?: string;
  minimum?: number;
}

function customScalar<T>(expected: 'integer' | 'number', accepts: (v: unknown) => boolean) {
  // abort: a value of the wrong type must not also be range-checked, and makes union branches fail cleanly.
  const params: RuleParams = { rule: 'type', expected };
  return z.custom<T>(accepts, { abort: true, params });
}

function withMinimum<T extends PyNumber>(schema: z.ZodType<T>, minimum: number | undefined): z.ZodType<T> {
  if (minimum === undefined) return schema;
  const params: RuleParams = { rule: 'range', minimum };
  return schema.refine((value) => comparePyNumbers(value, minimum) >= 0, { params });
}

/** A JSON integer (no fraction, no exponent), optionally with a lower bound. */
export function atifInteger(options: { minimum?: number } = {}): z.ZodType<PyInt> {
  const schema = withMinimum(customScalar<PyInt>('integer', isPyInt), options.minimum);
  return schema.register(jsonSchemaFragments, { type: 'integer', ...minimumOf(options) });
}

/** Any finite JSON number, optionally with a lower bound. */
export function atifNumber(options: { minimum?: number } = {}): z.ZodType<PyNumber> {
  const schema = withMinimum(customScalar<PyNumber>('number', isPyNumber), options.minimum);
  return schema.register(jsonSchemaFragments, { type: 'number', ...minimumOf(options) });
}

function minimumOf(options: { minimum?: number }): { minimum?: number } {
  return options.minimum === undefined ? {} : { minimum: options.minimum };
}

/** A free-form JSON object (`extra`, tool `arguments`, tool definitions). */
export const jsonObject = z.record(z.string(), z.unknown());

/** An ISO 8601 timestamp string as the reference parses it (see iso-timestamp.ts). */
export const isoTimestamp = z
  .string()
  .refine(isPythonIsoTimestamp, { params: { rule: 'timestamp' } satisfies RuleParams });

/** A field that exists only from `introduced` on: any value (even null) is a finding. */
export function notInVersion(introduced: string) {
  const params: RuleParams = { rule: 'field-not-in-version' };
  return z
    .unknown()
    .refine(() => false, { params, message: `requires ${introduced} or later` })
    .optional();
}

/**
 * Object schemas reject keys they do not define. Their unrecognized-keys issue reports the object's
 * name as its message, which the issue translator puts into "field 'x' is not part of Step".
 */
export function closedObject<S extends z.core.$ZodLooseShape>(name: string, shape: S) {
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? name : undefined),
  });
}

/**
 * `unrepresentable` hook for z.toJSONSchema: the custom scalars become `{}` and then receive their
 * fragment from {@link jsonSchemaFragments}; anything else unrepresentable is a bug and throws.
 */
export function customScalarsAsFragments(ctx: { zodSchema: z.core.$ZodType }): 'any' | 'throw' {
  return ctx.zodSchema._zod.def.type === 'custom' ? 'any' : 'throw';
}
