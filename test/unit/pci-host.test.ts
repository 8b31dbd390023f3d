import { strict as assert } from "node:assert";
import { deviceVm, inPort, outPort, RESULT, Core } from "./harness";

const addr = (bus: number, dev: number, fn: number, reg: number): number =>
  (0x80000000 | (bus << 16) | (dev << 11) | (fn << 8) | reg) >>> 0;

function config(core: Core, bus: number, dev: number, fn: number, reg: number, size = 4): bigint {
  outPort(core, 0xcf8, addr(bus, dev, fn, reg & 0xfc), 4);
  return inPort(core, 0xcfc + (reg & 3), size);
}

describe("pci-host", () => {
  it("00:00.0 is an Intel 440FX host bridge (8086:1237), class 06/00", () => {
    const core = deviceVm();
    assert.equal(config(core, 0, 0, 0, 0x00), 0x12378086n);
    assert.equal(config(core, 0, 0, 0, 0x00, 2), 0x8086n);
    assert.equal(config(core, 0, 0, 0, 0x02, 2), 0x1237n);
    assert.equal(config(core, 0, 0, 0, 0x08), 0x06000002n, "class, revision 2");
    assert.equal(config(core, 0, 0, 0, 0x0e, 1), 0x00n, "header type 0, single function");
    assert.equal(config(core, 0, 0, 0, 0x2c), 0x11001af4n);
    assert.equal(inPort(core, 0xcf8, 4), BigInt(addr(0, 0, 0, 0x2c)), "CONFIG_ADDRESS reads back");
    assert.equal(core.output, "");
  });

  it("every other function, bus and a disabled address read all ones", () => {
    const core = deviceVm();
    assert.equal(config(core, 0, 1, 0, 0), 0xffffffffn);
    assert.equal(config(core, 0, 0, 1, 0), 0xffffffffn);
    assert.equal(config(core, 1, 0, 0, 0), 0xffffffffn);
    assert.equal(config(core, 0, 31, 7, 0, 2), 0xffffn);
    outPort(core, 0xcf8, 0x00000000, 4);
    assert.equal(inPort(core, 0xcfc, 4), 0xffffffffn, "enable bit clear");
  });

  it("the command register keeps only its enable bits; identity is read-only", () => {
    const core = deviceVm();
    outPort(core, 0xcf8, addr(0, 0, 0, 0x04), 4);
    outPort(core, 0xcfc, 0xffff, 2);
    assert.equal(inPort(core, 0xcfc, 2), 0x0146n);
    outPort(core, 0xcf8, addr(0, 0, 0, 0x00), 4);
    outPort(core, 0xcfc, 0, 4);
    assert.equal(inPort(core, 0xcfc, 4), 0x12378086n);
    outPort(core, 0xcf8, addr(0, 0, 0, 0x58), 4);   // PAM registers: plain storage
    outPort(core, 0xcfd, 0x33, 1);
    assert.equal(inPort(core, 0xcfc, 4), 0x3300n);
  });

  it("port 0xCF9 (reset control) with RST_CPU ends the VM with RESET", () => {
    const core = deviceVm();
    assert.equal(outPort(core, 0xcf9, 0x02, 1), 0, "SYS_RST alone does not reset");
    assert.equal(inPort(core, 0xcf9, 1), 0x02n);
    assert.equal(outPort(core, 0xcf9, 0x06, 1), 1);
    assert.equal(core.result.kind, RESULT.RESET);
  });
});
