// Network boot: the appliance (one PE file: wisp, configuration, guests) fetched over PXE/TFTP by
// OVMF's own network stack (virtio-net, no option ROM) from QEMU's user-mode network, whose built-in
// DHCP server hands out the boot file name and whose TFTP server serves it. No disk, no outside network.
import * as fs from "node:fs";
import * as path from "node:path";
import { abs } from "../../build/paths";
import { Boot, HOOK_TIMEOUT_MS, lineIndex, matchLine } from "./boot";
import { bootWith, DIR, testAppliance } from "./deploy";
import { guestChecks } from "./guest-checks";

describe("PXE: the appliance over TFTP, no disk", function () {
  this.timeout(HOOK_TIMEOUT_MS);
  let b: Boot;

  before(async function () {
    this.timeout(HOOK_TIMEOUT_MS);
    const tftp = abs(path.join(DIR, "tftp"));
    fs.rmSync(tftp, { recursive: true, force: true });
    fs.mkdirSync(tftp, { recursive: true });
    const served = path.join(tftp, "wisp.efi");
    fs.copyFileSync(testAppliance(), served);
    b = await bootWith({ image: served, boot: "pxe" });
  });

  it("OVMF boots it over PXE (IPv4) and wisp runs from its own sections", () => {
    const pxe = lineIndex(b, ">>Start PXE over IPv4.");
    lineIndex(b, "  NBP filename is wisp.efi", pxe);
    lineIndex(b, "  NBP file downloaded successfully.", pxe);
    matchLine(b, /BdsDxe: starting Boot\d+ "UEFI PXEv4 \(MAC:/);
    lineIndex(b, "wisp: appliance: configuration and 6 image sections from wisp's own image; no file system used");
  });

  guestChecks(() => b, "QEMU");
});
