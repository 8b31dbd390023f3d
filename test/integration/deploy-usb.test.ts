// `wisp image` as a USB key: the test guests' disk image (GPT + FAT32 ESP, configuration and images
// as files) attached as a USB mass-storage device behind an xHCI controller, the way a machine sees
// a key written with dd. OVMF's USB stack must find the ESP and wisp must read its files through it.
import { Boot, HOOK_TIMEOUT_MS, imageWith, matchLine } from "./boot";
import { bootWith } from "./deploy";
import { guestChecks } from "./guest-checks";

describe("USB key: the disk image as USB mass storage behind xHCI", function () {
  this.timeout(HOOK_TIMEOUT_MS);
  let b: Boot;

  before(async function () {
    this.timeout(HOOK_TIMEOUT_MS);
    const image = await imageWith("usb-test-guests", "out/wisp-test.efi", "test/guests/wisp.cfg");
    b = await bootWith({ image, disk: "usb" });
  });

  it("OVMF boots it from the USB device's ESP", () => {
    matchLine(b, /BdsDxe: starting Boot\d+ "UEFI QEMU QEMU USB HARDDRIVE [^"]*" from PciRoot\(0x0\)\/Pci\([^)]*\)\/USB\(/);
  });

  guestChecks(() => b, "QEMU");
});
