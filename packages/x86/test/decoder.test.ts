import { describe, expect, it } from 'vitest';
import { Code, DecodeStatus, Decoder, Instruction, Mnemonic, OpKind, Prefix, Register } from '../src/index.js';
import { formatAtt } from '../src/format/index.js';

const bytes = (hex: string): Uint8Array => Uint8Array.from(hex.split(/\s+/).map((x) => Number.parseInt(x, 16)));

function decode(hex: string, ip = 0x401000): { st: DecodeStatus; ins: Instruction } {
  const b = bytes(hex);
  const ins = new Instruction();
  return { st: new Decoder().decode(b, 0, b.length, ip, ins), ins };
}

describe('decoder', () => {
  it('fills the Instruction record for mov %rsp,%rbp', () => {
    const { st, ins } = decode('48 89 e5');
    expect(st).toBe(DecodeStatus.Ok);
    expect(ins.code).toBe(Code.Mov_rm64_r64);
    expect(ins.mnemonic).toBe(Mnemonic.Mov);
    expect(ins.length).toBe(3);
    expect(ins.operandSize).toBe(8);
    expect(ins.opCount).toBe(2);
    expect([ins.opKind[0], ins.opReg[0], ins.opKind[1], ins.opReg[1]]).toEqual([OpKind.Register, Register.RBP, OpKind.Register, Register.RSP]);
    expect(ins.prefixes & Prefix.RexW).toBe(Prefix.RexW);
  });

  it('reports the operation size of byte and vector memory forms', () => {
    expect(decode('80 00 01').ins.operandSize).toBe(1);
    expect(decode('66 83 00 01').ins.operandSize).toBe(2);
    expect(decode('c5 fe 6f 07').ins.operandSize).toBe(32);
    expect(decode('50').ins.operandSize).toBe(8);
  });

  it('sign-extends imm8 to the operand size in unsigned halves', () => {
    const { ins } = decode('48 83 c0 ff');
    expect([ins.immLo, ins.immHi, ins.immSize, ins.opSize[1]]).toEqual([0xffffffff, 0xffffffff, 1, 8]);
    const r32 = decode('83 c0 ff').ins;
    expect([r32.immLo, r32.immHi, r32.opSize[1]]).toEqual([0xffffffff, 0, 4]);
  });

  it('gives RIP-relative displacements relative to the next instruction', () => {
    const { ins } = decode('48 8b 05 f0 ff ff ff', 0x401000);
    expect([ins.memBase, ins.memDisp, ins.memDispSize, ins.opSize[1]]).toEqual([Register.RIP, -16, 4, 8]);
    expect(ins.nextIp + ins.memDisp).toBe(0x401007 - 16);
  });

  it('keeps FS/GS overrides and ignores CS/DS/ES/SS in 64-bit mode', () => {
    expect(decode('65 48 8b 04 25 10 00 00 00').ins.memSeg).toBe(Register.GS);
    expect(decode('64 8b 00').ins.memSeg).toBe(Register.FS);
    expect(decode('2e 8b 00').ins.memSeg).toBe(Register.None);
  });

  it('gives moffs addresses as canonical signed numbers', () => {
    const { ins } = decode('48 a1 00 00 00 81 ff ff ff ff');
    expect([ins.opKind[1], ins.memBase, ins.memDisp, ins.memDispSize]).toEqual([OpKind.Memory, Register.None, -0x7f000000, 8]);
    expect(formatAtt(ins)).toBe('movabs 0xffffffff81000000,%rax');
  });

  it('gives absolute branch targets', () => {
    const { ins } = decode('e8 fb ff ff ff', 0x401000);
    expect([ins.opKind[0], ins.branchTarget]).toEqual([OpKind.NearBranch, 0x401000]);
    expect(decode('eb fe', 0x401000).ins.branchTarget).toBe(0x401000);
  });

  it('tells NeedMoreBytes from Invalid', () => {
    const ins = new Instruction();
    const dec = new Decoder();
    const b = bytes('48 8b 05 f0 ff ff ff');
    for (let n = 0; n < b.length; n++) expect(dec.decode(b, 0, n, 0, ins)).toBe(DecodeStatus.NeedMoreBytes);
    expect(decode('0f 0b').st).toBe(DecodeStatus.Ok); // ud2 decodes; executing it is the #UD
    expect(decode('0f ff').st).toBe(DecodeStatus.NeedMoreBytes);
    expect(decode('f0 90').st).toBe(DecodeStatus.Invalid); // lock on a non-lockable instruction
    expect(decode('f0 01 c0').st).toBe(DecodeStatus.Invalid); // lock with a register destination
    expect(decode('0f 04').st).toBe(DecodeStatus.Invalid);
  });

  it('refuses offsets and arrays past 2 GiB rather than decoding them wrongly', () => {
    const ins = new Instruction();
    const dec = new Decoder();
    // a stand-in for an array of 4 GiB (its length is all the decoder reads before refusing)
    const huge = Object.defineProperty(bytes('90 90'), 'length', { value: 2 ** 32 });
    expect(() => dec.decode(huge, 0, 15, 0, ins)).toThrow(RangeError);
    expect(() => dec.decode(bytes('90'), 2 ** 31, 1, 0, ins)).toThrow(/past what it handles/);
    expect(dec.decode(bytes('90'), 0, 1, 0, ins)).toBe(DecodeStatus.Ok);
  });

  it('enforces the 15-byte limit', () => {
    const ok = bytes('66 66 66 66 66 66 66 66 66 66 66 2e 0f 1f 00');
    const ins = new Instruction();
    expect(new Decoder().decode(ok, 0, ok.length, 0, ins)).toBe(DecodeStatus.Ok);
    expect(ins.length).toBe(15);
    const tooLong = bytes('66 66 66 66 66 66 66 66 66 66 66 66 2e 0f 1f 00');
    expect(new Decoder().decode(tooLong, 0, tooLong.length, 0, ins)).toBe(DecodeStatus.Invalid);
  });

  it('ignores a REX prefix that is not last (hardware reads one 16-bit mov)', () => {
    const { st, ins } = decode('48 66 89 c0');
    expect(st).toBe(DecodeStatus.Ok);
    expect([ins.length, ins.operandSize, ins.prefixes & Prefix.Rex]).toEqual([4, 2, 0]);
    // objdump lists the stray REX as its own line `rex.W`; we keep one instruction and name it as a prefix.
    expect(formatAtt(ins)).toBe('rex.W mov %ax,%ax');
  });

  it('decodes EVEX masking, zeroing and broadcast', () => {
    const z = decode('62 f1 7f a9 6f 07').ins;
    expect([z.opMask, z.zeroingMasking]).toEqual([Register.K1, true]);
    const b = decode('62 f1 7d 38 76 47 01').ins;
    expect([b.memBroadcast, b.memBroadcastSize, b.memDisp]).toEqual([true, 4, 4]);
  });

  it('decodes VSIB gathers and rejects overlapping registers', () => {
    const { st, ins } = decode('c4 e2 51 90 54 88 0a');
    expect(st).toBe(DecodeStatus.Ok);
    expect([ins.memBase, ins.memIndex, ins.memScale, ins.memDisp]).toEqual([Register.RAX, Register.XMM0 + 1, 4, 10]);
    expect(decode('c4 e2 79 90 44 88 0a').st).toBe(DecodeStatus.Invalid); // dest == mask
    expect(decode('c4 e2 51 90 14 08').st).toBe(DecodeStatus.Ok);
    expect(decode('c4 e2 51 90 10').st).toBe(DecodeStatus.Invalid); // no SIB
  });

  it('decodes the system instructions the kernel entry code uses', () => {
    for (const [hex, text] of [
      ['0f 05', 'syscall'], ['48 0f 07', 'sysretq'], ['0f 01 f8', 'swapgs'], ['48 cf', 'iretq'],
      ['0f 22 d8', 'mov    %rax,%cr3'], ['0f 01 f9', 'rdtscp'], ['f3 0f 1e fa', 'endbr64'],
    ] as const) {
      const { st, ins } = decode(hex);
      expect(st).toBe(DecodeStatus.Ok);
      expect(formatAtt(ins)).toBe(text);
    }
    const sysret = decode('48 0f 07').ins;
    expect([sysret.mnemonic, sysret.operandSize]).toEqual([Mnemonic.Sysret, 8]);
    const iret = decode('48 cf').ins;
    expect([iret.mnemonic, iret.operandSize]).toEqual([Mnemonic.Iret, 8]);
  });

  it('ignores ModRM.reg of SETcc, as the CPU does (found by the random differential test against iced-x86)', () => {
    const a = decode('0f 93 d8');
    expect(a.st).toBe(DecodeStatus.Ok);
    expect([a.ins.mnemonic, a.ins.opCount, a.ins.opReg[0]]).toEqual([Mnemonic.Setae, 1, Register.AL]);
    expect(formatAtt(a.ins)).toBe('setae  %al');
    expect(formatAtt(decode('0f 9f 34 24').ins)).toBe('setg   (%rsp)');
  });

  it('rejects MOV to CS (#UD), and still decodes MOV from CS', () => {
    expect(decode('8e cb').st).toBe(DecodeStatus.Invalid);
    expect(decode('8e 0b').st).toBe(DecodeStatus.Invalid);
    expect(decode('8c cb').st).toBe(DecodeStatus.Ok);
    expect(decode('8e d8').st).toBe(DecodeStatus.Ok); // mov %eax,%ds
  });
});
