// A flat binary: the whole file at the configured load address, entered at `entry` in the
// configured mode (real16 or protected32, flat segments, paging off).

import { imageSize, imageLoad } from "../host";
import { currentVm, guestMemoryBytes } from "../vm/vm";
import { vmLoadAddress, vmEntry, vmMode, IMAGE_KERNEL } from "../vm/config";
import { report, say, sayHex, saySize, failed } from "./report";
import { setEntryState, ENTRY_PROTECTED32, CR0_PE, CR0_ET } from "./entry";

const NO_IMAGE: u64 = 0xffffffffffffffff;

export function loadFlat(): i32 {
  const vm = currentVm();
  const size = imageSize(IMAGE_KERNEL);
  if (size == NO_IMAGE) { report("image: the host has no file for it"); return failed(); }
  const at = vmLoadAddress(vm);
  const memory = guestMemoryBytes();
  if (at > memory || size > memory - at) {
    report("image ("); saySize(size); say(") at load "); sayHex(at); say(" does not fit in ");
    saySize(memory); say(" of memory"); return failed();
  }
  if (size > 0 && imageLoad(IMAGE_KERNEL, 0, size, at) != 1) {
    report("image: the host could not copy it to "); sayHex(at); return failed();
  }
  const mode = vmMode(vm);
  setEntryState(mode, vmEntry(vm), mode == ENTRY_PROTECTED32 ? CR0_PE | CR0_ET : CR0_ET, 0, 0, 0);
  return 0;
}
