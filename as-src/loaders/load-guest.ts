// loadGuest: after vmSetup, the shim asks the core to put the VM's images into guest memory and
// to leave the entry state in the vCPU area (as-src/README.md, "Loaders").

import { guestMemoryBytes, currentVm } from "../vm/vm";
import { vmKind, vmImageCount, KIND_LINUX, KIND_MULTIBOOT } from "../vm/config";
import { report, failed } from "./report";
import { kernelFormat, FORMAT_LINUX, FORMAT_MULTIBOOT } from "./kernel-format";
import { loadLinux } from "./linux";
import { loadMultiboot } from "./multiboot";
import { loadFlat } from "./flat";

/** 0 ok (entry state in the vCPU area); -1 with the reason at messageOffset()/messageLength(). */
export function loadGuest(): i32 {
  if (guestMemoryBytes() == 0) { report("loadGuest: no VM (call vmSetup first)"); return failed(); }
  const kind = vmKind(currentVm());
  if (kind == KIND_LINUX) {                     // kernel = FILE: Linux or Multiboot, by content
    const format = kernelFormat();
    if (format == FORMAT_LINUX) return loadLinux();
    if (format != FORMAT_MULTIBOOT) return failed();
    if (vmImageCount(currentVm()) > 1) {
      report("kernel: a Multiboot kernel takes modules, not an initrd (give them with 'multiboot' and 'module')");
      return failed();
    }
    return loadMultiboot();
  }
  if (kind == KIND_MULTIBOOT) return loadMultiboot();
  return loadFlat();
}
