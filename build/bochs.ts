// Boots wisp in Bochs 2.7 (Intel VT-x, or AMD SVM, in software) with OVMF, headless. Bochs 2.7's
// quirks: the 2 MiB OVMF.fd as ROM image, the ESP as a FAT16 image
// without partition table on ata0-master (what OVMF boots under Bochs), no `nogui` display: RFB
// that never waits for a client (it picks a free port from 5900 up by itself), the built-in
// debugger told to continue (-rc file holding `c`, stdin /dev/null), -unlock and a private copy
// of the disk, no sound. COM1 streams to a TCP socket this runner listens on.
//
// Bochs exits with status 1 whatever happened, and has no isa-debug-exit: wisp writes "Shutdown"
// to Bochs' port 0x8900 after its summary when debug-exit is on (c-shim/main.c), and the runner
// derives QEMU's status contract from the summary line "wisp: N VMs, M as expected":
// debug-exit value V = N - M, status (V << 1) | 1.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { AnsiStripper } from './ansi';
import { commandLine, runChecked } from './exec';
import { endOnInterrupt, removeOnInterrupt } from './interrupt';
import { consoleOut, progress, WispError } from './log';
import { WISP_SPEAKS } from './qemu';
import { fatTools } from './toolchain';
import { file, program } from './tools';

/** Emulated instructions per emulated second; with `clock: sync=none` Bochs' time (and TSC) follows it. */
export const BOCHS_IPS = 95_000_000;

export interface BochsOptions {
  /** A GPT disk image from `wisp image`: its ESP's files are copied into a FAT16 image. */
  image?: string;
  /** A FAT image without partition table, booted as is (a private copy). */
  esp?: string;
  /** Bochs `cpu: model=` (bochs -help cpu lists them). */
  cpuModel: string;
  /** Kill Bochs after this long (default: never). */
  timeoutMs?: number;
  /** Stream the console (escape sequences stripped) to our stdout while it runs. */
  echo?: boolean;
  /**
   * Stop Bochs once the console matches: wisp's last words when it does not end Bochs itself
   * (refusal, halting). Default: the refusal message and "; halting" lines.
   */
  until?: RegExp | null;
  memoryMiB?: number;
  /**
   * What reaches the guest's console input: the stream's bytes go to COM1 (the socket Bochs
   * connects to) once `startWhen` accepts the console text so far (asked on output and every
   * 250 ms; earlier bytes would go to the firmware or be lost). As build/qemu.ts's `stdin`.
   */
  input?: { stream: NodeJS.ReadableStream; startWhen: (output: string) => boolean };
  /** Called with the whole console text so far whenever more arrives (tests that type commands). */
  onOutput?: (output: string) => void;
  /** After Bochs' own options: more bochsrc lines (`wisp run --emulator bochs -- 'LINE'`), which override the file's. */
  extraArgs?: string[];
}

export interface BochsResult {
  /** The serial console (COM1), escape sequences stripped. */
  output: string;
  /** 'exit': Bochs ended (by wisp's Shutdown write) or the `until` marker was seen; 'timeout'. */
  ended: 'exit' | 'timeout';
  /** With debug-exit on: the value wisp wrote to port 0xf4 (VMs not as expected), from the summary. */
  debugExitValue?: number;
  command: string;
  /** Bochs' own messages (stdout, stderr: port 0xE9, "Bochs is exiting ...") and the tail of its log. */
  bochsOutput: string;
  log: string;
}

/** wisp's last words when it does not end the machine itself (it halts): `wisp run` stops the emulator then. */
export const WISP_HALTS = /wisp: [^\n]*(?:nothing to do|; halting)\r?\n/;
const DEFAULT_UNTIL = WISP_HALTS;
const SUMMARY = /^wisp: (\d+) VMs, (\d+) as expected$/m;
const MiB = 1024 * 1024;

/** Byte offset of the first partition of a GPT disk image (UEFI spec 5.3: header at LBA 1). */
function firstPartitionOffset(image: string): number {
  const fd = fs.openSync(image, 'r');
  try {
    const header = Buffer.alloc(512);
    fs.readSync(fd, header, 0, 512, 512);
    if (header.toString('latin1', 0, 8) !== 'EFI PART') throw new WispError(`${image}: no GPT header`);
    const entriesLba = Number(header.readBigUInt64LE(72));
    const entry = Buffer.alloc(128);
    fs.readSync(fd, entry, 0, 128, entriesLba * 512);
    return Number(entry.readBigUInt64LE(32)) * 512;                  // the entry's first LBA
  } finally {
    fs.closeSync(fd);
  }
}

/** A FAT16 image, no partition table, holding the files of the GPT image's ESP. */
export async function espFromImage(image: string, output: string): Promise<void> {
  const { mkfs, mcopy } = fatTools();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wisp-esp-'));
  const forget = removeOnInterrupt(dir);
  try {
    const source = `${image}@@${firstPartitionOffset(image)}`;
    await runChecked('copying the ESP out of the image', mcopy, ['-s', '-n', '-i', source, '::*', dir]);
    let payload = 0;
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p); else payload += fs.statSync(p).size;
      }
    };
    walk(dir);
    const bytes = Math.max(16 * MiB, Math.ceil((payload * 1.2 + 4 * MiB) / MiB) * MiB);
    if (bytes > 2000 * MiB) throw new WispError('the ESP is too large for FAT16');
    fs.rmSync(output, { force: true });
    fs.closeSync(fs.openSync(output, 'w'));
    fs.truncateSync(output, bytes);
    await runChecked('mkfs.vfat', mkfs, ['-F', '16', '-n', 'WISP', output]);
    const top = fs.readdirSync(dir).map((n) => path.join(dir, n));
    if (top.length) await runChecked('mcopy', mcopy, ['-s', '-i', output, ...top, '::/']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    forget();
  }
}

export function bochsConfig(o: { disk: string; cpuModel: string; comPort: number; log: string; memoryMiB: number }): string {
  return [
    `megs: ${o.memoryMiB}`,
    `romimage: file=${file('ovmf-bochs')}, address=0xffe00000`,   // 2 MiB: fits Bochs' ROM window
    `vgaromimage: file=${file('vgabios')}`,
    `cpu: model=${o.cpuModel}, ips=${BOCHS_IPS}, ignore_bad_msrs=1, reset_on_triple_fault=0`,
    'pci: enabled=1, chipset=i440fx',
    `ata0-master: type=disk, path=${o.disk}, mode=flat`,
    'boot: disk',
    'clock: sync=none',
    'port_e9_hack: enabled=1',
    `com1: enabled=1, mode=socket-client, dev=127.0.0.1:${o.comPort}`,
    'display_library: rfb, options="timeout=0"',
    'sound: driver=dummy',
    'speaker: enabled=0',
    `log: ${o.log}`,
    '',
  ].join('\n');
}

/** From the console: the value wisp wrote to the debug-exit port (N - M of its summary line). */
export function summaryValue(output: string): number | undefined {
  const m = SUMMARY.exec(output.replace(/\r/g, ''));
  return m ? Number(m[1]) - Number(m[2]) : undefined;
}

export async function bootBochs(o: BochsOptions): Promise<BochsResult> {
  const bochs = program('bochs');
  file('ovmf-bochs');
  file('vgabios');
  if (!o.image === !o.esp) throw new Error('bootBochs: give exactly one of image and esp');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wisp-bochs-'));
  const forget = removeOnInterrupt(dir);
  const disk = path.join(dir, 'esp.img');
  const log = path.join(dir, 'bochs.log');
  const server = net.createServer();
  try {
    if (o.image) await espFromImage(o.image, disk);
    else fs.copyFileSync(o.esp!, disk);
    let onSocket: (s: net.Socket) => void = () => undefined;
    server.on('connection', (s) => onSocket(s));
    await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', resolve); });
    const comPort = (server.address() as net.AddressInfo).port;
    fs.writeFileSync(path.join(dir, 'bochsrc'), bochsConfig({ disk, cpuModel: o.cpuModel, comPort, log, memoryMiB: o.memoryMiB ?? 256 }));
    fs.writeFileSync(path.join(dir, 'rc'), 'c\n');                  // the debugger's one command: continue
    const args = ['-q', '-f', path.join(dir, 'bochsrc'), '-rc', path.join(dir, 'rc'), '-unlock', ...(o.extraArgs ?? [])];
    const command = `(cd ${dir} && ${commandLine(bochs, args)} </dev/null)`;
    const until = o.until === undefined ? DEFAULT_UNTIL : o.until;

    const r = await new Promise<{ output: string; ended: 'exit' | 'timeout'; byItself: boolean; bochsOutput: string }>((resolve, reject) => {
      const child = endOnInterrupt(spawn(bochs, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }));
      const booting = o.echo ? progress('boot: Bochs + OVMF, until wisp starts') : undefined;
      const decoder = new StringDecoder('utf8');
      const stripper = new AnsiStripper();
      let output = '';
      let bochsOutput = '';
      let ended: 'exit' | 'timeout' = 'exit';
      let byItself = true;
      let killTimer: NodeJS.Timeout | undefined;
      const stop = (): void => {
        if (killTimer || child.exitCode !== null) return;
        byItself = false;
        child.kill('SIGTERM');
        killTimer = setTimeout(() => child.kill('SIGKILL'), 2000);
      };
      let socket: net.Socket | undefined;
      let feeding = false;
      const startFeeding = (): void => {
        if (!o.input || feeding || !socket || !o.input.startWhen(output)) return;
        feeding = true;
        clearInterval(feedTimer);
        o.input.stream.pipe(socket, { end: false });   // backpressure: Bochs reads as its UART has room
      };
      const feedTimer = setInterval(startFeeding, 250);
      if (!o.input) clearInterval(feedTimer);
      const take = (text: string): void => {
        output += text;
        if (booting && WISP_SPEAKS.test(output)) booting.end();     // before the banner is shown
        if (o.echo) consoleOut(text);
        startFeeding();
        if (o.onOutput && text) o.onOutput(output);
        if (until && until.test(output)) setTimeout(stop, 500);       // let the last bytes arrive
      };
      onSocket = (s) => {
        socket = s;
        s.on('error', () => undefined);        // Bochs gone: the bytes have nowhere to go
        s.on('data', (b: Buffer) => take(stripper.push(decoder.write(b))));
      };
      child.stdout.on('data', (b: Buffer) => { bochsOutput += b.toString(); });
      child.stderr.on('data', (b: Buffer) => { bochsOutput += b.toString(); });
      const timer = o.timeoutMs === undefined ? undefined : setTimeout(() => { ended = 'timeout'; stop(); }, o.timeoutMs);
      child.on('error', reject);
      child.on('close', () => {
        clearInterval(feedTimer);
        booting?.end();
        if (o.input) o.input.stream.unpipe();
        if (timer) clearTimeout(timer);
        if (killTimer) clearTimeout(killTimer);
        // The socket may still hold bytes Bochs wrote just before it ended.
        setTimeout(() => {
          take(stripper.push(decoder.end()) + stripper.end());
          resolve({ output, ended, byItself, bochsOutput });
        }, 100);
      });
    });
    let logText = '';
    try { logText = fs.readFileSync(log, 'utf8').split('\n').slice(-60).join('\n'); } catch { /* no log */ }
    const value = r.ended === 'exit' && r.byItself ? summaryValue(r.output) : undefined;
    return { output: r.output, ended: r.ended, debugExitValue: value, command, bochsOutput: r.bochsOutput, log: logText };
  } finally {
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
    forget();
  }
}
