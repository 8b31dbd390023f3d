// Helpers for the integration tests: disk images from what `wisp build` left in out/, one QEMU
// boot per image and CPU model, and the console split into lines.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { bootImage, BootResult } from "../../build/qemu";
import { abs } from "../../build/paths";
import { makeImage } from "../../image/image";

/** OVMF takes ~4 s under TCG; a boot that has not ended after this is a hang. */
export const BOOT_TIMEOUT_MS = 120_000;
/** The mocha timeout of a hook that makes an image and boots it. */
export const HOOK_TIMEOUT_MS = BOOT_TIMEOUT_MS + 30_000;

/** Fails (does not skip) when the build has not produced `file`: a missing artifact is a failure. */
export function built(file: string): string {
  const p = abs(file);
  assert.ok(fs.existsSync(p), `${file} is missing: run \`npx wisp build\` first`);
  return p;
}

/** A disk image with wisp (the `efi` build) and, if given, a configuration and the guests it names. */
export async function imageWith(name: string, efi: string, config?: string): Promise<string> {
  const output = abs(path.join("out/test-images", `${name}.img`));
  await makeImage({ output, efi: built(efi), config: config ? abs(config) : undefined });
  return output;
}

export interface Boot extends BootResult {
  lines: string[];
}

/** Boots image; with `until`, QEMU is stopped as soon as the console matches it (see bootImage). */
export async function boot(image: string, cpu: string, timeoutMs = BOOT_TIMEOUT_MS, until?: RegExp): Promise<Boot> {
  const r = await bootImage({ image, cpu, timeoutMs, until });
  return { ...r, lines: r.output.split(/\r?\n/).map((l) => l.trimEnd()) };
}

/** The console and QEMU's command line, for assertion messages. */
export function transcript(b: BootResult): string {
  return `\n--- ${b.command}\n--- status ${b.status}${b.timedOut ? " (timed out)" : ""}${b.stoppedByMatch ? " (stopped at a match)" : ""}\n${b.output}` +
    (b.stderr ? `\n--- stderr\n${b.stderr}` : "");
}

/** Index of the first line equal to `line` (after `from`); fails with the transcript if none. */
export function lineIndex(b: Boot, line: string, from = 0): number {
  const i = b.lines.indexOf(line, from);
  assert.ok(i >= 0, `no console line ${JSON.stringify(line)}${from ? ` after line ${from}` : ""}${transcript(b)}`);
  return i;
}

/** The first line matching `re`; fails with the transcript if none. */
export function matchLine(b: Boot, re: RegExp): RegExpExecArray {
  for (const l of b.lines) {
    const m = re.exec(l);
    if (m) return m;
  }
  assert.fail(`no console line matches ${re}${transcript(b)}`);
}

/** Lines starting with `prefix`. */
export function linesStarting(b: Boot, prefix: string): string[] {
  return b.lines.filter((l) => l.startsWith(prefix));
}

/** Guest-physical address of the first occurrence of `bytes` in a flat guest image loaded at 0x1000. */
export function guestAddressOf(imageFile: string, bytes: number[]): number {
  const data = fs.readFileSync(built(imageFile));
  const i = data.indexOf(Buffer.from(bytes));
  assert.ok(i >= 0, `${imageFile} does not contain ${Buffer.from(bytes).toString("hex")}`);
  return 0x1000 + i;
}

export const VMMCALL = [0x0f, 0x01, 0xd9];   // AMD APM vol. 3, VMMCALL
