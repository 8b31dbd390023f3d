// invd.S: hostile case: INVD at CPL 0. On hardware a guest's INVD would throw away dirty cache
// lines of wisp and of every other VM; wisp intercepts it (under SVM too, where nothing did) and
// writes the caches back instead (WBINVD), which keeps all INVD promises the guest. Checks (the
// first failed code goes to the debug-exit port, 0: all passed):
//   1  INVD completes: execution goes on after it, and a value stored just before reads back
//   2  ... and it was wisp's to handle: EXIT_STATS(WBINVD) = 1 (INVD and WBINVD share the reason)
//   0x80 + n: unexpected exception n
//
// Memory: image at 0x1000, stack below 0x80000 (the VM has 2 MiB).

#define GUEST_BITS          32
#include "layout.S"
#include "x86.S"
#include "wisp-abi.S"
#include "report.S"
#include "exceptions.S"
#include "flat32.S"
#include "cpu-state.inc"

        GUEST_START .code32
        ENTER_FLAT32
        INSTALL_IDT

        CHECK 1, check_invd_completes, name_invd_completes
        CHECK 2, check_invd_exit, name_invd_exit
        jmp finish

check_invd_completes:
        movl $0x1dbd0c0d, marker
        invd
        cmpl $0x1dbd0c0d, marker
        ret

check_invd_exit:
        movl $HC_EXIT_STATS, %eax
        movl $EXIT_WBINVD, %ebx
        vmmcall
        cmpl $1, %eax
        ret

        CPU_STATE_DATA
marker:              .long 0
name_invd_completes: .asciz "invd completes, memory kept"
name_invd_exit:      .asciz "invd exits to wisp"
