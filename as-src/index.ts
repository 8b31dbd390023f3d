// The core's exports: the ABI of docs/architecture.md ("The core's ABI"). Nothing else lives here.

export {
  inputBuffer, parseConfig, messageOffset, messageLength, vmCount, vmNameOffset, vmNameLength,
  vmImageOffset, vmImageLength, vmMemoryMiB, vmLoadAddress, vmEntry, vmMode, vmExpectKind,
  vmExpectValue, debugExitEnabled, onEnd, vmKind, vmImageCount, vmFileOffset, vmFileLength,
} from "./config";
export { loadGuest } from "./loaders/load-guest";
export { kernelFormat } from "./loaders/kernel-format";
export { vmSetup } from "./vm";
export { bluepillSetup } from "./passthrough";
export { vcpuStateOffset } from "./vcpu";
export { statsOffset } from "./exit-stats";
export { handleExit, handlePassthroughExit } from "./exit";
export { resultKind, resultValue } from "./result";
export { setTscKhz } from "./clock";
export { pollDevices, acknowledgeInterrupt, nextDeadlineNs } from "./irq";
export { consoleInput } from "./devices/uart16550";

// AssemblyScript's abort, selected by --use abort=as-src/abort/coreAbort (asconfig.json).
import "./abort";
