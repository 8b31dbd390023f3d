// docs/config.md, the one configuration reference, held to the core's parser (as-src/vm/config.ts):
// the keys and values it documents are the ones the parser knows, and the other way round; every
// example parses; the documented defaults are what the parser gives.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseWithCore, validateConfig } from '../../build/config-check';

const DOC = fs.readFileSync('docs/config.md', 'utf8');
const PARSER = fs.readFileSync('as-src/vm/config.ts', 'utf8');

/** The body of `function NAME(` in the parser's source, up to the next top-level function. */
function functionBody(name: string): string {
  const start = PARSER.indexOf(`function ${name}(`);
  assert.ok(start >= 0, `as-src/vm/config.ts has no function ${name}`);
  const next = PARSER.indexOf('\nfunction ', start + 1);
  return PARSER.slice(start, next < 0 ? undefined : next);
}

const literals = (text: string, re: RegExp): string[] => [...text.matchAll(re)].map((m) => m[1]);
const KEY = /equals\(ks, ke, "([a-z-]+)"\)/g;
const VALUE = /equals\(vs, (?:ve|w), "([a-z0-9-]+)"\)/g;

/** What the parser takes: each section's keys, and for keys with a fixed set of words, those words. */
function parserKeys(): { wisp: Map<string, string[]>; vm: Map<string, string[]> } {
  const wisp = new Map<string, string[]>();
  // wispKey: one `if (equals(ks, ke, "KEY")) { ... values ... }` block per key.
  const body = functionBody('wispKey');
  const starts = [...body.matchAll(KEY)];
  starts.forEach((m, i) => wisp.set(m[1], literals(body.slice(m.index, starts[i + 1]?.index), VALUE)));
  const vm = new Map<string, string[]>();
  for (const k of literals(functionBody('vmKey'), KEY)) vm.set(k, []);
  vm.set('mode', literals(functionBody('vmKey'), VALUE));
  vm.set('expect', literals(functionBody('expectValue'), VALUE));
  return { wisp, vm };
}

/** A table of the doc under `heading`: key -> the backticked words of its values column. */
function docTable(heading: string): Map<string, string[]> {
  const at = DOC.indexOf(heading);
  assert.ok(at >= 0, `docs/config.md has no section ${heading}`);
  const section = DOC.slice(at, DOC.indexOf('\n## ', at + 1));
  const rows = new Map<string, string[]>();
  for (const line of section.split('\n')) {
    const m = /^\| `([a-z-]+)` \| ([^|]*) \|/.exec(line);
    if (m) rows.set(m[1], literals(m[2], /`([a-z0-9-]+)/g));
  }
  return rows;
}

function examples(): string[] {
  const section = DOC.slice(DOC.indexOf('## Examples'));
  return literals(section, /```\n([^]*?)```/g);
}

describe('docs/config.md: the configuration reference matches the core\'s parser', () => {
  const parser = parserKeys();

  for (const [section, heading] of [['wisp', '## `[wisp]`'], ['vm', '## `[vm NAME]`']] as const) {
    it(`[${section}]: the same keys, and for each the same words`, () => {
      const doc = docTable(heading);
      const known = parser[section];
      assert.ok(known.size >= 3, 'found the parser\'s keys');
      assert.deepEqual([...doc.keys()].sort(), [...known.keys()].sort(), `keys of ${heading} against as-src/vm/config.ts`);
      for (const [key, words] of known) {
        for (const w of words) assert.ok(doc.get(key)!.includes(w), `${key}: the parser takes ${w}; docs/config.md does not say so`);
        if (words.length) {
          for (const w of doc.get(key)!) assert.ok(words.includes(w), `${key}: docs/config.md lists ${w}; the parser does not take it`);
        }
      }
    });
  }

  it('every example parses, and together they use every key', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wisp-config-doc-'));
    const used = new Set<string>();
    try {
      const all = examples();
      assert.ok(all.length >= 2, 'docs/config.md has examples');
      for (const [i, text] of all.entries()) {
        const file = path.join(dir, `example${i}.cfg`);
        fs.writeFileSync(file, text);
        await validateConfig(file);
        for (const m of text.matchAll(/^([a-z-]+)\s*=/gm)) used.add(m[1]);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const every = [...parser.wisp.keys(), ...parser.vm.keys()];
    assert.deepEqual(every.filter((k) => !used.has(k)), [], 'keys no example shows');
  });

  it('the documented defaults are the parser\'s: expect exit 0, entry = load, on-end halt (summary with debug-exit), debug-exit off', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wisp-config-doc-'));
    try {
      const file = path.join(dir, 'wisp.cfg');
      fs.writeFileSync(file, '[vm a]\nimage = a.bin\nmemory = 2\nload = 0x2000\nmode = protected32\n');
      const { core, count } = await parseWithCore(file);
      assert.equal(count, 1);
      assert.equal(Number(core.vmExpectKind(0)), 1, 'expect: exit');
      assert.equal(Number(core.vmExpectValue(0)), 0, 'expect: exit 0');
      assert.equal(Number(core.vmEntry(0)), 0x2000, 'entry: load');
      assert.equal(Number(core.onEnd()), 0, 'on-end: halt');
      assert.equal(Number(core.debugExitEnabled()), 0, 'debug-exit: off');
      fs.writeFileSync(file, '[wisp]\ndebug-exit = on\n[vm a]\nimage = a.bin\nmemory = 2\nload = 0x2000\nmode = protected32\n');
      assert.equal(Number((await parseWithCore(file)).core.onEnd()), 1, 'debug-exit = on: on-end summary');
      // "A VM's key appears once in its section (module excepted); in [wisp] the last one counts."
      fs.writeFileSync(file, '[wisp]\ndebug-exit = on\ndebug-exit = off\n[vm a]\nimage = a.bin\nmemory = 2\nload = 0x2000\nmode = protected32\n');
      assert.equal(Number((await parseWithCore(file)).core.onEnd()), 0, '[wisp]: the last debug-exit counts');
      fs.writeFileSync(file, '[vm a]\nimage = a.bin\nmemory = 2\nmemory = 3\nload = 0x2000\nmode = protected32\n');
      assert.match((await parseWithCore(file)).error ?? '', /:4: duplicate key 'memory'/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
