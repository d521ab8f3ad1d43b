import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** The floor: read the same lines and JSON.parse each, nothing else. */
let events = 0;
const rl = createInterface({ input: createReadStream(process.argv[2]), crlfDelay: Infinity });
for await (const line of rl) {
  if (line.trim() === '') continue;
  JSON.parse(line);
  events++;
}
process.stderr.write(`floor: ${events} events\n`);
