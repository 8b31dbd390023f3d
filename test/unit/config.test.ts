import { strict as assert } from "node:assert";
import { Core, SIMPLE_CONFIG, RESULT, ioQualification } from "./harness";

const FULL = `# comment
[wisp]
debug-exit = on            # test mode

[vm hello]                 # a VM named hello
image = hello.bin          # flat image
memory = 2                 # MiB
load = 0x1000
entry = 0x1010
mode = protected32
expect = exit 0

[vm boot-16]
image = boot16.bin
memory = 1
load = 31744
mode = real16
expect = halt
`;

function parseError(text: string): string {
  const core = new Core();
  const n = core.parse(text);
  assert.equal(n, -1, `expected an error for:\n${text}`);
  assert.equal(core.x.vmCount(), 0, "nothing half-parsed remains");
  return core.message();
}

/** The config with `line` (1-based) replaced. */
function withLine(line: number, text: string, base = FULL): string {
  const lines = base.split("\n");
  lines[line - 1] = text;
  return lines.join("\n");
}

describe("config", () => {
  it("parses the documented example", () => {
    const core = new Core();
    assert.equal(core.parse(FULL), 2);
    const x = core.x;
    assert.equal(x.vmCount(), 2);
    assert.equal(x.debugExitEnabled(), 1);
    assert.equal(core.text(x.vmNameOffset(0), x.vmNameLength(0)), "hello");
    assert.equal(core.text(x.vmImageOffset(0), x.vmImageLength(0)), "hello.bin");
    assert.equal(x.vmMemoryMiB(0), 2);
    assert.equal(x.vmLoadAddress(0), 0x1000n);
    assert.equal(x.vmEntry(0), 0x1010n);
    assert.equal(x.vmMode(0), 2, "protected32 is the vCPU mode 2");
    assert.equal(x.vmExpectKind(0), RESULT.EXIT);
    assert.equal(x.vmExpectValue(0), 0n);
    assert.equal(core.text(x.vmNameOffset(1), x.vmNameLength(1)), "boot-16");
    assert.equal(x.vmMemoryMiB(1), 1);
    assert.equal(x.vmLoadAddress(1), 31744n);
    assert.equal(x.vmEntry(1), 31744n, "entry defaults to load");
    assert.equal(x.vmMode(1), 0, "real16 is the vCPU mode 0");
    assert.equal(x.vmExpectKind(1), RESULT.HALT);
  });

  it("out-of-range indexes give 0", () => {
    const core = new Core();
    core.parse(FULL);
    for (const f of ["vmNameOffset", "vmNameLength", "vmImageLength", "vmMemoryMiB", "vmMode"] as const) {
      assert.equal(core.x[f](2), 0);
      assert.equal(core.x[f](0xffffffff), 0);
    }
    assert.equal(core.x.vmEntry(99), 0n);
  });

  it("defaults: expect exit 0, debug-exit off; CRLF, tabs and no final newline", () => {
    const core = new Core();
    const text = "[vm a]\r\n\timage\t=\ta.bin\r\nmemory=1\r\nload=0\r\nmode=real16";
    assert.equal(core.parse(text), 1);
    assert.equal(core.x.debugExitEnabled(), 0);
    assert.equal(core.x.vmExpectKind(0), RESULT.EXIT);
    assert.equal(core.x.vmExpectValue(0), 0n);
    assert.equal(core.text(core.x.vmImageOffset(0), core.x.vmImageLength(0)), "a.bin");
  });

  it("expect forms", () => {
    for (const [text, kind, value] of [
      ["exit 0x2a", RESULT.EXIT, 42n], ["exit   7", RESULT.EXIT, 7n], ["exit 4294967295", RESULT.EXIT, 0xffffffffn],
      ["halt", RESULT.HALT, 0n], ["fault", RESULT.FAULT, 0n], ["shutdown", RESULT.SHUTDOWN, 0n], ["trap", RESULT.TRAP, 0n],
      ["error", RESULT.ERROR, 0n], ["reset", RESULT.RESET, 0n], ["poweroff", RESULT.POWEROFF, 0n],
    ] as const) {
      const core = new Core();
      assert.equal(core.parse(SIMPLE_CONFIG + `expect = ${text}\n`), 1, text);
      assert.equal(core.x.vmExpectKind(0), kind);
      assert.equal(core.x.vmExpectValue(0), value);
    }
  });

  it("errors carry the line number", () => {
    assert.equal(parseError(withLine(7, "memroy = 2")), "wisp.cfg:7: unknown key 'memroy' (known: image, memory, load, entry, mode, expect, kernel, initrd, cmdline, multiboot, module)");
    assert.equal(parseError(withLine(3, "debug-exit = maybe")), "wisp.cfg:3: debug-exit must be on or off, not 'maybe'");
    assert.equal(parseError(withLine(3, "debug = on")), "wisp.cfg:3: unknown key 'debug' in [wisp] (known: debug-exit, on-end, console)");
    assert.equal(parseError(withLine(13, "[vm hello]")), "wisp.cfg:13: duplicate VM name 'hello' (first at line 5)");
    assert.equal(parseError(withLine(8, "load = 0x200000")), "wisp.cfg:8: vm 'hello': load address 0x200000 is outside its 2 MiB of memory");
    assert.equal(parseError(withLine(9, "entry = 0x1fffff0000")), "wisp.cfg:9: vm 'hello': entry 0x1fffff0000 is outside its 2 MiB of memory");
    assert.equal(parseError(withLine(10, "mode = long64")), "wisp.cfg:10: mode must be real16 or protected32, not 'long64'");
    assert.equal(parseError(withLine(11, "expect = exit")), "wisp.cfg:11: expect exit needs a value: expect = exit V");
    assert.equal(parseError(withLine(11, "expect = exit 0x100000000")), "wisp.cfg:11: expect exit value '0x100000000' is not a number from 0 to 0xffffffff");
    assert.equal(parseError(withLine(11, "expect = crash")), "wisp.cfg:11: expect must be 'exit V', halt, fault, shutdown, trap, error, reset or poweroff, not 'crash'");
    assert.equal(parseError(withLine(11, "expect = halt now")), "wisp.cfg:11: expect must be 'exit V', halt, fault, shutdown, trap, error, reset or poweroff, not 'halt now'");
    assert.equal(parseError(withLine(6, "image = ../etc/passwd")).startsWith("wisp.cfg:6: image '../etc/passwd' must be a file name"), true);
    assert.equal(parseError(withLine(10, "mode = protected32\nmode = real16")), "wisp.cfg:11: duplicate key 'mode'");
    assert.equal(parseError(withLine(8, "load =")), "wisp.cfg:8: missing value for 'load'");
    assert.equal(parseError(withLine(8, "load = 12k")), "wisp.cfg:8: 'load' must be an address (decimal or 0x hex), not '12k'");
    assert.equal(parseError(withLine(8, "= 5")), "wisp.cfg:8: missing key before '='");
    assert.equal(parseError(withLine(8, "load 0x1000")), "wisp.cfg:8: expected 'key = value' or a [section], not 'load 0x1000'");
    assert.equal(parseError(withLine(2, "[wisp")), "wisp.cfg:2: section header '[wisp' has no closing ']'");
    assert.equal(parseError(withLine(2, "[host]")), "wisp.cfg:2: unknown section '[host]' (known: [wisp], [vm NAME])");
    assert.equal(parseError(withLine(13, "[wisp]")), "wisp.cfg:13: duplicate [wisp] section");
    assert.equal(parseError(withLine(5, "[vm]")), "wisp.cfg:5: missing VM name: write [vm NAME]");
    assert.equal(parseError(withLine(5, "[vm hello world]")), "wisp.cfg:5: VM name 'hello world' must be 1 to 32 letters, digits, '-' or '_'");
    assert.equal(parseError(withLine(5, "[vm " + "n".repeat(33) + "]")).startsWith("wisp.cfg:5: VM name 'nnn"), true);
    assert.equal(parseError(withLine(2, "x = 1")), "wisp.cfg:2: key 'x' outside a section (start with [wisp] or [vm NAME])");
    assert.equal(parseError(withLine(17, "entry = 0x100000\nmode = real16", FULL.replace("memory = 1", "memory = 4"))),
      "wisp.cfg:17: vm 'boot-16': entry 0x100000 is not reachable in real16 mode (must be below 0x100000)");
  });

  it("memory must be 1..4096 MiB", () => {
    for (const bad of ["0", "4097", "-1", "0x", "99999999999999999999999", "2 MiB", "0x1001"]) {
      assert.match(parseError(withLine(7, `memory = ${bad}`)), /^wisp\.cfg:7: memory must be a number of MiB from 1 to 4096/, bad);
    }
    const core = new Core();
    assert.equal(core.parse(withLine(7, "memory = 0x1000")), 2);
    assert.equal(core.x.vmMemoryMiB(0), 4096);
  });

  it("numbers: decimal and 0x hex up to 2^64-1, nothing else", () => {
    const core = new Core();
    const cfg = (load: string) => `[vm a]\nimage=a\nmemory=4096\nmode=protected32\nload=${load}\n`;
    assert.equal(core.parse(cfg("0XfFfF")), 1);
    assert.equal(core.x.vmLoadAddress(0), 0xffffn);
    assert.equal(core.parse(cfg("0x0000000000000000000000ff")), 1, "leading zeros");
    assert.equal(core.x.vmLoadAddress(0), 0xffn);
    assert.equal(core.parse(cfg("4294967295")), 1);
    assert.equal(core.x.vmLoadAddress(0), 0xffffffffn);
    for (const bad of ["0x10000000000000000", "18446744073709551616", "1e3", "+1", "0b1", "1_000", "0x-1"]) {
      assert.equal(core.parse(cfg(bad)), -1, bad);
    }
    assert.equal(core.parse(cfg("18446744073709551615")), -1);
    assert.match(core.message(), /outside its 4096 MiB/);
  });

  it("required keys are reported at the VM's header line", () => {
    assert.equal(parseError("[vm a]\nmemory = 1\nload = 0\nmode = real16\n"), "wisp.cfg:1: vm 'a': no 'image' given");
    assert.equal(parseError("[vm a]\nimage = a\nload = 0\nmode = real16\n[vm b]\n"), "wisp.cfg:1: vm 'a': no 'memory' given");
    assert.equal(parseError("[wisp]\n\n[vm a]\nimage = a\nmemory = 1\nmode = real16\n"), "wisp.cfg:3: vm 'a': no 'load' given");
    assert.equal(parseError("[vm a]\nimage = a\nmemory = 1\nload = 0\n[wisp]\n"), "wisp.cfg:1: vm 'a': no 'mode' given");
  });

  it("needs at least one VM, at most 16", () => {
    assert.equal(parseError(""), "wisp.cfg: no VM defined (add a [vm NAME] section)");
    assert.equal(parseError("# nothing\n[wisp]\ndebug-exit = off\n"), "wisp.cfg: no VM defined (add a [vm NAME] section)");
    const vm = (i: number) => `[vm v${i}]\nimage=v.bin\nmemory=1\nload=0\nmode=real16\n`;
    const sixteen = Array.from({ length: 16 }, (_, i) => vm(i)).join("");
    assert.equal(new Core().parse(sixteen), 16);
    assert.equal(parseError(sixteen + vm(16)), "wisp.cfg:81: too many VMs (at most 16)");
  });

  it("rejects control characters and non-ASCII outside comments", () => {
    assert.equal(parseError(withLine(6, "image = a\u0000.bin")), "wisp.cfg:6: unexpected character 0x0 (only ASCII text is allowed outside comments)");
    assert.equal(parseError(withLine(6, "image = caf\u00e9.bin")), "wisp.cfg:6: unexpected character 0xc3 (only ASCII text is allowed outside comments)");
    assert.equal(new Core().parse(withLine(6, "image = a.bin # caf\u00e9 \u0001")), 2);
  });

  it("echoes hostile text shortened and printable", () => {
    const msg = parseError(withLine(7, "x".repeat(5000) + " = 1"));
    assert.ok(msg.length <= 256);
    assert.match(msg, /^wisp\.cfg:7: unknown key 'x{40}\.\.\.'/);
  });

  it("input larger than the buffer is refused by inputBuffer", () => {
    const core = new Core();
    assert.equal(core.x.inputBuffer(32768) !== 0, true);
    assert.equal(core.x.inputBuffer(32769), 0);
    assert.equal(core.x.parseConfig(32769), -1);
    assert.equal(core.message(), "wisp.cfg: too large (32769 bytes, at most 32768)");
  });

  it("vmSetup selects a VM, names the console, rejects a bad index", () => {
    const core = new Core();
    assert.equal(core.setup(FULL, 1), 0);
    core.set("rflags", 0);
    core.exit(5);
    assert.equal(core.output, "[boot-16] ended: halt\n");
    const bad = new Core();
    assert.equal(bad.setup(FULL, 2), -1);
    assert.equal(bad.message(), "wisp.cfg: there is no VM number 2 (the configuration has 2)");
    assert.equal(new Core().setup("[vm]", 0), -1);
  });

  it("a successful parse after a failed one starts from scratch", () => {
    const core = new Core();
    assert.equal(core.parse(withLine(7, "memroy = 2")), -1);
    assert.equal(core.parse(SIMPLE_CONFIG), 1);
    assert.equal(core.text(core.x.vmNameOffset(0), core.x.vmNameLength(0)), "hello");
  });
});

describe("config: kernel VMs (kernel, initrd, cmdline, multiboot, module)", () => {
  const file = (core: Core, i: number, id: number) => core.text(core.x.vmFileOffset(i, id), core.x.vmFileLength(i, id));

  it("parses Linux and Multiboot VMs and exports their image files by id", () => {
    const core = new Core();
    const text = `[vm linux]
kernel = vmlinuz-6.1
initrd = initrd.gz
cmdline = "console=ttyS0 panic=-1 # kept"   # a comment
memory = 512
[vm mb]
multiboot = kernel.elf
module = mod-a.bin some args
module = mod-b.bin
memory = 8
[vm flat]
${SIMPLE_CONFIG.split("\n").slice(1).join("\n")}`;
    assert.equal(core.parse(text), 3, core.message());
    const x = core.x;
    assert.deepEqual([x.vmKind(0), x.vmKind(1), x.vmKind(2)], [1, 2, 0]);
    assert.deepEqual([x.vmMode(0), x.vmMode(1), x.vmMode(2)], [3, 2, 2], "LONG64, protected32, as configured");
    assert.deepEqual([x.vmImageCount(0), x.vmImageCount(1), x.vmImageCount(2)], [2, 4, 1]);
    assert.equal(file(core, 0, 0), "vmlinuz-6.1");
    assert.equal(file(core, 0, 1), "initrd.gz");
    assert.equal(core.text(x.vmImageOffset(0), x.vmImageLength(0)), "vmlinuz-6.1", "vmImage is image id 0");
    assert.equal(file(core, 1, 0), "kernel.elf");
    assert.equal(x.vmFileLength(1, 1), 0, "Multiboot VMs have no initrd id");
    assert.equal(file(core, 1, 2), "mod-a.bin");
    assert.equal(file(core, 1, 3), "mod-b.bin");
    assert.equal(x.vmFileLength(1, 4), 0);
    assert.equal(file(core, 2, 0), "hello.bin");
    assert.equal(x.vmFileLength(2, 1), 0);
    assert.equal(x.vmFileLength(3, 0), 0);
    assert.equal(x.vmLoadAddress(0), 0n);
  });

  it("a Linux VM without initrd has one image; cmdline may be empty or unquoted", () => {
    const core = new Core();
    assert.equal(core.parse("[vm a]\nkernel = k\nmemory = 64\ncmdline =\n"), 1, core.message());
    assert.equal(core.x.vmImageCount(0), 1);
    assert.equal(core.parse("[vm a]\nkernel = k\nmemory = 64\ncmdline = quiet console=ttyS0\n"), 1, core.message());
  });

  it("errors", () => {
    const err = (t: string) => parseError(t);
    assert.equal(err("[vm a]\nkernel = k\nimage = i\nmemory = 4\n"),
      "wisp.cfg:3: 'image' cannot go with the VM's other image: a VM boots one of image, kernel or multiboot");
    assert.equal(err("[vm a]\nkernel = k\nmemory = 4\nload = 0\n"),
      "wisp.cfg:1: vm 'a': load, entry and mode are for flat images (a kernel's image says where it goes)");
    assert.equal(err("[vm a]\nmultiboot = k\nmemory = 4\ninitrd = i\n"),
      "wisp.cfg:1: vm 'a': initrd is for Linux kernels (give Multiboot modules with 'module')");
    assert.equal(err("[vm a]\nkernel = k\nmemory = 4\nmodule = m\n"),
      "wisp.cfg:1: vm 'a': module is for Multiboot kernels (give a Linux initrd with 'initrd')");
    assert.equal(err(SIMPLE_CONFIG + "cmdline = x\n"),
      "wisp.cfg:1: vm 'hello': initrd, cmdline and module need 'kernel' or 'multiboot', not 'image'");
    assert.equal(err("[vm a]\nkernel = k\nmemory = 4\ncmdline = \"abc\n"), "wisp.cfg:4: cmdline: the closing '\"' is missing");
    assert.equal(err("[vm a]\nkernel = k\nmemory = 4\ncmdline = a\"b\n"),
      "wisp.cfg:4: cmdline: a '\"' inside the command line (quote the whole value once)");
    assert.equal(err("[vm a]\nkernel = ../k\nmemory = 4\n").startsWith("wisp.cfg:2: kernel '../k' must be a file name"), true);
    assert.equal(err("[vm a]\nmultiboot = k\nmemory = 4\nmodule = /m x\n").startsWith("wisp.cfg:4: module file '/m' must be a file name"), true);
    assert.equal(err("[vm a]\nkernel = k\nkernel = k\nmemory = 4\n"), "wisp.cfg:3: duplicate key 'kernel'");
    assert.equal(err("[vm a]\ninitrd = i\nmemory = 4\n"), "wisp.cfg:1: vm 'a': no 'image' given");
    const modules = Array.from({ length: 17 }, (_, i) => `module = m${i}\n`).join("");
    assert.equal(err("[vm a]\nmultiboot = k\nmemory = 4\n" + modules), "wisp.cfg:20: too many modules (at most 16 per VM)");
    assert.equal(err(`[vm a]\nkernel = k\nmemory = 4\ncmdline = ${"x".repeat(4096)}\n`),
      "wisp.cfg:4: value too long (at most 4095 characters, 8192 for all such values together)");
  });

  it("the string pool and module table start afresh with each parse", () => {
    const core = new Core();
    const text = `[vm a]\nmultiboot = k\nmemory = 4\ncmdline = ${"y".repeat(4000)}\n` +
      Array.from({ length: 16 }, (_, i) => `module = m${i}\n`).join("");
    for (let i = 0; i < 5; i++) assert.equal(core.parse(text), 1, core.message());
    assert.equal(core.text(core.x.vmFileOffset(0, 17), core.x.vmFileLength(0, 17)), "m15");
  });
});

describe("config: [wisp] on-end", () => {
  const VM = "[vm a]\nimage = a.bin\nmemory = 1\nload = 0x1000\nmode = real16\n";
  const onEnd = (wisp: string): [number, number] => {
    const core = new Core();
    assert.equal(core.parse(`[wisp]\n${wisp}\n${VM}`), 1, core.message());
    return [core.x.onEnd(), core.x.debugExitEnabled()];
  };

  it("halt by default, summary with debug-exit = on, and each value as written", () => {
    assert.deepEqual(onEnd(""), [0, 0]);
    assert.deepEqual(onEnd("debug-exit = on"), [1, 1]);
    assert.deepEqual(onEnd("on-end = halt"), [0, 0]);
    assert.deepEqual(onEnd("on-end = summary"), [1, 1]);
    assert.deepEqual(onEnd("on-end = mirror"), [2, 0]);
    assert.deepEqual(onEnd("debug-exit = on\non-end = mirror"), [2, 0]);
  });

  it("a bad value names the choices; a fresh parse forgets the last one", () => {
    const core = new Core();
    assert.equal(core.parse(`[wisp]\non-end = reboot\n${VM}`), -1);
    assert.equal(core.message(), "wisp.cfg:2: on-end must be halt, summary or mirror, not 'reboot'");
    assert.equal(core.parse(`[wisp]\non-end = mirror\n${VM}`), 1);
    assert.equal(core.parse(VM), 1);
    assert.equal(core.x.onEnd(), 0);
  });
});

describe("config: [wisp] console = raw", () => {
  const VM = "[vm a]\nimage = a.bin\nmemory = 1\nload = 0x1000\nmode = real16\n";

  it("raw: guest UART bytes go out as they are; the core's messages still start a line of their own", () => {
    const core = new Core();
    assert.equal(core.setup(`[wisp]\nconsole = raw\n${VM}`), 0, core.message());
    for (const c of Buffer.from("wisp# \x1b[6n")) {
      core.set("rax", c);
      core.instruction(2, 1, ioQualification(0x3f8, 1, false));
    }
    assert.equal(core.written.join(""), "wisp# \x1b[6n", "no prefix, no line buffering, escapes kept");
    core.exit(8);                                   // triple fault: the core's "ended" message
    assert.ok(core.written.join("").startsWith("wisp# \x1b[6n\n[a] "), JSON.stringify(core.written));
  });

  it("lines is the default; a bad value names the choices", () => {
    const core = new Core();
    assert.equal(core.parse(`[wisp]\nconsole = tty\n${VM}`), -1);
    assert.equal(core.message(), "wisp.cfg:2: console must be lines or raw, not 'tty'");
  });
});
