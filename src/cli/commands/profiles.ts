import { FIXES, PROFILE_NAMES, resolveFixes } from '../../profiles/fixes.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIO } from '../io.js';

export interface ProfilesFlags {
  json?: boolean;
}

/** `relay-atif profiles`: each profile and each named fix with its origin. */
export async function profilesCommand(_args: string[], flags: ProfilesFlags, io: CliIO): Promise<ExitCode> {
  const profiles = PROFILE_NAMES.map((name) => ({ name, fixes: [...resolveFixes(name)] }));
  if (flags.json) {
    // snake_case, as every JSON document the CLI prints (the registry's own field names are TypeScript's).
    const fixes = FIXES.map((f) => ({ name: f.name, summary: f.summary, origin: f.origin, in_default: f.inDefault }));
    io.stdout.write(JSON.stringify({ profiles, fixes }, null, 2) + '\n');
    return EXIT.OK;
  }
  io.stdout.write('Profiles:\n');
  io.stdout.write('  relay-0.3  NeMo-Relay 0.3 exporter (40bd7a03c), quirks included; no fixes\n');
  io.stdout.write('  default    relay-0.3 plus the fixes marked *\n\nFixes (--fix NAME / --no-fix NAME):\n');
  const width = Math.max(...FIXES.map((f) => f.name.length));
  for (const f of FIXES) io.stdout.write(`${f.inDefault ? '*' : ' '} ${f.name.padEnd(width)}  ${f.summary} (${f.origin})\n`);
  return EXIT.OK;
}
