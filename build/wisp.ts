// The `wisp` command: build, image, run, start, test, config check.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { build, selectVariants } from './pipeline';
import { setQuiet, UsageError, WispError } from './log';
import { exitOnInterrupt } from './interrupt';
import { version as VERSION } from '../package.json';

/** Each command's usage, as `wisp COMMAND --help` prints it; `wisp --help` prints them all. */
const USAGE: Record<string, string> = {
  'build': `  build [--variant NAME]...     build out/wisp.efi, out/wisp-test.efi, out/wisp-driver.efi, out/wisp-floor.efi (default: all)
                                and the guests in out/guests/; only what changed is rebuilt`,
  'image': `  image [-o FILE] [--config FILE] [--efi FILE] [--guest FILE]...
                                write a GPT disk image (default out/wisp.img) with an EFI system
                                partition: \\EFI\\BOOT\\BOOTX64.EFI, and with --config \\wisp\\wisp.cfg
                                plus the guest images it names (from --guest paths, else beside the
                                configuration, else wisp's own test guests in out/guests/)`,
  'pack': `  pack --config FILE [-o FILE] [--efi FILE] [--guest FILE]...
                                the one-file appliance (default out/appliance.efi): wisp.efi with the
                                configuration and its guests as PE sections (.wispcfg, .linux/.initrd/
                                .cmdline or .wimgN; docs/deployment.md); boots with no file system`,
  'run': `  run [--cpu MODEL] [--config FILE] [--memory MiB] [--image FILE] [--variant NAME] [--timeout SECONDS] [-- QEMU ARGS]
                                build, make an image, boot it in QEMU + OVMF with the console here;
                                exits with QEMU's exit status, or once wisp halts with the status
                                debug-exit would give. --memory: the emulated machine's RAM (default:
                                the VMs' memory, rounded up to 64 MiB, plus 256 MiB for wisp and OVMF).
                                --memory takes MiB or a K/M/G suffix; QEMU's spellings -m, -kernel,
                                -initrd and -append work too. After --, the rest goes to the emulator
                                as it is, after wisp's own arguments (QEMU options; bochsrc lines)
  run --emulator bochs [--cpu MODEL] [...] [-- BOCHSRC LINES]
                                the same in Bochs + OVMF: Intel VT-x or AMD SVM by Bochs CPU model
                                (default corei7_skylake_x); same console and exit status (derived
                                from wisp's summary line: Bochs has no isa-debug-exit)
  run --kernel FILE [--initrd FILE] [--append "CMDLINE"] [--memory MiB] [--cpu MODEL] [-- QEMU ARGS]
                                boot a kernel as wisp's one VM (default 256 MiB), what QEMU's
                                -kernel takes: a Linux bzImage (--initrd FILE; command line default
                                "console=ttyS0") or a Multiboot v1 kernel, ELF or a.out kludge
                                (--initrd "FILE ARGS,FILE ARGS": its modules, as QEMU takes them).
                                The kernel and its files are checked by wisp's core on this machine
                                before anything boots: a wrong file gets one line. Keystrokes (a terminal) or piped bytes
                                reach the guest's UART; Ctrl-C ends QEMU. Exit status as plain QEMU
                                with -no-reboot and isa-debug-exit would give: 0 after poweroff or
                                reset, (V << 1) | 1 after the guest writes V to port 0xf4, and 253
                                when wisp had to stop the VM (fault, trap, halt, error)`,
  'bluepill': `  bluepill [--smp N] [--mode shell-load|driver-order|none] [--append "..."] [--timeout SECONDS] [--driver FILE] [-- QEMU ARGS]
                                the firmware-driver form end to end: build out/wisp-driver.efi, the
                                probe and its initramfs (out/bluepill/), an ESP with the driver,
                                Debian's kernel and a startup.nsh for OVMF's UEFI Shell; boot it in
                                QEMU (-cpu EPYC, default 2 CPUs, 1 GiB). shell-load (default): the
                                Shell's \`load\` loads the driver; driver-order: a Driver#### entry
                                (bcfg), then a reset; none: no driver (the probe must fail).
                                --driver: put FILE on the disk instead (no build). Exit status 0
                                when the probe passed on every CPU and Linux powered off`,
  'start': `  start                         build and boot Debian's Linux kernel with a BusyBox shell under wisp
                                (npm start; the first run fetches both from Debian into cache/)`,
  'test': `  test [mocha options]          build everything, bundle test/**/*.test.ts, run mocha (--grep ...)`,
  'bench': `  bench [--only size|cpuid|callgrind|bochs|linux|bluepill]
                                the benchmark figures (npm run bench; docs/benchmarks.md), or one part`,
  'fetch-guests': `  fetch-guests                  fetch Debian's kernel and busybox-static into cache/debian and build
                                the initramfs (set-up does this once; runs and tests refresh it)`,
  'config': `  config check FILE [--memory MiB]
                                check a wisp.cfg with the core's own parser (out/core.wasm), and that
                                each image it names is there and fits its VM; with --memory, that the
                                VMs fit a machine of that size beside wisp (docs/config.md)`,
};

const HELP = `usage: wisp <command> [options]     (wisp COMMAND --help: that command alone)

commands:
${Object.values(USAGE).join('\n')}
  --help                        this text
  --version                     the version of wisp
  --quiet, -q                   (with any command) no progress: only errors, results and the guest's console

A dd-able USB key: wisp image -o wisp.img --config my.cfg && dd if=wisp.img of=/dev/sdX bs=1M`;


/** QEMU's spellings of the options `run` shares with it. */
const QEMU_SPELLINGS: Record<string, string> = { '-kernel': '--kernel', '-initrd': '--initrd', '-append': '--append', '-m': '--memory' };

/** A path the user typed, from where the user stands (wisp's own defaults stay under the project). */
function fromCwd<T extends string | string[] | undefined>(p: T): T {
  if (p === undefined) return p;
  return (Array.isArray(p) ? p.map((q) => path.resolve(q)) : path.resolve(p as string)) as T;
}

/**
 * What `image` and `pack` are given, checked before anything is built or written: the EFI file is
 * a PE, the output is no folder, the configuration is a file the core's parser accepts, and each
 * --guest is a file the configuration names.
 */
async function checkImageInputs(v: { config?: string; guest?: string[]; efi?: string; output?: string }): Promise<void> {
  const { checkGivenGuests, inputFile, outputFile, peFile } = await import('../image/inputs');
  const { configFiles } = await import('../image/image');
  if (v.efi) peFile('--efi', v.efi);
  if (v.output) outputFile('-o', v.output);
  if (!v.config) {
    if (v.guest?.length) throw new UsageError('--guest needs --config: guests are only put on the image for a configuration that names them');
    return;
  }
  inputFile('--config', v.config);
  await (await import('./config-check')).validateConfig(v.config);
  const given = checkGivenGuests(v.guest ?? [], configFiles(fs.readFileSync(v.config, 'utf8')));
  const { checkConfigImages } = await import('./host-load');
  const { resolveGuest } = await import('../image/inputs');
  await checkConfigImages(v.config, (name) => resolveGuest(name, given, path.dirname(v.config!)));
}

/** Commands that give what follows `--` to the emulator. */
const PASSES_THROUGH = ['run', 'bluepill'];

async function main(args: string[]): Promise<number> {
  // `--`: the rest goes to the emulator unchanged; --quiet (anywhere before it) is for every command.
  const dashes = args.indexOf('--');
  const emulatorArgs = dashes < 0 ? [] : args.slice(dashes + 1);
  const own = dashes < 0 ? args : args.slice(0, dashes);
  const argv = own.filter((a) => a !== '--quiet' && a !== '-q');
  if (argv.length !== own.length) setQuiet(true);
  const [cmd, ...rest] = argv;
  if (dashes >= 0 && !PASSES_THROUGH.includes(cmd ?? '') && cmd !== 'test') {
    throw new UsageError(`${cmd ?? 'wisp'}: nothing takes arguments after -- here (only ${PASSES_THROUGH.join(' and ')}: for the emulator)`);
  }
  if (cmd === 'test' && dashes >= 0) rest.push('--', ...emulatorArgs);     // mocha's own
  if (cmd !== undefined && USAGE[cmd] && (rest.includes('--help') || rest.includes('-h'))) {
    console.log(`usage:\n${USAGE[cmd]}`);
    return 0;
  }
  switch (cmd) {
    case undefined: case '--help': case '-h': case 'help':
      console.log(HELP);
      return 0;
    case '--version': case '-V':
      console.log(`wisp ${VERSION}`);
      return 0;
    case 'build': {
      const { values } = parseArgs({ args: rest, options: { variant: { type: 'string', multiple: true } } });
      await build(selectVariants(values.variant));
      return 0;
    }
    case 'image': {
      const { values } = parseArgs({ args: rest, options: {
        output: { type: 'string', short: 'o' }, config: { type: 'string' }, efi: { type: 'string' }, guest: { type: 'string', multiple: true },
      } });
      const { makeImage } = await import('../image/image');
      values.config = fromCwd(values.config); values.guest = fromCwd(values.guest); values.output = fromCwd(values.output);
      values.efi = fromCwd(values.efi);
      await checkImageInputs(values);
      const efi = values.efi ?? 'out/wisp.efi';
      if (!values.efi) await build(selectVariants(['wisp']));
      const out = await makeImage({ output: values.output ?? 'out/wisp.img', efi, config: values.config, guests: values.guest });
      console.log(out);
      return 0;
    }
    case 'pack': {
      const { values } = parseArgs({ args: rest, options: {
        output: { type: 'string', short: 'o' }, config: { type: 'string' }, efi: { type: 'string' }, guest: { type: 'string', multiple: true },
      } });
      if (!values.config) throw new UsageError('pack: --config FILE is required (wisp pack --help)');
      const { packAppliance } = await import('../image/pack');
      values.config = fromCwd(values.config); values.guest = fromCwd(values.guest); values.output = fromCwd(values.output);
      values.efi = fromCwd(values.efi);
      await checkImageInputs(values);
      if (!values.efi) await build(selectVariants(['wisp']));
      console.log(packAppliance({ efi: values.efi ?? 'out/wisp.efi', config: values.config, output: values.output ?? 'out/appliance.efi', guests: values.guest }));
      return 0;
    }
    case 'run': case 'start': {
      const { values } = parseArgs({ args: rest.map((a) => QEMU_SPELLINGS[a] ?? a), options: cmd === 'start' ? {} : {
        cpu: { type: 'string' }, config: { type: 'string' }, image: { type: 'string' }, variant: { type: 'string' }, timeout: { type: 'string' },
        kernel: { type: 'string' }, initrd: { type: 'string' }, append: { type: 'string' }, memory: { type: 'string' },
        emulator: { type: 'string' },
      } }) as { values: import('./run').RunOptions };
      const { runCommand, startCommand } = await import('./run');
      values.config = fromCwd(values.config); values.image = fromCwd(values.image); values.kernel = fromCwd(values.kernel);
      return cmd === 'start' ? startCommand() : runCommand({ ...values, emulatorArgs });
    }
    case 'bluepill': {
      const { values } = parseArgs({ args: rest, options: {
        smp: { type: 'string' }, mode: { type: 'string' }, append: { type: 'string' }, timeout: { type: 'string' }, driver: { type: 'string' },
      } });
      const { bluepillCommand } = await import('./bluepill');
      values.driver = fromCwd(values.driver);
      return bluepillCommand(values, emulatorArgs);
    }
    case 'test': {
      const { testCommand } = await import('./test-runner');
      return testCommand(rest);
    }
    case 'config': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { memory: { type: 'string', short: 'm' } } });
      if (positionals[0] !== 'check' || positionals.length !== 2) throw new UsageError('usage: wisp config check FILE [--memory MiB]');
      const { configCheck } = await import('./config-check');
      return configCheck(fromCwd(positionals[1]), values.memory);
    }
    case 'fetch-guests': {
      if (rest.length) throw new UsageError(`fetch-guests takes no arguments: ${rest[0]}`);
      const { ensureLinuxGuest } = await import('./guest-cache');
      const g = await ensureLinuxGuest();
      console.log(`linux guest: ${g.kernel}\n             ${g.initrd}`);
      return 0;
    }
    case 'bench': {
      const { benchCommand } = await import('./bench');
      return benchCommand(rest);
    }
    default:
      throw new UsageError(`unknown command ${cmd} (see wisp --help)`);
  }
}

exitOnInterrupt();
main(process.argv.slice(2)).then(
  (status) => { process.exitCode = status; },
  (e: unknown) => {
    if (e instanceof WispError) {
      process.stderr.write(`wisp: ${e.message}\n`);
      process.exitCode = e.exitCode;
    } else if (e instanceof TypeError && (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      // util.parseArgs' first sentence (its advice about '--' does not hold here: -- is the emulator's).
      const command = process.argv.slice(2).find((a) => !a.startsWith('-'));
      process.stderr.write(`wisp: ${e.message.split('\n')[0].replace(/\. .*$/, '').replace(/\.$/, '')} (see wisp ${command && USAGE[command] ? `${command} ` : ''}--help)\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`wisp: internal error (a bug in wisp; please report it with the command you ran):\n${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    }
  },
);
