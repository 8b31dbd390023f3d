// build/log.ts: the live progress line only on a terminal and never under --quiet; colour only on a
// terminal without NO_COLOR; step lines and the guest's console clear the live line first.
import * as assert from 'node:assert/strict';
import { consoleOut, progress, progressText, setQuiet, useColour } from '../../build/log';

/** A stream that says it is a terminal (or not) and keeps what is written to it. */
function stream(isTTY: boolean): { isTTY: boolean; text: string; write(s: string): boolean } {
  return { isTTY, text: '', write(s: string) { this.text += s; return true; } };
}

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('progress and colour (build/log.ts)', () => {
  afterEach(() => setQuiet(false));

  it('the text: bytes and percent where the total is known, else a spinner and the seconds', () => {
    assert.equal(progressText('apt-get download linux-image', 3500, 35 * 1024 * 1024, 70 * 1024 * 1024), 'apt-get download linux-image: 35.0 MiB of 70.0 MiB (50%), 3 s');
    assert.equal(progressText('build', 12_300, undefined, undefined, 1), 'build / 12 s');
    assert.equal(progressText('image x.img', 2000, undefined, 3 * 1024 * 1024, 0), 'image x.img | 2 s (3.0 MiB)');
    assert.equal(progressText('x', 0, 200, 100), 'x: 0.0 MiB of 0.0 MiB (100%), 0 s', 'never above 100%');
  });

  it('a terminal gets the line, redrawn in place, and cleared at the end', async () => {
    const s = stream(true);
    const p = progress('fetch', { total: 1000, stream: s });
    p.update(500);
    await tick(600);
    p.end();
    assert.match(s.text, /^\r\x1b\[Kfetch: 0\.0 MiB of 0\.0 MiB \(50%\), 0 s/);
    assert.ok(s.text.endsWith('\r\x1b[K'), 'cleared at the end');
    const length = s.text.length;
    await tick(300);
    assert.equal(s.text.length, length, 'nothing drawn after the end');
  });

  it('a pipe gets nothing, and neither does a terminal under --quiet', async () => {
    const pipe = stream(false);
    const p = progress('fetch', { stream: pipe });
    await tick(300);
    p.end();
    assert.equal(pipe.text, '');
    setQuiet(true);
    const tty = stream(true);
    const q = progress('fetch', { stream: tty });
    await tick(300);
    q.end();
    assert.equal(tty.text, '');
  });

  it('one live line at a time: a second one while the first runs draws nothing', async () => {
    const a = stream(true), b = stream(true);
    const first = progress('build', { stream: a });
    const second = progress('image', { stream: b });
    await tick(300);
    second.end();
    first.end();
    assert.notEqual(a.text, '');
    assert.equal(b.text, '');
  });

  it('the console clears the live line, which waits for the console\'s line to end before it is drawn again', async () => {
    const s = stream(true);
    const out = stream(false);
    const p = progress('boot', { stream: s });
    await tick(300);
    assert.match(s.text, /boot \S 0 s$/, 'drawn');
    consoleOut('BdsDxe: loading', out as unknown as NodeJS.WriteStream);
    assert.ok(s.text.endsWith('\r\x1b[K'), 'cleared before the console text');
    const cleared = s.text.length;
    await tick(300);
    assert.equal(s.text.length, cleared, 'not drawn in the middle of the console\'s line');
    consoleOut(' Boot0001\n', out as unknown as NodeJS.WriteStream);
    assert.match(s.text.slice(cleared), /boot \S 0 s$/, 'drawn again below the finished line');
    p.end();
    assert.equal(out.text, 'BdsDxe: loading Boot0001\n');
  });

  it('colour only on a terminal, and not with NO_COLOR (set, not empty) or TERM=dumb', () => {
    assert.equal(useColour({ isTTY: true }, {}), true);
    assert.equal(useColour({ isTTY: false }, {}), false);
    assert.equal(useColour({}, {}), false);
    assert.equal(useColour({ isTTY: true }, { NO_COLOR: '' }), true, 'an empty NO_COLOR does not count (no-color.org)');
    assert.equal(useColour({ isTTY: true }, { NO_COLOR: '1' }), false);
    assert.equal(useColour({ isTTY: true }, { TERM: 'dumb' }), false);
  });
});
