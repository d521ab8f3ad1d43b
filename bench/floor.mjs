import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * The floor: read the same lines and JSON.parse each, nothing else. A directory is read file by file,
 * in name order (the bench's directories are flat, their files named to sort as they were written);
 * a file smaller than a megabyte is read at once, as the CLI reads it (streaming each small file would
 * make the floor itself slow, and the ratio flattering).
 */
const path = process.argv[2];
const files = statSync(path).isDirectory() ? readdirSync(path).sort().map((name) => join(path, name)) : [path];
let events = 0;
const parse = (line) => {
  if (line.trim() === '') return;
  JSON.parse(line);
  events++;
};
for (const file of files) {
  if (statSync(file).size < 1 << 20) {
    for (const line of readFileSync(file, 'utf8').split('\n')) parse(line);
    continue;
  }
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) parse(line);
}
process.stderr.write(`floor: ${events} events\n`);
