// Boots a disk image in QEMU (TCG) with OVMF: q35, read-only OVMF code, a fresh private copy of the
// OVMF variable store per run, COM1 on stdio, isa-debug-exit at port 0xf4 (a write of V ends QEMU
// with exit status (V << 1) | 1).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { AnsiStripper } from './ansi';
import { commandLine } from './exec';
import { endOnInterrupt, removeOnInterrupt } from './interrupt';
import { consoleOut, progress } from './log';
import { qemuToolchain } from './toolchain';

export interface BootOptions {
  /** The disk image; with boot 'pxe', the EFI application that QEMU's TFTP server hands out. */
  image: string;
  /** How the disk is attached (default 'virtio'): 'usb' is a USB mass-storage device behind an xHCI controller. */
  disk?: 'virtio' | 'usb';
  /**
   * 'disk' (default) boots from the disk image. 'pxe': no disk; OVMF boots over PXE from QEMU's
   * user-mode network (DHCP + TFTP built in, no outside network) through a virtio-net NIC with no
   * option ROM, so OVMF's own network stack does it (docs/deployment.md).
   */
  boot?: 'disk' | 'pxe';
  /** QEMU CPU model (default 'max': SVM with NPT under TCG). */
  cpu?: string;
  memoryMiB?: number;
  /** Number of CPUs (-smp; default 1). */
  smp?: number;
  /**
   * -no-reboot (default true): a reset ends QEMU. false: the machine restarts in the same process,
   * with the same variable store and disk overlay (a boot that installs something and resets).
   */
  noReboot?: boolean;
  /** Kill QEMU after this long (default: never). */
  timeoutMs?: number;
  /**
   * Stop QEMU as soon as the console output so far (escape sequences stripped) matches: for boots
   * that end in something that does not end QEMU, like the firmware's shell.
   */
  until?: RegExp;
  /** -icount argument, e.g. 'shift=6,sleep=off' for deterministic instruction counts. */
  icount?: string;
  extraArgs?: string[];
  /** Stream the console (escape sequences stripped) to our stdout while it runs. */
  echo?: boolean;
  /**
   * What reaches the guest's console input (QEMU's serial on stdio; default: nothing).
   * 'inherit': our stdin, a terminal, which QEMU itself puts in raw mode (Ctrl-C still ends QEMU).
   * A stream: its bytes go to QEMU's stdin once `startWhen` accepts the console text so far
   * (asked on output and every 250 ms; before that, the firmware on COM1 would take them as
   * keystrokes).
   */
  stdin?: 'inherit' | { stream: NodeJS.ReadableStream; startWhen: (output: string) => boolean };
  /** Called with the whole console text so far whenever more arrives (tests that type commands). */
  onOutput?: (output: string) => void;
}

export interface BootResult {
  /** QEMU's exit status; null when it was ended by a signal (at the timeout, or once `until` matched). */
  status: number | null;
  /** The serial console, escape sequences stripped. */
  output: string;
  /** QEMU's own messages (stderr). */
  stderr: string;
  timedOut: boolean;
  /** `until` matched and QEMU was stopped for it. */
  stoppedByMatch: boolean;
  command: string;
}

/** wisp's first line on the console: its banner (`wisp 0.1.0`) or a `wisp: ...` message before it. */
export const WISP_SPEAKS = /^wisp[ :]/m;

export function qemuArgs(o: BootOptions, varsFile: string, ovmfCode: string): string[] {
  const args = [
    '-machine', 'q35', '-accel', 'tcg', '-cpu', o.cpu ?? 'max', '-m', String(o.memoryMiB ?? 256), '-smp', String(o.smp ?? 1),
    '-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${ovmfCode}`,
    '-drive', `if=pflash,format=raw,unit=1,file=${varsFile}`,
    '-nodefaults', '-display', 'none', '-serial', 'stdio', ...(o.noReboot === false ? [] : ['-no-reboot']),
    '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04',
  ];
  if (o.boot === 'pxe') {
    // bootfile is a path inside the TFTP directory; romfile= (empty) keeps iPXE out.
    args.push('-netdev', `user,id=n0,tftp=${path.dirname(o.image)},bootfile=${path.basename(o.image)}`,
      '-device', 'virtio-net-pci,netdev=n0,romfile=');
  } else {
    // snapshot=on: writes go to a temporary overlay, so parallel runs can share one image (the
    // overlay lives as long as the QEMU process: across a guest's reset without -no-reboot).
    args.push('-nic', 'none', '-drive', `format=raw,file=${o.image},if=none,id=d0,snapshot=on`);
    if (o.disk === 'usb') args.push('-device', 'qemu-xhci,id=xhci', '-device', 'usb-storage,bus=xhci.0,drive=d0');
    else args.push('-device', 'virtio-blk-pci,drive=d0');
  }
  if (o.icount) args.push('-icount', o.icount);
  return [...args, ...(o.extraArgs ?? [])];
}

export async function bootImage(o: BootOptions): Promise<BootResult> {
  const { qemu, ovmfCode, ovmfVars } = qemuToolchain();
  if (!fs.existsSync(o.image)) throw new Error(`bootImage: ${o.image} not found`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wisp-qemu-'));
  const forget = removeOnInterrupt(dir);
  const vars = path.join(dir, 'OVMF_VARS_4M.fd');
  fs.copyFileSync(ovmfVars, vars);
  const args = qemuArgs(o, vars, ovmfCode);
  const command = commandLine(qemu, args);
  try {
    return await new Promise<BootResult>((resolve, reject) => {
      const child = endOnInterrupt(spawn(qemu, args, { stdio: [o.stdin === 'inherit' ? 'inherit' : o.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] }));
      // The firmware's start takes seconds under TCG: a live line until wisp's first words.
      const booting = o.echo ? progress('boot: QEMU + OVMF, until wisp starts') : undefined;
      const feed = typeof o.stdin === 'object' ? o.stdin : undefined;
      let feeding = false;
      child.stdin?.on('error', () => undefined);   // QEMU gone: the bytes have nowhere to go
      const decoder = new StringDecoder('utf8');
      const stripper = new AnsiStripper();
      let output = '';
      let stderr = '';
      let timedOut = false;
      let stoppedByMatch = false;
      let timer: NodeJS.Timeout | undefined;
      let killTimer: NodeJS.Timeout | undefined;
      const stop = (): void => {
        if (timer) clearTimeout(timer);
        child.kill('SIGTERM');
        killTimer = setTimeout(() => child.kill('SIGKILL'), 2000);
      };
      const startFeeding = (): void => {
        if (!feed || feeding || !child.stdin || !feed.startWhen(output)) return;
        feeding = true;
        clearInterval(feedTimer);
        feed.stream.pipe(child.stdin);            // backpressure: QEMU reads as its UART has room
      };
      // startWhen may depend on time (a quiet console), so it is asked on output and 4 times a second.
      const feedTimer = setInterval(startFeeding, 250);
      if (!feed) clearInterval(feedTimer);
      const take = (text: string): void => {
        output += text;
        if (booting && WISP_SPEAKS.test(output)) booting.end();     // before the banner is shown
        if (o.echo) consoleOut(text);
        startFeeding();
        if (o.onOutput && text) o.onOutput(output);
      };
      child.stdout!.on('data', (b: Buffer) => {
        take(stripper.push(decoder.write(b)));
        if (o.until && !stoppedByMatch && !timedOut && output.search(o.until) >= 0) {
          stoppedByMatch = true;
          stop();
        }
      });
      child.stderr!.on('data', (b: Buffer) => { stderr += b.toString(); if (o.echo) consoleOut(b, process.stderr); });
      if (o.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          timedOut = true;
          stop();
        }, o.timeoutMs);
      }
      child.on('error', reject);
      child.on('close', (status) => {
        clearInterval(feedTimer);
        booting?.end();
        if (timer) clearTimeout(timer);
        if (killTimer) clearTimeout(killTimer);
        take(stripper.push(decoder.end()) + stripper.end());
        resolve({ status: timedOut || stoppedByMatch ? null : status, output, stderr, timedOut, stoppedByMatch, command });
      });
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    forget();
  }
}
