// What wisp says while it works: one line per step that ran, a live progress line on a terminal,
// and the error type whose message is shown as is. `--quiet` keeps only errors and warnings (and
// the guest's console, which is not written through here).

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

/** Colour on `stream` only when it is a terminal and the user has not asked for none (https://no-color.org). */
export function useColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb';   // NO_COLOR set and not empty: none
}

/** The one live progress line (on a terminal only), cleared while other text is written. */
let live: LiveLine | undefined;

/** Writes text to a stream that the live line shares, without the two mixing on one line. */
function around(write: () => void, endsLine: boolean): void {
  live?.clear();
  write();
  if (live) live.atLineStart = endsLine;
  live?.draw();
}

/** One progress line, e.g. `cc c-shim/svm/vmcb.c`. */
export function step(line: string): void {
  if (!quiet) around(() => process.stderr.write(`${line}\n`), true);
}

export function warn(line: string): void {
  around(() => process.stderr.write(`warning: ${line}\n`), true);
}

/** The guest's console (stdout) or the emulator's messages (stderr), never quiet; the live line waits for the end of its line. */
export function consoleOut(text: string | Buffer, stream: NodeJS.WriteStream = process.stdout): void {
  if (text.length) around(() => stream.write(text), text[text.length - 1] === (typeof text === 'string' ? '\n' : 10));
}

interface Stream { isTTY?: boolean; write(s: string): unknown }

export interface Progress {
  /** Bytes done so far (with a total: shown with the percentage). */
  update(done: number): void;
  end(): void;
}

const SPINNER = '|/-\\';

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** The text of a progress line: bytes and percent where the total is known, else a spinner and the time. */
export function progressText(label: string, elapsedMs: number, done?: number, total?: number, tick = 0): string {
  const secs = `${Math.floor(elapsedMs / 1000)} s`;
  if (total && done !== undefined) {
    const pct = Math.min(100, Math.floor((done / total) * 100));
    return `${label}: ${mib(done)} of ${mib(total)} (${pct}%), ${secs}`;
  }
  return `${label} ${SPINNER[tick % SPINNER.length]} ${secs}${total ? ` (${mib(total)})` : ''}`;
}

class LiveLine implements Progress {
  atLineStart = true;
  private shown = false;
  private done?: number;
  private tick = 0;
  private readonly started = Date.now();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly label: string, private readonly total: number | undefined, private readonly stream: Stream) {
    this.timer = setInterval(() => { this.tick++; this.draw(); }, 250);
    this.timer.unref();                   // the first draw after 250 ms: a quick step shows none
  }

  update(done: number): void { this.done = done; }

  draw(): void {
    if (!this.atLineStart || live !== this) return;
    this.stream.write(`\r\x1b[K${progressText(this.label, Date.now() - this.started, this.done, this.total, this.tick)}`);
    this.shown = true;
  }

  clear(): void {
    if (this.shown) this.stream.write('\r\x1b[K');
    this.shown = false;
  }

  end(): void {
    clearInterval(this.timer);
    this.clear();
    if (live === this) live = undefined;
  }
}

const NO_PROGRESS: Progress = { update: () => undefined, end: () => undefined };

/**
 * A live line for a step that can take more than a moment (a download, a build, a boot until wisp's
 * banner): only on a terminal and not under --quiet, so logs and pipes get none of it. One at a
 * time: a second one while the first runs shows nothing.
 */
export function progress(label: string, o: { total?: number; stream?: Stream } = {}): Progress {
  const stream = o.stream ?? process.stderr;
  if (quiet || !stream.isTTY || live) return NO_PROGRESS;
  live = new LiveLine(label, o.total, stream);
  return live;
}
