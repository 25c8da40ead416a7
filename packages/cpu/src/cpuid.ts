/**
 * The modeled CPU's identity (CPUID). It reports exactly what the model implements, so
 * that libc's ifunc resolvers pick code paths the model can run: x86-64 baseline
 * (SSE, SSE2, FXSR, CMOV, CX8, TSC, MSR, APIC), SSE3, SSSE3, SSE4.1, SSE4.2, CMPXCHG16B,
 * MOVBE and POPCNT (x86-64-v2), plus SYSCALL, NX and RDTSCP. No AVX, no XSAVE: glibc then
 * selects its SSE2/SSSE3/SSE4 string functions.
 *
 * Vendor "AuthenticAMD", as on the machine the differential tests run on; glibc reads the
 * cache sizes from leaves 0x80000005/0x80000006 for that vendor.
 */
export function cpuid(leaf: number, _subleaf: number, apicId: number, out: Int32Array): void {
  out.fill(0);
  switch (leaf >>> 0) {
    case 0:
      // max basic leaf 1; "AuthenticAMD" in EBX, EDX, ECX
      out[0] = 1;
      out[1] = 0x68747541;
      out[3] = 0x69746e65;
      out[2] = 0x444d4163;
      return;
    case 1:
      // family 0x17 (Zen) encoded as base 0xF + extended 0x8, model 1, stepping 2
      out[0] = 0x00800f12;
      out[1] = (apicId << 24) | (1 << 16) | (8 << 8); // APIC ID, 1 logical CPU, CLFLUSH line 64 bytes
      out[2] =
        (1 << 0) | // SSE3
        (1 << 9) | // SSSE3
        (1 << 13) | // CMPXCHG16B
        (1 << 19) | // SSE4.1
        (1 << 20) | // SSE4.2
        (1 << 22) | // MOVBE
        (1 << 23); // POPCNT
      out[3] =
        (1 << 0) | // FPU
        (1 << 4) | // TSC
        (1 << 5) | // MSR
        (1 << 6) | // PAE
        (1 << 8) | // CX8
        (1 << 9) | // APIC
        (1 << 11) | // SEP
        (1 << 13) | // PGE
        (1 << 15) | // CMOV
        (1 << 19) | // CLFSH
        (1 << 23) | // MMX
        (1 << 24) | // FXSR
        (1 << 25) | // SSE
        (1 << 26); // SSE2
      return;
    case 0x80000000:
      out[0] = 0x80000008 | 0;
      out[1] = 0x68747541;
      out[3] = 0x69746e65;
      out[2] = 0x444d4163;
      return;
    case 0x80000001:
      out[0] = 0x00800f12;
      out[2] = 1 << 0; // LAHF/SAHF in 64-bit mode
      out[3] = (1 << 11) | (1 << 20) | (1 << 27) | (1 << 29); // SYSCALL, NX, RDTSCP, LM
      return;
    case 0x80000002:
    case 0x80000003:
    case 0x80000004: {
      const name = 'legosim x86-64 model CPU';
      const i = (leaf - 0x80000002) * 16;
      for (let r = 0; r < 4; r++) {
        let v = 0;
        for (let b = 3; b >= 0; b--) v = (v << 8) | (name.charCodeAt(i + r * 4 + b) || 0);
        out[r] = v;
      }
      return;
    }
    case 0x80000005:
      // L1d: 32 KiB, 8-way, 64-byte lines; L1i the same
      out[2] = (32 << 24) | (8 << 16) | (1 << 8) | 64;
      out[3] = (32 << 24) | (8 << 16) | (1 << 8) | 64;
      return;
    case 0x80000006:
      // L2: 512 KiB, 8-way (code 6), 64-byte lines; L3: 16 MiB (in 512 KiB units), 16-way (code 8)
      out[2] = (512 << 16) | (6 << 12) | (1 << 8) | 64;
      out[3] = (32 << 18) | (8 << 12) | (1 << 8) | 64;
      return;
    case 0x80000008:
      out[0] = (48 << 8) | 46; // 48 virtual, 46 physical address bits
      return;
    default:
      // leaves the model does not report read as zero
      break;
  }
}
