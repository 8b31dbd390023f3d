// `wisp bluepill`: the firmware-driver form of wisp end to end. wisp-driver.efi (a UEFI boot-service
// driver) is loaded by the firmware (the UEFI Shell's `load`, or a Driver#### entry), takes every
// CPU over as a guest and returns; the firmware then boots Debian's kernel (EFI stub) with an
// initramfs whose /init runs wisp-probe (test/guests/bluepill/probe.c) on every CPU and powers off.
// QEMU: q35, TCG, -cpu EPYC (SVM with nested paging), OVMF, the ESP on a virtio disk.
import * as fs from 'node:fs';
import * as crypto from 'node:crypto';
import { BluepillImageOptions, DRIVER_LOADS, DriverLoad, makeBluepillImage } from '../image/bluepill';
import { runStep } from './cache/stamp';
import { busyboxEntries, cpioFile, ensureLinuxGuest, writeInitramfs } from './guest-cache';
import { buildProbe } from './guests';
import { step, UsageError, WispError } from './log';
import { peFile } from '../image/inputs';
import { abs, rel } from './paths';
import { build, selectVariants } from './pipeline';
import { bootImage, BootResult } from './qemu';
import { variantNamed } from './variants';

export const DRIVER_VARIANT = 'wisp-driver';
export const BLUEPILL_DIR = 'out/bluepill';
export const BLUEPILL_INITRD = `${BLUEPILL_DIR}/initrd.img`;
export const BLUEPILL_CPU = 'EPYC';
export const BLUEPILL_MEMORY_MIB = 1024;
/** The command line besides initrd=: wisp.cpus=N is added (the probe's expected CPU count). */
export const BLUEPILL_APPEND = 'console=ttyS0 panic=-1';

/** Lines the demo's /init prints around the probe. */
export const USER_SPACE_MARKER = 'wisp-bluepill: user space';
export const PROBE_DONE_MARKER = 'wisp-bluepill: probe exit status';
export const RESTART_MARKER = 'wisp-bluepill: cpu 1 offline and online again, online CPUs';

// /init: file systems, the probe with the CPU count from the kernel command line (wisp.cpus=N; a
// dotted parameter is not passed to init, so it is read from /proc/cmdline), then power off. The
// kernel prints "reboot: Power down" and ACPI S5 ends QEMU.
const INIT = `#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
cpus=
for word in $(/bin/busybox cat /proc/cmdline); do
  case "$word" in wisp.cpus=*) cpus="\${word#wisp.cpus=}" ;; esac
done
echo "${USER_SPACE_MARKER}: Linux $(/bin/busybox uname -r), $(/bin/busybox nproc) CPUs online; /bin/wisp-probe $cpus"
# CPU 1 offline and online again: Linux restarts it with INIT and STARTUP IPIs, which wisp delivers
# to that CPU's guest; the probe then checks it is still a guest.
if [ -e /sys/devices/system/cpu/cpu1/online ]; then
  echo 0 > /sys/devices/system/cpu/cpu1/online && echo 1 > /sys/devices/system/cpu/cpu1/online &&
    echo "${RESTART_MARKER}: $(/bin/busybox cat /sys/devices/system/cpu/online)"
fi
/bin/wisp-probe $cpus
status=$?
echo "${PROBE_DONE_MARKER} $status, powering off (uptime $(/bin/busybox cut -d' ' -f1 /proc/uptime) s)"
/bin/busybox poweroff -f
`;

/** out/bluepill/initrd.img: BusyBox (from the guest cache), /bin/wisp-probe and the demo's /init. */
export async function bluepillInitramfs(busybox: string, probe: string): Promise<string> {
  if (!fs.existsSync(busybox)) throw new WispError(`${rel(busybox)} is missing: run \`npx wisp fetch-guests\` (delete cache/debian/guest.json to force it)`);
  const key = crypto.createHash('sha256').update(INIT).digest('hex');
  await runStep({ id: 'bluepill/initrd', key: { key, v: 1 }, inputs: [rel(busybox), probe], outputs: [BLUEPILL_INITRD] }, async () => {
    const { entries } = await busyboxEntries(busybox);
    entries.push(cpioFile('bin/wisp-probe', fs.readFileSync(abs(probe)), 0o755), cpioFile('init', INIT, 0o755));
    writeInitramfs(abs(BLUEPILL_INITRD), entries);
    step(`initramfs: busybox + wisp-probe -> ${BLUEPILL_INITRD}`);
  });
  return BLUEPILL_INITRD;
}

export interface BluepillOptions {
  mode: DriverLoad;
  smp: number;
  /** Added to BLUEPILL_APPEND and wisp.cpus=N. */
  append?: string;
  /** The driver to put on the disk (default out/wisp-driver.efi, built unless `driver` is given). */
  driver?: string;
  /** Build wisp-driver first (default true when no driver is given and the mode needs one). */
  build?: boolean;
  /** Where the image goes (default out/bluepill/): MODE.img and MODE.startup.nsh. */
  dir?: string;
  timeoutMs?: number;
  echo?: boolean;
  stdin?: 'inherit';
  /** After wisp's own QEMU arguments, unchanged (`wisp bluepill -- ARGS`). */
  extraArgs?: string[];
}

export interface BluepillRun extends BootResult {
  image: string;
  cmdline: string;
  /** The probe's closing line said PASS, Linux powered off and QEMU ended by itself with status 0. */
  passed: boolean;
}

export function bluepillCmdline(smp: number, append?: string): string {
  return [BLUEPILL_APPEND, `wisp.cpus=${smp}`, append ?? ''].join(' ').trim();
}

export function probePassed(output: string, smp: number): boolean {
  return new RegExp(`^wisp-probe: PASS on ${smp} CPUs\\r?$`, 'm').test(output);
}

/**
 * Firmware starts of a driver-order run: the first boot installs and resets, the second runs the
 * kernel. A third means the kernel reset the machine (panic=-1 after a panic, or a triple fault):
 * QEMU is stopped rather than looping until the time-out.
 */
const THIRD_FIRMWARE_START = /(?:BdsDxe: loading Boot[\s\S]*?){3}/;

/** Builds what is needed (driver, probe, initramfs), writes the image, boots it. */
export async function bluepillBoot(o: BluepillOptions): Promise<BluepillRun> {
  if (!DRIVER_LOADS.includes(o.mode)) throw new WispError(`--mode ${o.mode}: one of ${DRIVER_LOADS.join(', ')}`);
  if (!Number.isInteger(o.smp) || o.smp < 1 || o.smp > 64) throw new WispError(`--smp ${o.smp}: a number of CPUs from 1 to 64`);
  let driver: string | undefined;
  if (o.mode !== 'none') {
    driver = o.driver;
    if (!driver) {
      const v = variantNamed(DRIVER_VARIANT);
      if (!v) throw new WispError(`variant ${DRIVER_VARIANT} does not exist yet (build/variants.ts)`);
      if (o.build !== false) await build(selectVariants([DRIVER_VARIANT]));
      driver = v.output;
    }
    driver = abs(driver);
    if (!fs.existsSync(driver)) throw new WispError(`${rel(driver)} not found`);
  }
  const guest = await ensureLinuxGuest();
  const probe = await buildProbe();
  const initrd = await bluepillInitramfs(guest.busybox, probe);
  const cmdline = bluepillCmdline(o.smp, o.append);
  const spec: BluepillImageOptions = { output: `${o.dir ?? BLUEPILL_DIR}/${o.mode}.img`, mode: o.mode, driver, kernel: guest.kernel, initrd: abs(initrd), cmdline };
  const image = abs(await makeBluepillImage(spec));
  const r = await bootImage({
    image, cpu: BLUEPILL_CPU, smp: o.smp, memoryMiB: BLUEPILL_MEMORY_MIB, noReboot: o.mode !== 'driver-order',
    timeoutMs: o.timeoutMs, echo: o.echo, stdin: o.stdin, until: o.mode === 'driver-order' ? THIRD_FIRMWARE_START : undefined, extraArgs: o.extraArgs,
  });
  const passed = probePassed(r.output, o.smp) && /reboot: Power down/.test(r.output) && r.status === 0;
  return { ...r, image, cmdline, passed };
}

/** `wisp bluepill [--smp N] [--mode M] [--append "..."] [--timeout S]`: exit status 0 when it passed. */
export async function bluepillCommand(v: { smp?: string; mode?: string; append?: string; timeout?: string; driver?: string }, qemuArgs: string[] = []): Promise<number> {
  const smp = v.smp === undefined ? 2 : /^\d+$/.test(v.smp) ? Number(v.smp) : NaN;
  if (!(smp >= 1 && smp <= 64)) throw new UsageError(`--smp ${v.smp}: a number of CPUs from 1 to 64`);
  const mode = (v.mode ?? 'shell-load') as DriverLoad;
  if (!DRIVER_LOADS.includes(mode)) throw new UsageError(`--mode ${v.mode}: ${DRIVER_LOADS.join(', ')}`);
  const timeoutMs = v.timeout === undefined ? undefined : Number(v.timeout) * 1000;
  if (timeoutMs !== undefined && !(timeoutMs > 0)) throw new UsageError(`--timeout ${v.timeout}: a number of seconds is expected`);
  if (v.driver !== undefined) peFile('--driver', v.driver);
  step(`blue-pill: ${mode}, ${smp} CPUs, -cpu ${BLUEPILL_CPU}; Ctrl-C ends QEMU`);
  const stdin = process.stdin.isTTY ? 'inherit' as const : undefined;
  const started = Date.now();
  const r = await bluepillBoot({ mode, smp, append: v.append, driver: v.driver, timeoutMs, echo: true, stdin, extraArgs: qemuArgs });
  const secs = ((Date.now() - started) / 1000).toFixed(0);
  if (r.passed) {
    step(`\nwisp: blue-pill ${mode}: PASS on ${smp} CPUs, Linux powered off (${secs} s)`);
    return 0;
  }
  const why = r.timedOut ? `QEMU stopped after ${v.timeout} s` : r.stoppedByMatch ? 'the machine reset itself again (stopped)'
    : !r.output.trim() ? `QEMU exit status ${r.status}, before any console output`
    : !probePassed(r.output, smp) ? 'the probe did not print PASS' : `QEMU exit status ${r.status}`;
  step(`\nwisp: blue-pill ${mode}: FAIL: ${why} (${secs} s; image ${rel(r.image)})`);
  return 1;
}
