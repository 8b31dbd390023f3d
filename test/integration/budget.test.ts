// The committed budgets of test/bench/budget.json: wisp.efi's CPUID exit round trip under QEMU
// -icount (deterministic: the guest's TSC counts emulated instructions) and wisp.efi's size.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import { cpuidExit } from "../../build/bench";

const BUDGET = JSON.parse(fs.readFileSync("test/bench/budget.json", "utf8")) as {
  tolerance: number; cpuidRoundTripInstructions: number; wispEfiBytes: number;
};

/** Within tolerance of the budget, or a message saying which way and what to do. */
function held(what: string, measured: number, budget: number, command: string): void {
  const over = measured > budget * (1 + BUDGET.tolerance);
  const under = measured < budget * (1 - BUDGET.tolerance);
  assert.ok(!over, `${what}: ${measured}, over its budget of ${budget} by more than ${BUDGET.tolerance * 100}% (${command})`);
  assert.ok(!under, `${what}: ${measured}, below its budget of ${budget} by more than ${BUDGET.tolerance * 100}%: ` +
    `lower the budget in test/bench/budget.json in this commit (${command})`);
}

describe("budgets (test/bench/budget.json)", function () {
  this.timeout(360_000);

  it("wisp.efi's size", () => {
    held("out/wisp.efi bytes", fs.statSync("out/wisp.efi").size, BUDGET.wispEfiBytes, "npx wisp bench --only size");
  });

  it("wisp.efi's CPUID exit round trip under QEMU -icount", async () => {
    const figure = await cpuidExit("out/wisp.efi", "budget-cpuid-core");
    held("CPUID round trip, instructions", figure.instructions, BUDGET.cpuidRoundTripInstructions, "npx wisp bench --only cpuid");
  });
});
