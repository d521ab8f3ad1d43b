import { z } from 'zod';
import { atifJsonSchema } from '../../atif/validate/index.js';
import { atofEnvelopeSchema } from '../../ingest/atof.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIO } from '../io.js';

export interface SchemaFlags {
  input?: boolean;
}

/** JSON Schemas of the input record kinds, generated from the zod models the reader uses. */
export function inputRecordSchemas(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'relay-atif input records',
    description: 'One JSON value per NDJSON line; each line is one of these record kinds.',
    oneOf: [{ $ref: '#/$defs/atof_event' }],
    $defs: {
      atof_event: z.toJSONSchema(atofEnvelopeSchema, { unrepresentable: 'any', io: 'input' }),
    },
  };
}

/** `relay-atif schema`: the JSON Schema of ATIF v1.7 (or of the input records with --input) on stdout. */
export async function schemaCommand(_args: string[], flags: SchemaFlags, io: CliIO): Promise<ExitCode> {
  const schema = flags.input ? inputRecordSchemas() : atifJsonSchema();
  io.stdout.write(JSON.stringify(schema, null, 2) + '\n');
  return EXIT.OK;
}
