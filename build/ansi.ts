// Strips ANSI/VT100 escape sequences (OVMF's console clears the screen and sets colours) from a
// stream of text that may split a sequence across chunks.
const SEQUENCE = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[()*+][ -~]|[@-Z\\^_`a-z=>78])/g;

export function stripAnsi(text: string): string {
  return text.replace(SEQUENCE, '');
}

export class AnsiStripper {
  private pending = '';

  /** The text of chunk without escape sequences; an unfinished sequence at its end is held back. */
  push(chunk: string): string {
    let text = stripAnsi(this.pending + chunk);
    this.pending = '';
    const esc = text.lastIndexOf('\x1b');
    if (esc >= 0 && text.length - esc < 64) {
      this.pending = text.slice(esc);
      text = text.slice(0, esc);
    }
    return text;
  }

  /** What is left at the end of the stream (an unfinished sequence is dropped). */
  end(): string {
    const rest = this.pending.startsWith('\x1b') ? '' : this.pending;
    this.pending = '';
    return rest;
  }
}
