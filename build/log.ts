// Progress output (one line per step that ran) and the error type whose message is shown as is.

/** An error to report without a stack trace: the message says what went wrong and what to do. */
export class WispError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'WispError';
  }
}

/** A mistake in how a command was called (a flag, its value, a missing argument): exit status 2. */
export class UsageError extends WispError {
  constructor(message: string) {
    super(message, 2);
  }
}

let quiet = false;
export function setQuiet(q: boolean): void { quiet = q; }

/** One progress line, e.g. `cc c-shim/svm/vmcb.c`. */
export function step(line: string): void {
  if (!quiet) process.stderr.write(`${line}\n`);
}

export function warn(line: string): void {
  process.stderr.write(`warning: ${line}\n`);
}
