// build/cache/stamp.ts: a step reruns when an input's content or the key changes, not when a file
// is only touched, and when an output is missing.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { runStep } from '../../build/cache/stamp';
import { abs } from '../../build/paths';

describe('stamp', () => {
  const dir = 'out/tmp/stamp-test';
  const input = `${dir}/in.txt`, output = `${dir}/out.txt`;
  const id = `test/stamp-${process.pid}`;
  let runs = 0;
  const step = (key: unknown = 1) => runStep({ id, key, inputs: [input], outputs: [output] }, async () => {
    runs++;
    fs.writeFileSync(abs(output), fs.readFileSync(abs(input)));
  });

  before(() => { fs.rmSync(abs(dir), { recursive: true, force: true }); fs.mkdirSync(abs(dir), { recursive: true }); });
  after(() => fs.rmSync(abs(dir), { recursive: true, force: true }));

  it('runs, then is up to date', async () => {
    fs.writeFileSync(abs(input), 'one');
    assert.equal(await step(), true);
    assert.equal(await step(), false);
    assert.equal(runs, 1);
  });

  it('touching an input does not rerun; changing it does', async () => {
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(abs(input), later, later);
    assert.equal(await step(), false);
    fs.writeFileSync(abs(input), 'two');
    assert.equal(await step(), true);
    assert.equal(fs.readFileSync(abs(output), 'utf8'), 'two');
  });

  it('a different key or a missing output reruns', async () => {
    assert.equal(await step(2), true);
    assert.equal(await step(2), false);
    fs.rmSync(abs(output));
    assert.equal(await step(2), true);
  });
});
