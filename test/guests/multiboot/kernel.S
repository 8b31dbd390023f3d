// A Multiboot v1 test kernel (ELF32, entered in 32-bit protected mode by wisp's loader). It checks
// what the loader hands over and reports each check on the UART ("<check> ok" / "FAIL <check>"),
// then writes the code of the first failed check (0: all passed) to the debug-exit port 0xF4:
//   1  EAX holds the boot loader magic 0x2BADB002
//   2  the information flags have mem_*, cmdline, mods and mmap (bits 0, 2, 3, 6)
//   3  the memory map has an available entry starting at 1 MiB, and mem_upper agrees with it
//   4  the command line contains "answer=42"
//   5  one module, page-aligned, whose bytes start with "WISPMOD1"
//   6  the module's string is "multiboot-module.txt greeting"
// It also prints the command line, the module string and the RAM above 1 MiB in KiB.
// Build: see README.md beside this file.

        .set MB_MAGIC, 0x1BADB002
        .set MB_FLAGS, 0x00000003               // page-align modules, memory information
        .set COM1, 0x3F8
        .set DEBUG_EXIT, 0xF4

        .section .multiboot, "a"
        .balign 4
        .long MB_MAGIC
        .long MB_FLAGS
        .long -(MB_MAGIC + MB_FLAGS)

        .text
        .code32
        .globl start
start:
        cli
        movl $stack_top, %esp
        movl %eax, saved_eax
        movl %ebx, mbi

        movl $msg_hello, %esi
        call puts

        // 1: the magic
        movl $1, %ecx
        cmpl $0x2BADB002, saved_eax
        call report

        // 2: flags
        movl mbi, %ebx
        movl (%ebx), %eax
        andl $0x4D, %eax
        movl $2, %ecx
        cmpl $0x4D, %eax
        call report

        // 3: memory map entry at 1 MiB, type 1, length/1024 == mem_upper
        movl mbi, %ebx
        movl 48(%ebx), %esi                     // mmap_addr
        movl 44(%ebx), %edi                     // mmap_length
        addl %esi, %edi
        xorl %edx, %edx                         // KiB found
3:      cmpl %edi, %esi
        jae 4f
        cmpl $0x100000, 4(%esi)                 // base_addr low
        jne 5f
        cmpl $0, 8(%esi)                        // base_addr high
        jne 5f
        cmpl $1, 20(%esi)                       // type: available
        jne 5f
        movl 12(%esi), %edx                     // length low
        shrl $10, %edx
5:      addl (%esi), %esi                       // size field does not count itself
        addl $4, %esi
        jmp 3b
4:      movl %edx, ram_kib
        movl $3, %ecx
        testl %edx, %edx
        jnz 6f
        cmpl $1, %ecx                           // no such entry: ZF clear, the check fails
        jmp 8f
6:      cmpl 8(%ebx), %edx                      // mem_upper
8:      call report
        movl $msg_ram, %esi
        call puts
        movl ram_kib, %eax
        call put_decimal
        movl $msg_kib, %esi
        call puts

        // 4: command line contains "answer=42"
        movl mbi, %ebx
        movl $msg_cmdline, %esi
        call puts
        movl 16(%ebx), %esi
        call puts
        call newline
        movl 16(%ebx), %esi
        movl $str_answer, %edi
        call contains
        movl $4, %ecx
        cmpl $1, %eax
        call report

        // 5: one module, page-aligned, starting with "WISPMOD1"
        movl mbi, %ebx
        movl $5, %ecx
        cmpl $1, 20(%ebx)                       // mods_count
        jne 7f
        movl 24(%ebx), %edx                     // mods_addr
        movl (%edx), %esi                       // mod_start
        testl $0xFFF, %esi
        jnz 7f
        movl $str_modmagic, %edi
        movl $8, %ecx
        cld
        repe cmpsb
        movl $5, %ecx
7:      call report

        // 6: the module string
        movl mbi, %ebx
        movl 24(%ebx), %edx
        movl $msg_module, %esi
        call puts
        movl 8(%edx), %esi
        call puts
        call newline
        movl 8(%edx), %esi
        movl $str_modstring, %edi
        call strequal
        movl $6, %ecx
        cmpl $1, %eax
        call report

        movl $msg_done, %esi
        call puts
        movl first_failure, %eax
        outl %eax, $DEBUG_EXIT
1:      hlt
        jmp 1b

// report: the result of check %ecx, ZF set = passed (the caller compares just before the call).
// Prints it; remembers the first failure.
report:
        jz 2f
        movl $msg_fail, %esi
        call puts
        cmpl $0, first_failure
        jne 1f
        movl %ecx, first_failure
1:      movl %ecx, %eax
        call put_decimal
        call newline
        ret
2:      movl %ecx, %eax
        call put_decimal
        movl $msg_ok, %esi
        call puts
        ret

// contains: 1 in %eax if the NUL-terminated string at %esi contains the one at %edi.
contains:
        pushl %esi
1:      cmpb $0, (%esi)
        je 3f
        pushl %esi
        pushl %edi
2:      movb (%edi), %al
        testb %al, %al
        jz 4f
        cmpb (%esi), %al
        jne 5f
        incl %esi
        incl %edi
        jmp 2b
4:      popl %edi
        popl %esi
        popl %esi
        movl $1, %eax
        ret
5:      popl %edi
        popl %esi
        incl %esi
        jmp 1b
3:      popl %esi
        xorl %eax, %eax
        ret

// strequal: 1 in %eax if the strings at %esi and %edi are equal.
strequal:
1:      movb (%esi), %al
        cmpb (%edi), %al
        jne 2f
        testb %al, %al
        jz 3f
        incl %esi
        incl %edi
        jmp 1b
2:      xorl %eax, %eax
        ret
3:      movl $1, %eax
        ret

// puts: the NUL-terminated string at %esi to COM1 (preserves %esi's caller copy: clobbers %esi, %eax).
puts:
        pushl %edx
1:      movb (%esi), %al
        testb %al, %al
        jz 2f
        movw $COM1, %dx
        outb %al, %dx
        incl %esi
        jmp 1b
2:      popl %edx
        ret

newline:
        pushl %esi
        movl $str_newline, %esi
        call puts
        popl %esi
        ret

// put_decimal: %eax in decimal.
put_decimal:
        pushl %ebx
        pushl %ecx
        pushl %edx
        movl $10, %ebx
        xorl %ecx, %ecx
1:      xorl %edx, %edx
        divl %ebx
        pushl %edx
        incl %ecx
        testl %eax, %eax
        jnz 1b
2:      popl %eax
        addb $'0', %al
        movw $COM1, %dx
        outb %al, %dx
        loop 2b
        popl %edx
        popl %ecx
        popl %ebx
        ret

        .data
saved_eax:      .long 0
mbi:            .long 0
ram_kib:        .long 0
first_failure:  .long 0
msg_hello:      .asciz "multiboot test kernel\n"
msg_ram:        .asciz "RAM above 1 MiB: "
msg_kib:        .asciz " KiB\n"
msg_cmdline:    .asciz "cmdline: "
msg_module:     .asciz "module: "
msg_ok:         .asciz " ok\n"
msg_fail:       .asciz "FAIL "
msg_done:       .asciz "done\n"
str_newline:    .asciz "\n"
str_answer:     .asciz "answer=42"
str_modmagic:   .ascii "WISPMOD1"
str_modstring:  .asciz "multiboot-module.txt greeting"

        .bss
        .balign 16
        .space 4096
stack_top:
