// A Multiboot v1 test kernel, entered in 32-bit protected mode by the loader (Multiboot
// Specification 0.6.96, section 3.2). It checks what the loader hands over, prints what it found,
// reports each check on COM1 ("<check> ok" / "FAIL <check>", report.S) and ends through the
// debug-exit port 0xF4 with the code of the first failed check (0: all passed):
//   1  magic          EAX held the boot loader magic 0x2BADB002
//   2  info flags     the information flags have mem_*, cmdline, mods and mmap (bits 0, 2, 3, 6)
//   3  mmap           the memory map has an available entry starting at 1 MiB, mem_upper agrees
//   4  cmdline        the command line contains "answer=42"
//   5  module         one module, page-aligned, whose bytes start with "WISPMOD1"
//   6  module string  the module's string is "multiboot-module.txt greeting"
//   7  long mode      (64-bit build only) EFER.LMA reads 1: the checks ran in 64-bit mode
// What it prints besides: "mem_lower <KiB> mem_upper <KiB>", one "mmap <base> <length> <type>" line
// per map entry (hex, 16 digits), "cmdline: <text>", "module: <string>", "module size <bytes>",
// "module text: <the module's first line>".
//
// One source, three builds (build/guests.ts; README.md beside this file):
//   multiboot.elf       GUEST_BITS 32: an ELF32 i386 kernel
//   multiboot64.elf     GUEST_BITS 64: the kernel switches to long mode itself (long-mode.S) and runs
//                       its checks as 64-bit code; linked as ELF64 x86-64, then converted with
//                       `llvm-objcopy -O elf32-i386`, as many test kernels are
//   multiboot-aout.bin  AOUT_KLUDGE: a flat binary the loader places by the header's addresses
//                       (header flag 16, section 3.1.3), not by ELF headers
// All are linked at 1 MiB by kernel.ld; the header comes first in the file.

#ifndef GUEST_BITS
#define GUEST_BITS 32
#endif
#include "header.S"
#include "report.S"
#include "print.S"
#include "exit.S"
#include "flat32.S"
#if GUEST_BITS == 64
#include "long-mode.S"
#endif

// The Multiboot information (section 3.3): byte offsets of the fields used.
#define MBI_FLAGS           0
#define MBI_MEM_LOWER       4
#define MBI_MEM_UPPER       8
#define MBI_CMDLINE         16
#define MBI_MODS_COUNT      20
#define MBI_MODS_ADDR       24
#define MBI_MMAP_LENGTH     44
#define MBI_MMAP_ADDR       48
#define MBI_WANTED          0x4d        // bits 0 (mem_*), 2 (cmdline), 3 (mods), 6 (mmap)

        .text
        .code32
        .globl start
start:
        cli
        cld
        movl %eax, saved_magic          // before ENTER_* (they clobber EAX)
        movl %ebx, mbi
#if GUEST_BITS == 64
        ENTER_LONG_MODE                 // the 2 MiB it maps hold the kernel and its module
#else
        ENTER_FLAT32
#endif
        mov $text_hello, rSI
        call puts

        CHECK 1, check_magic, name_magic
        CHECK 2, check_flags, name_flags
        call print_memory
        CHECK 3, check_mmap, name_mmap
        call print_cmdline
        CHECK 4, check_cmdline, name_cmdline
        call print_module
        CHECK 5, check_module, name_module
        CHECK 6, check_module_string, name_module_string
#if GUEST_BITS == 64
        CHECK 7, check_long_mode, name_long_mode
#endif
        jmp finish

check_magic:
        cmpl $BOOTLOADER_MAGIC, saved_magic
        ret

check_flags:
        movl mbi, %ebx
        movl MBI_FLAGS(%ebx), %eax
        andl $MBI_WANTED, %eax
        cmpl $MBI_WANTED, %eax
        ret

// "mem_lower <KiB> mem_upper <KiB>", then one line per memory map entry.
print_memory:
        movl mbi, %ebx
        mov $text_mem_lower, rSI
        call puts
        movl MBI_MEM_LOWER(%ebx), %eax
        call put_decimal
        mov $text_mem_upper, rSI
        call puts
        movl MBI_MEM_UPPER(%ebx), %eax
        call put_decimal
        call put_newline
        movl MBI_MMAP_ADDR(%ebx), %edi
        movl MBI_MMAP_LENGTH(%ebx), %edx
        addl %edi, %edx
1:      cmpl %edx, %edi
        jae 2f
        mov $text_mmap, rSI
        call puts
        movl 8(%edi), %eax              // base_addr, high half first
        call put_hex32
        movl 4(%edi), %eax
        call put_hex32
        movb $' ', %al
        call putc
        movl 16(%edi), %eax             // length
        call put_hex32
        movl 12(%edi), %eax
        call put_hex32
        movb $' ', %al
        call putc
        movl 20(%edi), %eax             // type
        call put_decimal
        call put_newline
        addl (%edi), %edi               // size does not count itself
        addl $4, %edi
        jmp 1b
2:      ret

// ZF = 1 if an available entry starts at 1 MiB and its length in KiB is mem_upper.
check_mmap:
        movl mbi, %ebx
        movl MBI_MMAP_ADDR(%ebx), %esi
        movl MBI_MMAP_LENGTH(%ebx), %edi
        addl %esi, %edi
1:      cmpl %edi, %esi
        jae 3f
        cmpl $0x100000, 4(%esi)         // base_addr low
        jne 2f
        cmpl $0, 8(%esi)                // base_addr high
        jne 2f
        cmpl $1, 20(%esi)               // type: available RAM
        jne 2f
        movl 12(%esi), %eax             // length low
        shrl $10, %eax
        cmpl MBI_MEM_UPPER(%ebx), %eax
        ret
2:      addl (%esi), %esi
        addl $4, %esi
        jmp 1b
3:      cmpl $0, %esp                   // no such entry: ZF = 0
        ret

print_cmdline:
        movl mbi, %ebx
        mov $text_cmdline, rSI
        call puts
        movl MBI_CMDLINE(%ebx), %esi
        call puts
        call put_newline
        ret

check_cmdline:
        movl mbi, %ebx
        movl MBI_CMDLINE(%ebx), %esi
        mov $text_answer, rDI
        call contains
        ret

// "module: <string>", "module size <n>", "module text: <first line>" of the first module.
print_module:
        movl mbi, %ebx
        cmpl $0, MBI_MODS_COUNT(%ebx)
        je 3f
        movl MBI_MODS_ADDR(%ebx), %ebx
        mov $text_module, rSI
        call puts
        movl 8(%ebx), %esi              // string
        call puts
        call put_newline
        mov $text_module_size, rSI
        call puts
        movl 4(%ebx), %eax              // mod_end
        subl (%ebx), %eax               // - mod_start
        call put_decimal
        call put_newline
        mov $text_module_text, rSI
        call puts
        movl (%ebx), %esi
        movl 4(%ebx), %edx
1:      cmpl %edx, %esi
        jae 2f
        movb (%esi), %al
        cmpb $'\n', %al
        je 2f
        call putc
        incl %esi
        jmp 1b
2:      call put_newline
3:      ret

check_module:
        movl mbi, %ebx
        cmpl $1, MBI_MODS_COUNT(%ebx)
        jne 1f
        movl MBI_MODS_ADDR(%ebx), %edx
        movl (%edx), %esi               // mod_start
        testl $0xfff, %esi
        jnz 1f
        mov $text_module_magic, rDI
        mov $8, rCX
        repe cmpsb
1:      ret

check_module_string:
        movl mbi, %ebx
        cmpl $0, MBI_MODS_COUNT(%ebx)
        je 1f
        movl MBI_MODS_ADDR(%ebx), %edx
        movl 8(%edx), %esi
        mov $text_module_string, rDI
        call strequal
1:      ret

#if GUEST_BITS == 64
check_long_mode:
        movl $MSR_EFER, %ecx
        rdmsr
        testl $EFER_LMA, %eax
        jz 1f
        cmpl %eax, %eax                 // ZF = 1
        ret
1:      cmpl $0, %esp                   // ZF = 0
        ret
#endif

// contains: ZF = 1 if the C string at rSI contains the one at rDI. Clobbers rAX, rSI.
contains:
        push rDI
1:      push rSI
        push rDI
2:      movb (rDI), %al
        testb %al, %al
        jz 4f                           // all of the needle matched: ZF = 1
        cmpb (rSI), %al
        jne 3f
        inc rSI
        inc rDI
        jmp 2b
3:      pop rDI
        pop rSI
        cmpb $0, (rSI)
        je 5f
        inc rSI
        jmp 1b
4:      pop rDI
        pop rSI
        pop rDI
        cmpb %al, %al
        ret
5:      pop rDI
        cmpl $0, %esp                   // ZF = 0
        ret

// strequal: ZF = 1 if the C strings at rSI and rDI are equal. Clobbers rAX, rSI, rDI.
strequal:
1:      movb (rSI), %al
        cmpb (rDI), %al
        jne 2f
        testb %al, %al
        jz 2f
        inc rSI
        inc rDI
        jmp 1b
2:      ret

// put_hex32: EAX as 8 hex digits.
put_hex32:
        push rCX
        mov $4, rCX
1:      roll $8, %eax
        call put_hex8
        loop 1b
        pop rCX
        ret

        .data
saved_magic:            .long 0
mbi:                    .long 0
#if GUEST_BITS == 64
text_hello:             .asciz "multiboot test kernel, 64-bit checks\n"
#elif defined(AOUT_KLUDGE)
text_hello:             .asciz "multiboot test kernel, a.out kludge\n"
#else
text_hello:             .asciz "multiboot test kernel, 32-bit checks\n"
#endif
text_mem_lower:         .asciz "mem_lower "
text_mem_upper:         .asciz " mem_upper "
text_mmap:              .asciz "mmap "
text_cmdline:           .asciz "cmdline: "
text_module:            .asciz "module: "
text_module_size:       .asciz "module size "
text_module_text:       .asciz "module text: "
text_answer:            .asciz "answer=42"
text_module_magic:      .ascii "WISPMOD1"
text_module_string:     .asciz "multiboot-module.txt greeting"
name_magic:             .asciz "magic"
name_flags:             .asciz "info flags"
name_mmap:              .asciz "mmap"
name_cmdline:           .asciz "cmdline"
name_module:            .asciz "module"
name_module_string:     .asciz "module string"
name_long_mode:         .asciz "long mode"
