// wisp-probe: the blue-pill check, run by Linux as a guest of wisp-driver.efi (npx wisp bluepill,
// test/integration/bluepill.test.ts). A static x86-64 Linux program without libc: raw system calls,
// its own _start. On every CPU it may run on it
//   a. reads CPUID leaf 0x40000000: EBX, ECX, EDX must spell "wispwispwisp";
//   b. makes hypercall 3 (PROTECTED_PROBE, VMMCALL with rax = 3): rax = 0, rbx = guest-physical
//      address of an 8-byte canary in wisp's own memory, rcx = its value as wisp reads it;
//   c. maps that page through /dev/mem and writes the complement of the canary to it;
//   d. makes hypercall 3 again: same address, the value wisp reads must be unchanged.
// Last line: "wisp-probe: PASS on N CPUs" (exit status 0) or "wisp-probe: FAIL: <reason>" (1).
// Usage: wisp-probe [EXPECTED_CPUS]: fewer CPUs in the affinity mask than EXPECTED_CPUS is a FAIL.

typedef unsigned long u64;
typedef unsigned int u32;
typedef long i64;

#define SYS_write 1
#define SYS_open 2
#define SYS_close 3
#define SYS_mmap 9
#define SYS_munmap 11
#define SYS_rt_sigaction 13
#define SYS_rt_sigreturn 15
#define SYS_sched_setaffinity 203
#define SYS_sched_getaffinity 204
#define SYS_exit_group 231
#define SYS_getcpu 309

#define O_RDWR 02
#define O_SYNC 04010000
#define PROT_READ 1
#define PROT_WRITE 2
#define MAP_SHARED 1
#define SA_RESTORER 0x04000000
#define SIGILL 4
#define SIGBUS 7
#define SIGSEGV 11

#define HYPERCALL_PROTECTED_PROBE 3
#define HYPERCALL_EXIT_STATS 2                  // rbx = exit reason (docs/architecture.md): rax = count
#define REASON_CPUID 1
#define REASON_HYPERCALL 6
#define REASON_MEMORY_FAULT 7
#include "abi.h"                       /* WISP_SIGNATURE: out/gen/abi.h, from as-src/abi.ts */
#define MASK_BYTES 128

static i64 syscall6(i64 n, i64 a, i64 b, i64 c, i64 d, i64 e, i64 f) {
  i64 ret;
  register i64 r10 __asm__("r10") = d;
  register i64 r8 __asm__("r8") = e;
  register i64 r9 __asm__("r9") = f;
  __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9) : "rcx", "r11", "memory");
  return ret;
}
#define syscall3(n, a, b, c) syscall6((n), (i64)(a), (i64)(b), (i64)(c), 0, 0, 0)

// _start: the kernel leaves argc, argv[], envp[] at rsp (System V x86-64 ABI, 3.4.1).
__asm__(".text\n.globl _start\n_start:\n  xor %ebp, %ebp\n  mov %rsp, %rdi\n  and $-16, %rsp\n  call probe_main\n  hlt\n"
        ".globl probe_sigreturn\nprobe_sigreturn:\n  mov $15, %eax\n  syscall\n  hlt\n");
void probe_sigreturn(void);

// ---- output ----

static char line[512];
static u32 used;

static void put(const char *s) {
  while (*s && used < sizeof line - 1) line[used++] = *s++;
}

static void put_hex(u64 v) {
  char buf[19];
  int n = 0;
  buf[n++] = '0';
  buf[n++] = 'x';
  int shift = 60;
  while (shift > 0 && ((v >> shift) & 0xf) == 0) shift -= 4;
  for (; shift >= 0; shift -= 4) buf[n++] = "0123456789abcdef"[(v >> shift) & 0xf];
  buf[n] = 0;
  put(buf);
}

static void put_dec(u64 v) {
  char buf[21];
  int n = 20;
  buf[n] = 0;
  do { buf[--n] = (char)('0' + v % 10); v /= 10; } while (v);
  put(buf + n);
}

static void flush(void) {
  line[used++] = '\n';
  for (u32 done = 0; done < used;) {
    i64 r = syscall3(SYS_write, 1, line + done, used - done);
    if (r <= 0) break;
    done += (u32)r;
  }
  used = 0;
}

static __attribute__((noreturn)) void finish(int status) {
  syscall3(SYS_exit_group, status, 0, 0);
  for (;;) __asm__ volatile("hlt");
}

/** Ends the line being built (if any), prints "wisp-probe: FAIL: <reason>" and exits with 1. */
static __attribute__((noreturn)) void fail(const char *reason) {
  if (used) flush();
  put("wisp-probe: FAIL: ");
  put(reason);
  flush();
  finish(1);
}

static __attribute__((noreturn)) void fail_errno(const char *what, i64 err) {
  if (used) flush();
  put("wisp-probe: FAIL: ");
  put(what);
  put(" failed with errno ");
  put_dec((u64)-err);
  flush();
  finish(1);
}

// ---- a fatal signal says where it happened ----

static const char *stage = "start";

static void on_signal(int sig) {
  if (used) flush();
  put("wisp-probe: FAIL: ");
  put(sig == SIGILL ? "SIGILL" : sig == SIGBUS ? "SIGBUS" : "SIGSEGV");
  put(" while ");
  put(stage);
  flush();
  finish(1);
}

struct kernel_sigaction { void (*handler)(int); u64 flags; void (*restorer)(void); u64 mask; };

static void catch_signals(void) {
  static const int sigs[] = { SIGILL, SIGBUS, SIGSEGV };
  for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
    struct kernel_sigaction sa = { on_signal, SA_RESTORER, probe_sigreturn, 0 };
    syscall6(SYS_rt_sigaction, sigs[i], (i64)&sa, 0, 8, 0, 0);
  }
}

// ---- the checks ----

static void cpuid(u32 leaf, u32 *a, u32 *b, u32 *c, u32 *d) {
  __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

struct probe { u64 status, address, value; };

/** Hypercall 3: VMMCALL (0F 01 D9) with rax = 3; wisp answers in rax, rbx, rcx. */
static struct probe protected_probe(void) {
  u64 a = HYPERCALL_PROTECTED_PROBE, b = 0, c = 0, d = 0;
  __asm__ volatile(".byte 0x0f, 0x01, 0xd9" : "+a"(a), "+b"(b), "+c"(c), "+d"(d) : : "memory");
  struct probe p = { a, b, c };
  return p;
}

/** Hypercall 2: how many exits of this reason this CPU's instance of wisp's core has handled. */
static u64 exit_count(u64 reason) {
  u64 a = HYPERCALL_EXIT_STATS, b = reason, c = 0, d = 0;
  __asm__ volatile(".byte 0x0f, 0x01, 0xd9" : "+a"(a), "+b"(b), "+c"(c), "+d"(d) : : "memory");
  return a;
}

static void put_signature(u32 b, u32 c, u32 d) {
  u32 regs[3] = { b, c, d };
  char s[13];
  for (int i = 0; i < 12; i++) {
    char ch = (char)(regs[i / 4] >> (8 * (i % 4)));
    s[i] = ch >= 0x20 && ch < 0x7f && ch != '"' ? ch : '?';
  }
  s[12] = 0;
  put("\"");
  put(s);
  put("\"");
}

/** The checks on the CPU the probe now runs on; prints its line or fails. */
static void check_cpu(u64 cpu) {
  put("wisp-probe: cpu ");
  put_dec(cpu);
  put(": cpuid ");
  u32 a, b, c, d;
  stage = "reading CPUID 0x40000000";
  cpuid(0x40000000u, &a, &b, &c, &d);
  put_signature(b, c, d);
  if (b != WISP_SIGNATURE || c != WISP_SIGNATURE || d != WISP_SIGNATURE) fail("CPUID 0x40000000 does not say \"wispwispwisp\": wisp is not running under this OS");

  stage = "making hypercall 3 (VMMCALL)";
  struct probe before = protected_probe();
  if (before.status != 0) {
    put(", hypercall 3 returned rax=");
    put_hex(before.status);
    fail("hypercall 3 (protected probe) failed");
  }
  put(", canary ");
  put_hex(before.value);
  put(" at ");
  put_hex(before.address);

  if ((before.address & 0xfff) > 0xff8) fail("the canary crosses a page boundary");
  stage = "opening /dev/mem";
  i64 fd = syscall3(SYS_open, "/dev/mem", O_RDWR | O_SYNC, 0);
  if (fd < 0) fail_errno("open(\"/dev/mem\", O_RDWR|O_SYNC)", fd);
  u64 page = before.address & ~0xfffUL;
  stage = "mapping the canary's page through /dev/mem";
  i64 map = syscall6(SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (i64)page);
  if (map < 0 && map > -4096) fail_errno("mmap of the canary's page from /dev/mem", map);
  volatile u64 *canary = (volatile u64 *)(map + (i64)(before.address & 0xfff));
  u64 written = ~before.value;
  stage = "writing the canary through /dev/mem";
  *canary = written;
  stage = "reading the canary back through /dev/mem";
  u64 read_back = *canary;
  syscall3(SYS_munmap, map, 4096, 0);
  syscall3(SYS_close, fd, 0, 0);
  put(": write ");
  put_hex(written);

  stage = "making hypercall 3 (VMMCALL) again";
  struct probe after = protected_probe();
  if (after.status != 0) {
    put(", hypercall 3 returned rax=");
    put_hex(after.status);
    fail("hypercall 3 (protected probe) failed after the write");
  }
  if (after.address != before.address) {
    put(", canary now at ");
    put_hex(after.address);
    fail("hypercall 3 reported another canary address the second time");
  }
  if (after.value != before.value) {
    put(" reached wisp's memory: the canary is now ");
    put_hex(after.value);
    fail("the guest's write through /dev/mem changed wisp's canary: wisp's memory is not protected");
  }
  put(" ignored (read back ");
  put_hex(read_back);
  put(")");
  flush();
  // For the record (npx wisp bench --only bluepill): what this CPU has cost in exits since wisp
  // took it over, firmware and Linux boot included.
  put("wisp-probe: cpu ");
  put_dec(cpu);
  put(": exits so far: cpuid ");
  put_dec(exit_count(REASON_CPUID));
  put(", memory fault ");
  put_dec(exit_count(REASON_MEMORY_FAULT));
  put(", hypercall ");
  put_dec(exit_count(REASON_HYPERCALL));
  flush();
}

static u64 parse_dec(const char *s) {
  u64 v = 0;
  for (; *s >= '0' && *s <= '9'; s++) v = v * 10 + (u64)(*s - '0');
  return v;
}

void __attribute__((used, noreturn)) probe_main(i64 *sp) {
  i64 argc = sp[0];
  char **argv = (char **)(sp + 1);
  u64 expected = argc > 1 ? parse_dec(argv[1]) : 0;
  catch_signals();

  static u64 mask[MASK_BYTES / 8];
  i64 bytes = syscall3(SYS_sched_getaffinity, 0, MASK_BYTES, mask);
  if (bytes < 0) fail_errno("sched_getaffinity", bytes);
  u64 count = 0;
  for (i64 w = 0; w < bytes / 8; w++) count += (u64)__builtin_popcountl(mask[w]);
  if (count < expected) {
    put("wisp-probe: only ");
    put_dec(count);
    put(" CPUs in the affinity mask, ");
    put_dec(expected);
    put(" expected");
    fail("fewer CPUs than expected");
  }

  u64 checked = 0;
  for (u64 cpu = 0; cpu < (u64)bytes * 8; cpu++) {
    if (!(mask[cpu / 64] >> (cpu % 64) & 1)) continue;
    static u64 one[MASK_BYTES / 8];
    for (unsigned w = 0; w < MASK_BYTES / 8; w++) one[w] = 0;
    one[cpu / 64] = 1UL << (cpu % 64);
    i64 r = syscall3(SYS_sched_setaffinity, 0, MASK_BYTES, one);
    if (r < 0) fail_errno("sched_setaffinity", r);
    u32 now = ~0u;
    r = syscall3(SYS_getcpu, &now, 0, 0);
    if (r < 0) fail_errno("getcpu", r);
    if (now != cpu) {
      put("wisp-probe: pinned to cpu ");
      put_dec(cpu);
      put(" but running on cpu ");
      put_dec(now);
      fail("could not move to the CPU");
    }
    check_cpu(cpu);
    checked++;
  }
  put("wisp-probe: PASS on ");
  put_dec(checked);
  put(" CPUs");
  flush();
  finish(0);
}
