import { z } from 'zod';
import { atifJsonSchema } from '../../atif/validate/index.js';
import { atofEnvelopeSchema } from '../../ingest/atof.js';
import { hookRecordSchema } from '../../ingest/records/hook-record.js';
import { gatewayRecordSchema } from '../../ingest/records/gateway.js';
import { harEntrySchema } from '../../ingest/records/har.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIO } from '../io.js';

export interface SchemaFlags {
  input?: boolean;
}

const toSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' });

/** JSON Schemas of the input record kinds, generated from the zod models the reader uses. */
export function inputRecordSchemas(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'relay-atif input records',
    description: 'One JSON value per NDJSON line; each line is one of these record kinds.',
    oneOf: ['atof_event', 'hook_record', 'gateway_record', 'har_entry'].map((name) => ({ $ref: `#/$defs/${name}` })),
    $defs: {
      atof_event: toSchema(atofEnvelopeSchema),
      hook_record: toSchema(hookRecordSchema),
      gateway_record: toSchema(gatewayRecordSchema),
      har_entry: toSchema(harEntrySchema),
    },
  };
}

/** `relay-atif schema`: the JSON Schema of ATIF v1.7 (or of the input records with --input) on stdout. */
export async function schemaCommand(_args: string[], flags: SchemaFlags, io: CliIO): Promise<ExitCode> {
  const schema = flags.input ? inputRecordSchemas() : atifJsonSchema();
  io.stdout.write(JSON.stringify(schema, null, 2) + '\n');
  return EXIT.OK;
}
