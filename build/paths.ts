// Where things are: the repository root (WISP_ROOT overrides it, for testing the driver on a
// stand-in tree) and the output folder out/, the only place the build writes to.
import * as path from 'node:path';
import * as fs from 'node:fs';

function findRoot(): string {
  if (process.env.WISP_ROOT) return path.resolve(process.env.WISP_ROOT);
  // Bundled as out/tools/wisp.js (or run from build/ or test/... in source form): walk up to package.json.
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'build'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

export const root = findRoot();
export const outDir = path.join(root, 'out');

/** Absolute path of a root-relative one. */
export function abs(rel: string): string {
  return path.resolve(root, rel);
}

/** Root-relative path for messages (forward slashes). */
export function rel(file: string): string {
  const r = path.relative(root, file);
  return r.startsWith('..') ? file : r.split(path.sep).join('/');
}

/** Files under dir (recursively) whose name satisfies accept; sorted; [] when dir does not exist. */
export function listFiles(dir: string, accept: (name: string) => boolean, skipDirs: string[] = []): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    let entries: fs.Dirent[];
    try { entries = fs.readdirSync(d, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) { if (!skipDirs.includes(p)) walk(p); }
      else if (accept(e.name)) found.push(p);
    }
  };
  walk(dir);
  return found.sort();
}

export function ensureDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
}
