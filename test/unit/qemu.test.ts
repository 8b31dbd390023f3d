// build/qemu.ts bootImage's `until`: QEMU is stopped once the (escape-stripped) console matches.
// A shell script named qemu-system-x86_64, first on PATH, stands in for QEMU: it prints a console
// that the firmware would, then waits as the firmware's shell does (or, told so, ends by itself).
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { bootImage } from "../../build/qemu";

const FAKE_QEMU = `#!/bin/sh
printf 'booting\\r\\n'
sleep 0.2
printf 'wisp: no SVM\\r\\nBdsDxe: failed to start Boot0001: Unsup\\033[0mported\\r\\n'
[ "$FAKE_QEMU_EXIT" ] && exit "$FAKE_QEMU_EXIT"
exec sleep 30
`;

describe("bootImage until", function () {
  this.timeout(20_000);
  let dir: string;
  let image: string;
  const savedPath = process.env.PATH;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "wisp-fake-qemu-"));
    fs.writeFileSync(path.join(dir, "qemu-system-x86_64"), FAKE_QEMU, { mode: 0o755 });
    image = path.join(dir, "disk.img");
    fs.writeFileSync(image, "");
    process.env.PATH = `${dir}${path.delimiter}${savedPath}`;
  });
  after(() => {
    process.env.PATH = savedPath;
    delete process.env.FAKE_QEMU_EXIT;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("stops QEMU once the console matches, escape sequences stripped", async () => {
    const started = Date.now();
    const r = await bootImage({ image, timeoutMs: 15_000, until: /^wisp: no SVM[^]*^BdsDxe: .*: Unsupported\r?$/m });
    assert.equal(r.stoppedByMatch, true);
    assert.equal(r.timedOut, false);
    assert.equal(r.status, null);
    assert.match(r.output, /failed to start Boot0001: Unsupported/);
    assert.ok(Date.now() - started < 10_000, "stopped at the match, not at the timeout");
  });

  it("leaves a QEMU that ends by itself alone when nothing matches", async () => {
    process.env.FAKE_QEMU_EXIT = "3";
    const r = await bootImage({ image, timeoutMs: 15_000, until: /never printed/ });
    assert.equal(r.stoppedByMatch, false);
    assert.equal(r.timedOut, false);
    assert.equal(r.status, 3);
  });
});
