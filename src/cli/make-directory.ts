import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * `mkdir -p` that always ends. Node's `mkdir(path, { recursive: true })` never settles, spinning at
 * 100% CPU, where the kernel answers ENOENT for a new child of a directory that exists, as under /proc
 * (`-o /proc/x/`): it takes ENOENT to mean "create the parent first", finds the parent there, and tries
 * again. Here each missing ancestor is created once, from the nearest existing one down, and any error
 * but "already exists" ends the walk (so a dangling symbolic link on the way ends it too).
 */
export async function makeDirectory(path: string): Promise<void> {
  const missing: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    if (await exists(dir)) break;
    missing.push(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of missing.reverse()) {
    // EEXIST: made meanwhile, or a dangling link (then the next level fails with ENOENT, and that ends it).
    await mkdir(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  }
  // The target itself may be a file that was there, or one made meanwhile.
  const st = await stat(path);
  if (!st.isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${path}'`), { code: 'ENOTDIR' });
}

/** Whether something is at `path` (ENOENT: no; any other error, such as ENOTDIR, is thrown). */
async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
