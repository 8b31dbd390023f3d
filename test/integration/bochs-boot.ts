// Boots under Bochs for the integration tests (build/bochs.ts), as the same Boot record the QEMU
// tests read: status is what QEMU's isa-debug-exit would have given, (V << 1) | 1, derived from
// wisp's summary line; null when Bochs did not end through wisp's Shutdown write.
import { bootBochs, BochsOptions } from "../../build/bochs";
import { Boot } from "./boot";

/** OVMF takes ~9 s under Bochs, the test guests ~10 s more; a boot still running after this hangs. */
export const BOCHS_BOOT_TIMEOUT_MS = 150_000;
/** At most this many Bochs at once (the CI machines have 2 cores; each Bochs uses one). */
export const BOCHS_PARALLEL = 2;

export async function bochsBoot(image: string, cpuModel: string, until?: BochsOptions["until"]): Promise<Boot> {
  const r = await bootBochs({ image, cpuModel, timeoutMs: BOCHS_BOOT_TIMEOUT_MS, until });
  return {
    status: r.debugExitValue === undefined ? null : (r.debugExitValue << 1) | 1,
    output: r.output,
    stderr: `${r.bochsOutput}\n--- Bochs log (tail)\n${r.log}`,
    timedOut: r.ended === "timeout",
    stoppedByMatch: r.ended === "exit" && r.debugExitValue === undefined,
    command: r.command,
    lines: r.output.split(/\r?\n/).map((l) => l.trimEnd()),
  };
}

/** Runs jobs with at most `limit` at a time; each job's promise settles with its own result. */
export function limited<T>(limit: number): (job: () => Promise<T>) => Promise<T> {
  let running = 0;
  const queue: (() => void)[] = [];
  return (job) => new Promise<T>((resolve, reject) => {
    const start = (): void => {
      running++;
      job().then(resolve, reject).finally(() => {
        running--;
        queue.shift()?.();
      });
    };
    if (running < limit) start(); else queue.push(start);
  });
}
