// The external programs and firmware files wisp runs or reads, from the one table build/tools.json
// (with their Debian packages; build/setup.sh installs those). Every spawn in build/ and test/ takes
// its program from program(): test/unit/tools.test.ts holds that.
import * as fs from 'node:fs';
import * as path from 'node:path';
import table from './tools.json';
import { WispError } from './log';

export type ProgramName = keyof typeof table.programs;
export type FileName = keyof typeof table.files;

interface ProgramEntry { package: string; why: string; llvm?: boolean; dirs?: string[] }
interface FileEntry { package: string; why: string; path: string }

const PROGRAMS: Record<ProgramName, ProgramEntry> = table.programs;
const FILES: Record<FileName, FileEntry> = table.files;
const NEWEST_LLVM = 20;
const OLDEST_LLVM = 14;                         // Debian 12 has LLVM 14

export function isProgramName(name: string): name is ProgramName {
  return Object.prototype.hasOwnProperty.call(PROGRAMS, name);
}

export function programNames(): ProgramName[] {
  return Object.keys(PROGRAMS) as ProgramName[];
}

export function fileNames(): FileName[] {
  return Object.keys(FILES) as FileName[];
}

/** Every Debian package of the table, each once, in table order (what build/setup.sh installs). */
export function debianPackages(): string[] {
  const all = [...Object.values(PROGRAMS), ...Object.values(FILES)].map((e) => e.package);
  return [...new Set(all)];
}

/** The line for a program or file the table names that is not there. */
export function notInstalled(what: string, pkg: string): WispError {
  return new WispError(`${what} not found: install the Debian package ${pkg} (\`npm run setup\` does, as root; or \`sudo apt-get install ${pkg}\`)`);
}

function executable(p: string): boolean {
  try { fs.accessSync(p, fs.constants.X_OK); return fs.statSync(p).isFile(); } catch { return false; }
}

function find(name: string, dirs: string[]): string | null {
  for (const dir of dirs) {
    const p = path.join(dir, name);
    if (executable(p)) return p;
  }
  return null;
}

/** The program's path, or null when it is not installed (looked up on each call: PATH may change). */
function programOrNull(name: ProgramName): string | null {
  const e = PROGRAMS[name];
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...(e.dirs ?? [])];
  const names: string[] = [name];
  if (e.llvm) for (let v = NEWEST_LLVM; v >= OLDEST_LLVM; v--) names.push(`${name}-${v}`);
  for (const n of names) {
    const p = find(n, dirs);
    if (p) return p;
  }
  return null;
}

/** The program's path; a WispError naming its Debian package when it is not installed. */
export function program(name: ProgramName): string {
  const p = programOrNull(name);
  if (!p) throw notInstalled(name, PROGRAMS[name].package);
  return p;
}

/** The firmware or data file's path; a WispError naming its Debian package when it is absent. */
export function file(name: FileName): string {
  const e = FILES[name];
  if (!fs.existsSync(e.path)) throw notInstalled(e.path, e.package);
  return e.path;
}
