// The VM's result (docs/architecture.md, "Results"). Once set, the VM has ended.

import { messageStart, messageString, messageDecimal, messageHex, messageEnd } from "./console";

import {
  RESULT_RUNNING, RESULT_EXIT, RESULT_HALT, RESULT_FAULT, RESULT_SHUTDOWN, RESULT_TRAP, RESULT_ERROR, RESULT_RESET,
  RESULT_POWEROFF,
} from "../abi";
export {
  RESULT_RUNNING, RESULT_EXIT, RESULT_HALT, RESULT_FAULT, RESULT_SHUTDOWN, RESULT_TRAP, RESULT_ERROR, RESULT_RESET,
  RESULT_POWEROFF,
};

let kind: u32 = 0;                      // RESULT_RUNNING (a literal, so no start function is needed)
let value: u64 = 0;
let currentReason: u32 = 0;             // the exit being handled: the value of a FAULT result

/** Called by handleExit for each exit. */
export function setCurrentReason(reason: u32): void {
  currentReason = reason;
}

export function faultValue(): u64 {
  return currentReason;
}

export function resultKind(): u32 {
  return kind;
}

export function resultValue(): u64 {
  return value;
}

export function vmEnded(): bool {
  return kind != RESULT_RUNNING;
}

/** Ends the VM with a result and prints "[vm] ended: <result>". Returns 1 for handleExit. */
export function endVm(resultKind: u32, resultValue: u64): u32 {
  kind = resultKind;
  value = resultValue;
  messageStart();
  messageString("ended: ");
  if (resultKind == RESULT_EXIT) {
    messageString("exit ");
    messageDecimal(resultValue);
  } else if (resultKind == RESULT_HALT) {
    messageString("halt");
  } else if (resultKind == RESULT_FAULT) {
    messageString("fault");
  } else if (resultKind == RESULT_SHUTDOWN) {
    messageString("shutdown");
  } else if (resultKind == RESULT_RESET) {
    messageString("reset");
  } else if (resultKind == RESULT_POWEROFF) {
    messageString("poweroff");
  } else {
    messageString("result ");
    messageHex(resultKind);
  }
  messageEnd();
  return 1;
}

/** Stops the VM for what the guest did: prints "[vm] fault: <why>" first. Returns 1. */
export function fault(why: string): u32 {
  messageStart();
  messageString("fault: ");
  messageString(why);
  messageEnd();
  return endVm(RESULT_FAULT, currentReason);
}

/** Starts a "[vm] fault: ..." message; add pieces with message*(), then call faultEnd(). */
export function faultStart(): void {
  messageStart();
  messageString("fault: ");
}

/** Ends the message begun by faultStart() and the VM. Returns 1. */
export function faultEnd(): u32 {
  messageEnd();
  return endVm(RESULT_FAULT, currentReason);
}

/** Resets the result (a fresh VM in this instance). */
export function resetResult(): void {
  kind = RESULT_RUNNING;
  value = 0;
}

