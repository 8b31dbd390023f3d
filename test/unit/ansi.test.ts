// build/ansi.ts: OVMF's escape sequences removed from console output, also across chunks.
import * as assert from 'node:assert/strict';
import { AnsiStripper, stripAnsi } from '../../build/ansi';

describe('ansi', () => {
  it('removes CSI, charset and OSC sequences and keeps the text', () => {
    assert.equal(stripAnsi('\x1b[2J\x1b[01;01H\x1b[=3h\x1b[0m\x1b[37m\x1b[40mBdsDxe: loading\r\n\x1b(Bok\x1b]0;title\x07!'), 'BdsDxe: loading\r\nok!');
  });

  it('holds back a sequence split between chunks', () => {
    const s = new AnsiStripper();
    const chunks = ['abc\x1b', '[2', 'Jdef\x1b[0', 'm', 'ghi'];
    assert.equal(chunks.map((c) => s.push(c)).join('') + s.end(), 'abcdefghi');
  });
});
