// loadGuest: after vmSetup, the shim asks the core to put the VM's images into guest memory and
// to leave the entry state in the vCPU area (as-src/README.md, "Loaders").

import { guestMemoryBytes, currentVm } from "../vm";
import { vmKind, KIND_LINUX, KIND_MULTIBOOT } from "../config";
import { report, failed } from "./report";
import { loadLinux } from "./linux";
import { loadMultiboot } from "./multiboot";
import { loadFlat } from "./flat";

/** 0 ok (entry state in the vCPU area); -1 with the reason at messageOffset()/messageLength(). */
export function loadGuest(): i32 {
  if (guestMemoryBytes() == 0) { report("loadGuest: no VM (call vmSetup first)"); return failed(); }
  const kind = vmKind(currentVm());
  if (kind == KIND_LINUX) return loadLinux();
  if (kind == KIND_MULTIBOOT) return loadMultiboot();
  return loadFlat();
}
