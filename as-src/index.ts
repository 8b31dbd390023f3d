// The core's exports: the ABI of docs/architecture.md ("The core's ABI"). Nothing else lives here.

export {
  inputBuffer, parseConfig, messageOffset, messageLength, vmCount, vmNameOffset, vmNameLength,
  vmImageOffset, vmImageLength, vmMemoryMiB, vmLoadAddress, vmEntry, vmMode, vmExpectKind,
  vmExpectValue, debugExitEnabled, onEnd, vmKind, vmImageCount, vmFileOffset, vmFileLength,
} from "./vm/config";
export { loadGuest } from "./loaders/load-guest";
export { kernelFormat } from "./loaders/kernel-format";
export { vmSetup } from "./vm/vm";
export { bluepillSetup } from "./vm/passthrough";
export { vcpuStateOffset } from "./cpu/vcpu";
export { statsOffset } from "./vm/exit-stats";
export { handleExit, handlePassthroughExit } from "./exit";
export { resultKind, resultValue } from "./vm/result";
export { setTscKhz } from "./vm/clock";
export { pollDevices, acknowledgeInterrupt, nextDeadlineNs } from "./bus/irq";
export { consoleInput } from "./devices/uart16550";

// AssemblyScript's abort, selected by --use abort=as-src/abort/coreAbort (asconfig.json).
import "./abort";
