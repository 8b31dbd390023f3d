// The core's exports: the ABI of docs/architecture.md ("The core's ABI"). Nothing else lives here.

export {
  inputBuffer, parseConfig, messageOffset, messageLength, vmCount, vmNameOffset, vmNameLength,
  vmImageOffset, vmImageLength, vmMemoryMiB, vmLoadAddress, vmEntry, vmMode, vmExpectKind,
  vmExpectValue, debugExitEnabled,
} from "./config";
export { vmSetup } from "./vm";
export { vcpuStateOffset } from "./vcpu";
export { statsOffset } from "./exit-stats";
export { handleExit } from "./exit";
export { resultKind, resultValue } from "./result";

// AssemblyScript's abort, selected by --use abort=as-src/abort/coreAbort (asconfig.json).
import "./abort";
