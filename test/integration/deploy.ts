// Helpers of the deployment tests (deploy-*.test.ts): the packed test appliance and ESPs around it.
import * as path from "node:path";
import { abs } from "../../build/paths";
import { makeImage } from "../../image/image";
import { packAppliance } from "../../image/pack";
import { bootImage, BootOptions } from "../../build/qemu";
import { Boot, BOOT_TIMEOUT_MS, built } from "./boot";

export const DIR = "out/test-images";

/** Packs the test guests into out/test-images/appliance.efi (once per test run). */
let packed: string | undefined;
export function testAppliance(): string {
  packed ??= abs(packAppliance({ efi: built("out/wisp-test.efi"), config: abs("test/guests/wisp.cfg"), output: path.join(DIR, "appliance.efi") }));
  return packed;
}

/** An ESP image holding only \EFI\BOOT\BOOTX64.EFI = efi. */
export async function espWithOnly(efi: string, name: string): Promise<string> {
  return makeImage({ output: abs(path.join(DIR, `${name}.img`)), efi }).then((p) => abs(p));
}


/** Boots with the given bootImage options (default CPU model max); the console split into lines. */
export async function bootWith(o: BootOptions): Promise<Boot> {
  const r = await bootImage({ cpu: "max", timeoutMs: BOOT_TIMEOUT_MS, ...o });
  return { ...r, lines: r.output.split(/\r?\n/).map((l) => l.trimEnd()) };
}
