// handleExit: one neutral exit record in, a decision out (0 resume the guest, 1 the VM has ended).

import {
  EXIT_CPUID, EXIT_IO, EXIT_MSR_READ, EXIT_MSR_WRITE, EXIT_HLT, EXIT_HYPERCALL, EXIT_MEMORY_FAULT,
  EXIT_SHUTDOWN, EXIT_EXCEPTION, EXIT_INTERRUPT, EXIT_ENTRY_FAILED, EXIT_UNSUPPORTED,
  EXIT_INTERRUPT_WINDOW, EXIT_WBINVD, EXIT_NMI_WINDOW, EXIT_INVALID_OPCODE,
} from "./abi";
import { deliverInterrupts, haltUntilInterrupt, vcpuRan } from "./bus/irq";
import { countExit } from "./vm/exit-stats";
import {
  getReg, RFLAGS, CR0, CR4, EFER, skipInstruction, injectGeneralProtection, injectException, currentPrivilegeLevel,
  VECTOR_UD,
} from "./cpu/vcpu";
import { handleCpuid } from "./cpu/cpuid";
import { handleMsrRead, handleMsrWrite } from "./cpu/msr";
import { handleIo } from "./bus/io-bus";
import { handleHypercall } from "./hypercall";
import { guestMemoryBytes } from "./vm/vm";
import { passthroughMsrWrite } from "./vm/passthrough";
import { mmioDeviceAt, MMIO_NONE } from "./bus/mmio-bus";
import { emulateMmio } from "./x86/emulate";
import { messageString, messageSlice, messageHex, messageDecimal, message } from "./vm/console";
import {
  vmEnded, endVm, faultStart, faultEnd, setCurrentReason, RESULT_HALT, RESULT_SHUTDOWN,
} from "./vm/result";

const RFLAGS_IF: u64 = 1 << 9;

/**
 * HLT. With interrupts disabled nothing can ever wake the vCPU: the VM ends with HALT. With
 * interrupts enabled the vCPU waits for the next virtual interrupt (deliverInterrupts answers
 * "idle" until there is one).
 */
function handleHlt(): u32 {
  if ((getReg(RFLAGS) & RFLAGS_IF) == 0) return endVm(RESULT_HALT, 0);
  const r = skipInstruction("hlt");
  if (r == 0) haltUntilInterrupt();
  return r;
}

/**
 * WBINVD: the guest ran INVD or WBINVD, and the backend has already written the caches back and
 * invalidated them (WBINVD) for both: a guest's INVD must not discard dirty lines of wisp or of
 * other VMs, and WBINVD keeps everything INVD promises the guest. Both are privileged (SDM vol. 2A,
 * INVD and WBINVD: #GP(0) if CPL > 0); the CPU checks that before the exit, and the core again,
 * since the exit record is all it trusts.
 */
function handleWbinvd(): u32 {
  if (currentPrivilegeLevel() != 0) {
    injectGeneralProtection();
    return 0;
  }
  return skipInstruction("invd/wbinvd");
}

/**
 * MEMORY_FAULT: a data access to an emulated device's range is emulated; anything else (outside RAM
 * and outside every MMIO range, or an instruction fetch) stops the VM with FAULT.
 */
function handleMemoryFault(qualification: u64, address: u64): u32 {
  if ((qualification & 4) == 0 && mmioDeviceAt(address) != MMIO_NONE) return emulateMmio(qualification, address);
  faultStart();
  if ((qualification & 4) != 0) messageString("instruction fetch from ");
  else if ((qualification & 2) != 0) messageString("write to ");
  else messageString("read from ");
  messageString((qualification & 1) != 0 ? "protected" : "unmapped");
  messageString(" guest-physical address ");
  messageHex(address);
  const size = guestMemoryBytes();
  if (size != 0) {
    messageString(" (guest memory ends at ");
    messageHex(size);
    messageString(")");
  }
  return faultEnd();
}

// Mnemonics of vectors 0-21, three characters each (SDM Vol. 3A, Table 6-1).
const EXCEPTION_NAMES = "DE DB NMIBP OF BR UD NM DF CSOTS NP SS GP PF    MF AC MC XM VE CP ";

function handleException(qualification: u64): u32 {
  const vector = <u32>qualification & 0xff;
  faultStart();
  messageString("unhandled exception ");
  if (vector < 22 && EXCEPTION_NAMES.charCodeAt(<i32>vector * 3) != 0x20) {
    messageString("#");
    messageSlice(EXCEPTION_NAMES, vector * 3, 3);
    messageString(" ");
  }
  messageString("(vector ");
  messageDecimal(vector);
  messageString(")");
  if ((qualification & (1 << 8)) != 0) {
    messageString(", error code ");
    messageHex(qualification >> 32);
  }
  return faultEnd();
}

function vendorFault(what: string, code: u64): u32 {
  faultStart();
  messageString(what);
  messageHex(code);
  return faultEnd();
}

// CR4 bits the architecture defines (APM vol. 2, 3.7.1; SDM vol. 3A, 2.5): VME..LA57 (0-12), VMXE,
// SMXE (13, 14), FSGSBASE..PKS (16-24); bit 15 and bits 25 and up are reserved (MBZ).
const CR4_DEFINED: u64 = 0x01ff7fff;
// EFER bits (APM vol. 2, 3.1.7): SCE, LME, LMA, NXE, SVME, LMSLE, FFXSR, TCE, MCOMMIT, INTWB, UAIE, AIBRSE.
const EFER_DEFINED: u64 = 0x1 | 0x100 | 0x400 | 0x800 | 0x1000 | 0x2000 | 0x4000 | 0x8000 | 0x20000 | 0x40000 | 0x100000 | 0x200000;
const CR0_PE: u64 = 1, CR0_NW: u64 = 1 << 29, CR0_CD: u64 = 1 << 30, CR0_PG: u64 = 1 << 31, CR4_PAE: u64 = 1 << 5;
const EFER_LME: u64 = 1 << 8;

/**
 * ENTRY_FAILED: the CPU refused to enter the guest. A guest can get there by a control-register
 * write an emulated CPU took where hardware raises #GP; the report names the architectural check
 * (AMD APM vol. 2, 15.5.1; Intel SDM vol. 3C, 27.3.1) that the area's CR0/CR4/EFER fail.
 */
function entryFailed(code: u64): u32 {
  const cr0 = getReg(CR0), cr4 = getReg(CR4), efer = getReg(EFER);
  faultStart();
  messageString("VM entry failed, code ");
  messageHex(code);
  messageString(": invalid guest state (APM vol. 2, 15.5.1; SDM vol. 3C, 27.3.1): ");
  if ((cr4 & ~CR4_DEFINED) != 0) messageString("a reserved CR4 bit is set");
  else if ((cr0 >> 32) != 0) messageString("CR0 bits 63:32 are not zero");
  else if ((cr0 & CR0_NW) != 0 && (cr0 & CR0_CD) == 0) messageString("CR0.NW is set without CR0.CD");
  else if ((efer & ~EFER_DEFINED) != 0) messageString("a reserved EFER bit is set");
  else if ((efer & EFER_LME) != 0 && (cr0 & CR0_PG) != 0 && (cr4 & CR4_PAE) == 0) messageString("EFER.LME and CR0.PG without CR4.PAE");
  else if ((efer & EFER_LME) != 0 && (cr0 & CR0_PG) != 0 && (cr0 & CR0_PE) == 0) messageString("EFER.LME and CR0.PG without CR0.PE");
  else messageString("none of CR0, CR4, EFER fails a check; another field does");
  messageString("; CR0 ");
  messageHex(cr0);
  messageString(" CR4 ");
  messageHex(cr4);
  messageString(" EFER ");
  messageHex(efer);
  return faultEnd();
}

/** 0 resume, 1 ended, 2 idle (docs/architecture.md); event delivery is decided before resuming. */
export function handleExit(reason: u32, qualification: u64, address: u64): u32 {
  countExit(reason);
  if (vmEnded()) return 1;
  setCurrentReason(reason);
  if (reason != EXIT_INTERRUPT) vcpuRan();
  const decision = dispatch(reason, qualification, address);
  if (decision != 0 || vmEnded()) return decision;
  return deliverInterrupts();
}

// @ts-ignore: decorator
@inline function dispatch(reason: u32, qualification: u64, address: u64): u32 {   // one caller
  switch (reason) {
    case EXIT_CPUID: return handleCpuid();
    case EXIT_IO: return handleIo(qualification);
    case EXIT_MSR_READ: return handleMsrRead();
    case EXIT_MSR_WRITE: return handleMsrWrite();
    case EXIT_HLT: return handleHlt();
    case EXIT_WBINVD: return handleWbinvd();
    case EXIT_HYPERCALL: return handleHypercall();
    case EXIT_MEMORY_FAULT: return handleMemoryFault(qualification, address);
    case EXIT_SHUTDOWN: {
      message("triple fault");
      return endVm(RESULT_SHUTDOWN, 0);
    }
    case EXIT_EXCEPTION: return handleException(qualification);
    case EXIT_INTERRUPT: return 0;                  // the host has handled it; timers advance below
    case EXIT_INTERRUPT_WINDOW: return 0;           // the guest can take an interrupt: delivered below
    case EXIT_NMI_WINDOW: return 0;                 // NMI blocking ended: a pending NMI is delivered below
    case EXIT_INVALID_OPCODE: {                     // SVM/VMX instructions: the guest's CPU has neither
      injectException(VECTOR_UD, 0);                // (RIP stays on the instruction, as for a fault)
      return 0;
    }
    case EXIT_ENTRY_FAILED: return entryFailed(qualification);
    case EXIT_UNSUPPORTED: return vendorFault("unsupported exit, code ", qualification);
    default: return vendorFault("unknown exit reason ", reason);
  }
}

/**
 * handleExit for a blue-pill instance (passthrough.ts; a separate export, so that handleExit of an
 * emulated VM does not test for it): the guest has the machine's devices, so no interrupt delivery
 * follows, and a data access to unmapped memory is the local APIC or wisp's own memory.
 */
export function handlePassthroughExit(reason: u32, qualification: u64, address: u64): u32 {
  countExit(reason);
  if (vmEnded()) return 1;
  setCurrentReason(reason);
  switch (reason) {
    case EXIT_CPUID: return handleCpuid();
    case EXIT_HYPERCALL: return handleHypercall();
    case EXIT_WBINVD: return handleWbinvd();
    case EXIT_MSR_READ: {                           // VM_CR, VM_HSAVE_PA: SVM is not the guest's
      injectGeneralProtection();
      return 0;
    }
    case EXIT_MSR_WRITE: return passthroughMsrWrite();
    case EXIT_MEMORY_FAULT: return handleMemoryFault(qualification, address);
    case EXIT_SHUTDOWN: {
      message("triple fault");
      return endVm(RESULT_SHUTDOWN, 0);
    }
    case EXIT_ENTRY_FAILED: return entryFailed(qualification);
    case EXIT_UNSUPPORTED: return vendorFault("unsupported exit, code ", qualification);
    default: return vendorFault("unexpected exit reason ", reason);
  }
}
