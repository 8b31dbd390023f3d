// AssemblyScript's abort (selected with --use abort=as-src/abort/coreAbort): reports through the
// console, then traps so the shim stops this VM's instance (result TRAP).

import { messageStart, messageString, messageDecimal, messageEnd } from "./vm/console";

function messageManaged(s: string | null): void {
  if (s === null) messageString("?");
  else messageString(s);
}

export function coreAbort(
  msg: string | null = null, file: string | null = null, line: u32 = 0, column: u32 = 0,
): void {
  messageStart();
  messageString("core abort: ");
  messageManaged(msg);
  messageString(" at ");
  messageManaged(file);
  messageString(":");
  messageDecimal(line);
  messageString(":");
  messageDecimal(column);
  messageEnd();
  unreachable();
}
