// Independent references for the x86 tests: instruction bytes from LLVM's assembler (llvm-mc) and,
// on an x86-64 host, RFLAGS from the host CPU itself (a small C program built with clang).

import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { program } from "../../build/tools";


/**
 * Assembles AT&T lines for one code size (16, 32 or 64) with llvm-mc and returns each
 * instruction's bytes, in order. Throws with llvm-mc's message if a line is rejected.
 */
export function assemble(bits: 16 | 32 | 64, lines: string[]): number[][] {
  const text = `.code${bits}\n${lines.join("\n")}\n`;
  const out = execFileSync(program("llvm-mc"), ["--triple=x86_64", "--show-encoding"], { input: text, encoding: "utf8", maxBuffer: 64 << 20 });
  const result: number[][] = [];
  for (const line of out.split("\n")) {
    const m = /# encoding: \[([^\]]*)\]/.exec(line);
    if (m) result.push(m[1].split(",").map((b) => parseInt(b, 16)));
  }
  if (result.length !== lines.length) throw new Error(`llvm-mc gave ${result.length} encodings for ${lines.length} lines`);
  return result;
}

// The host CPU as the flags reference: for each (op, size, a, b, flags in) the result and RFLAGS after
// executing the instruction on registers. Compiled once per run into the OS temp folder.
export const FLAG_OPS = ["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp", "test", "neg", "not", "inc", "dec", "bt", "bts", "btr", "btc"] as const;
export type FlagOp = (typeof FLAG_OPS)[number];
const SUFFIX: Record<number, string> = { 1: "b", 2: "w", 4: "l", 8: "q" };
const MOD: Record<number, string> = { 1: "b", 2: "w", 4: "k", 8: "q" };

function cSource(): string {
  const cases: string[] = [];
  FLAG_OPS.forEach((op, i) => {
    for (const size of [1, 2, 4, 8]) {
      if (op.startsWith("bt") && size === 1) continue;
      const s = SUFFIX[size];
      const m = MOD[size];
      const unary = op === "neg" || op === "not" || op === "inc" || op === "dec";
      const insn = unary ? `${op}${s} %${m}[r]` : `${op}${s} %${m}[b], %${m}[r]`;
      cases.push(`    case ${i * 16 + size}: __asm__ volatile("pushq %[f]\\n\\tpopfq\\n\\t${insn}\\n\\tpushfq\\n\\tpopq %[f]" : [r] "+r"(r), [f] "+r"(f) : [b] "r"(b) : "cc", "memory"); break;`);
    }
  });
  return `#include <stdio.h>
#include <stdint.h>
int main(void) {
  unsigned op, size; unsigned long long a, b, fin;
  while (scanf("%u %u %llx %llx %llx", &op, &size, &a, &b, &fin) == 5) {
    uint64_t r = a, f = fin;
    switch (op * 16 + size) {
${cases.join("\n")}
    default: return 2;
    }
    printf("%llx %llx\\n", (unsigned long long)r, (unsigned long long)f);
  }
  return 0;
}
`;
}

let flagsProgram: string | undefined;

/** Whether the host can serve as the flags reference: an x86-64 CPU (clang is in the set-up). */
export function hostFlagsAvailable(): boolean {
  return os.arch() === "x64";
}

export interface FlagCase { op: FlagOp; size: number; a: bigint; b: bigint; flagsIn: bigint }

/** Runs the cases on the host CPU: [result register, RFLAGS] each. */
export function hostFlags(cases: FlagCase[]): Array<[bigint, bigint]> {
  if (!flagsProgram) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wisp-x86-flags-"));
    fs.writeFileSync(path.join(dir, "flags.c"), cSource());
    flagsProgram = path.join(dir, "flags");
    // No red zone: the asm pushes below the stack pointer.
    execFileSync(program("clang"), ["-O1", "-mno-red-zone", "-o", flagsProgram, path.join(dir, "flags.c")]);
  }
  const input = cases.map((c) => `${FLAG_OPS.indexOf(c.op)} ${c.size} ${c.a.toString(16)} ${c.b.toString(16)} ${c.flagsIn.toString(16)}`).join("\n") + "\n";
  const out = execFileSync(flagsProgram, { input, encoding: "utf8", maxBuffer: 64 << 20 }).trim().split("\n");
  if (out.length !== cases.length) throw new Error(`flags program answered ${out.length} of ${cases.length}`);
  return out.map((l) => {
    const [r, f] = l.split(" ");
    return [BigInt(`0x${r}`), BigInt(`0x${f}`)];
  });
}
