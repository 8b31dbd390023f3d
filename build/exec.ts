// Running external tools: captured output, a clear error with the tool's output on failure.
import { spawn } from 'node:child_process';
import { endOnInterrupt } from './interrupt';
import { WispError } from './log';
import { root, rel } from './paths';

export interface RunResult { status: number | null; stdout: string; stderr: string }

export function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = endOnInterrupt(spawn(cmd, args, { cwd: opts.cwd ?? root, env: opts.env ?? process.env, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] }));
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => {
      reject(e.code === 'ENOENT' ? new WispError(`${cmd}: command not found (run \`npm run setup\`)`) : e);
    });
    child.on('close', (status) => resolve({ status, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
    if (opts.input !== undefined) child.stdin!.end(opts.input);
  });
}

/** Shell-like rendering of a command line for messages. */
export function commandLine(cmd: string, args: string[]): string {
  return [cmd, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? rel(a) : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** Runs a tool and fails with its output when it fails; returns stdout + stderr of a success. */
export async function runChecked(what: string, cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<RunResult> {
  const r = await run(cmd, args, opts);
  if (r.status !== 0) {
    const output = (r.stdout + r.stderr).trimEnd();
    throw new WispError(`${what} failed (exit status ${r.status}):\n  ${commandLine(cmd, args)}\n${output}`);
  }
  return r;
}
