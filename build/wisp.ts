// The `wisp` command: build, image, run, start, test, config check.
import { parseArgs } from 'node:util';
import { build, selectVariants } from './pipeline';
import { WispError } from './log';

const HELP = `usage: wisp <command> [options]

commands:
  build [--variant NAME]...     build out/wisp.efi, out/wisp-test.efi, out/wisp-floor.efi (default: all)
                                and the guests in out/guests/; only what changed is rebuilt
  image [-o FILE] [--config FILE] [--efi FILE] [--guest FILE]...
                                write a GPT disk image (default out/wisp.img) with an EFI system
                                partition: \\EFI\\BOOT\\BOOTX64.EFI, and with --config \\wisp\\wisp.cfg
                                plus the guest images it names (from --guest paths or out/guests/)
  run [--cpu MODEL] [--config FILE] [--image FILE] [--variant NAME] [--timeout SECONDS]
                                build, make an image, boot it in QEMU + OVMF with the console here;
                                exits with QEMU's exit status
  start                         build and boot wisp.efi with its built-in default guest (npm start)
  test [mocha options]          build everything, bundle test/**/*.test.ts, run mocha (--grep ...)
  bench                         the benchmark figures (npm run bench; see build/bench.ts)
  config check FILE             check a wisp.cfg with the core's own parser (out/core.wasm)
  --help                        this text

A dd-able USB key: wisp image -o wisp.img --config my.cfg && dd if=wisp.img of=/dev/sdX bs=1M`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case undefined: case '--help': case '-h': case 'help':
      console.log(HELP);
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
      const efi = values.efi ?? 'out/wisp.efi';
      if (!values.efi) await build(selectVariants(['wisp']));
      if (values.config && !values.efi) await (await import('./config-check')).validateConfig(values.config);
      const out = await makeImage({ output: values.output ?? 'out/wisp.img', efi, config: values.config, guests: values.guest });
      console.log(out);
      return 0;
    }
    case 'run': case 'start': {
      const { values } = parseArgs({ args: rest, options: cmd === 'start' ? {} : {
        cpu: { type: 'string' }, config: { type: 'string' }, image: { type: 'string' }, variant: { type: 'string' }, timeout: { type: 'string' },
      } }) as { values: { cpu?: string; config?: string; image?: string; variant?: string; timeout?: string } };
      const { runCommand } = await import('./run');
      return runCommand(values);
    }
    case 'test': {
      const { testCommand } = await import('./test-runner');
      return testCommand(rest);
    }
    case 'config': {
      if (rest[0] !== 'check' || rest.length !== 2) throw new WispError('usage: wisp config check FILE');
      const { configCheck } = await import('./config-check');
      return configCheck(rest[1]);
    }
    case 'bench': {
      const { benchCommand } = await import('./bench');
      return benchCommand(rest);
    }
    default:
      throw new WispError(`unknown command ${cmd} (see wisp --help)`);
  }
}

main(process.argv.slice(2)).then(
  (status) => { process.exitCode = status; },
  (e: unknown) => {
    if (e instanceof WispError) {
      process.stderr.write(`wisp: ${e.message}\n`);
      process.exitCode = e.exitCode;
    } else if (e instanceof TypeError && (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`wisp: ${e.message}\n(see wisp --help)\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`wisp: internal error: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    }
  },
);
