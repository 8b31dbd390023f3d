// Ctrl-C (SIGINT) and SIGTERM: what a command has half made is removed and the programs it started
// are ended, then wisp exits with 128 + the signal's number (130 for Ctrl-C), as a shell reports it.
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';

const cleanups = new Set<() => void>();
const children = new Set<ChildProcess>();

/** `cleanup` runs if wisp is interrupted before the returned function is called. */
export function onInterrupt(cleanup: () => void): () => void {
  cleanups.add(cleanup);
  return () => { cleanups.delete(cleanup); };
}

/** `p` (a file or a folder) is removed if wisp is interrupted before the returned function is called. */
export function removeOnInterrupt(p: string): () => void {
  return onInterrupt(() => fs.rmSync(p, { recursive: true, force: true }));
}

/** `child` is ended (SIGTERM) if wisp is interrupted while it runs. */
export function endOnInterrupt<T extends ChildProcess>(child: T): T {
  children.add(child);
  child.once('close', () => children.delete(child));
  return child;
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGINT: 2, SIGTERM: 15 };

function interrupted(signal: NodeJS.Signals): void {
  for (const child of children) child.kill('SIGTERM');
  for (const cleanup of cleanups) cleanup();
  process.stderr.write(`\nwisp: interrupted (${signal})\n`);
  process.exit(128 + SIGNAL_NUMBERS[signal]);
}

/** Installed once by the `wisp` command. */
export function exitOnInterrupt(): void {
  for (const signal of Object.keys(SIGNAL_NUMBERS) as NodeJS.Signals[]) process.on(signal, interrupted);
}
