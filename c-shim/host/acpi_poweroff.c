// Powering the machine off the ACPI way (ACPI 6.5, 7.4.2.5 \_S5 Soft Off; 16.1.7 Transitioning
// from the Working to the Sleeping State): write SLP_TYPa from the DSDT's \_S5 package with SLP_EN
// to the FADT's PM1a control block. The tables are found before ExitBootServices, through the UEFI
// configuration table's ACPI 2.0 RSDP; afterwards only the two numbers are needed.
#include "host/acpi_poweroff.h"
#include "host/cpu.h"

// UEFI spec 4.6: EFI_ACPI_20_TABLE_GUID {8868E871-E4F1-11D3-BC22-0080C73C8881}
static const efi_guid acpi20_guid = {0x8868E871, 0xE4F1, 0x11D3, {0xBC, 0x22, 0x00, 0x80, 0xC7, 0x3C, 0x88, 0x81}};

struct efi_configuration_table { efi_guid guid; void *table; };   // UEFI spec 4.6

#define RSDP_REVISION 15                        // ACPI 6.5, 5.2.5.3 RSDP structure: u8 Revision
#define RSDP_RSDT 16                            // u32 RsdtAddress
#define RSDP_XSDT 24                            // u64 XsdtAddress (revision >= 2)
#define SDT_HEADER 36                           // ACPI 6.5, 5.2.6 system description table header
#define SDT_LENGTH 4                            // u32 Length
#define FADT_DSDT 40                            // ACPI 6.5, 5.2.9 Table 5.9: u32 DSDT
#define FADT_PM1A_CNT_BLK 64                    // u32 PM1a_CNT_BLK (system I/O port)
#define FADT_X_DSDT 140                         // u64 X_DSDT
#define FADT_X_PM1A_CNT_BLK 172                 // GAS (ACPI 6.5, 5.2.3.2): +0 space id, +4 address
#define GAS_SYSTEM_IO 1
#define SLP_TYP_SHIFT 10                        // ACPI 6.5, 4.8.4.2.1 Table 4.14 PM1 control: SLP_TYPx 12:10
#define SLP_EN (1u << 13)                       // SLP_EN
#define AML_PACKAGE_OP 0x12                     // ACPI 6.5, 20.2.5.4 DefPackage
#define AML_BYTE_PREFIX 0x0A                    // ACPI 6.5, 20.2.3 ByteConst
#define AML_ZERO_OP 0x00
#define AML_ONE_OP 0x01
#define MAX_TABLE (1u << 20)                    // sanity bound on a table's Length

static uint16_t pm1a_cnt_port;
static uint8_t slp_typa;
static int ready;

static int guid_eq(const efi_guid *a, const efi_guid *b) {
    const uint8_t *x = (const uint8_t *)a, *y = (const uint8_t *)b;
    for (unsigned i = 0; i < sizeof *a; i++) if (x[i] != y[i]) return 0;
    return 1;
}
static uint32_t rd32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }
static int sig(const uint8_t *t, const char *s) { return t[0] == s[0] && t[1] == s[1] && t[2] == s[2] && t[3] == s[3]; }
static uint32_t table_length(const uint8_t *t) {
    uint32_t n = t ? rd32(t + SDT_LENGTH) : 0;
    return n >= SDT_HEADER && n <= MAX_TABLE ? n : 0;
}

// The FADT ("FACP") from the XSDT (8-byte entries) or the RSDT (4-byte entries): ACPI 6.5, 5.2.7-5.2.8.
static const uint8_t *find_fadt(const uint8_t *rsdp) {
    int x = rsdp[RSDP_REVISION] >= 2 && rd64(rsdp + RSDP_XSDT);
    const uint8_t *sdt = x ? (const uint8_t *)rd64(rsdp + RSDP_XSDT) : (const uint8_t *)(uint64_t)rd32(rsdp + RSDP_RSDT);
    uint32_t len = table_length(sdt), entry = x ? 8 : 4;
    if (!len) return 0;
    for (uint32_t off = SDT_HEADER; off + entry <= len; off += entry) {
        const uint8_t *t = x ? (const uint8_t *)rd64(sdt + off) : (const uint8_t *)(uint64_t)rd32(sdt + off);
        if (t && sig(t, "FACP")) return t;
    }
    return 0;
}

// SLP_TYPa: the first element of the package named _S5_ (Name(_S5_, Package(){a, b, ...})).
static int find_s5(const uint8_t *dsdt, uint8_t *typ) {
    uint32_t len = table_length(dsdt);
    for (uint32_t i = SDT_HEADER; i + 4 + 8 <= len; i++) {
        const uint8_t *p = dsdt + i;
        if (!sig(p, "_S5_") || p[4] != AML_PACKAGE_OP) continue;
        p += 5;
        p += 1 + (p[0] >> 6);                   // PkgLength: bits 7:6 of the lead byte = extra bytes (20.2.4)
        p += 1;                                 // NumElements
        if (*p == AML_BYTE_PREFIX) *typ = p[1];
        else if (*p == AML_ZERO_OP || *p == AML_ONE_OP) *typ = *p;
        else return 0;
        return 1;
    }
    return 0;
}

int acpi_poweroff_prepare(const efi_system_table *st) {
    const struct efi_configuration_table *ct = st->configuration_table;
    const uint8_t *rsdp = 0;
    for (uint64_t i = 0; ct && i < st->number_of_table_entries; i++)
        if (guid_eq(&ct[i].guid, &acpi20_guid)) rsdp = ct[i].table;
    if (!rsdp || !sig(rsdp, "RSD ")) return 0;
    const uint8_t *fadt = find_fadt(rsdp);
    uint32_t flen = table_length(fadt);
    if (!flen || flen < FADT_PM1A_CNT_BLK + 4) return 0;
    uint32_t port = rd32(fadt + FADT_PM1A_CNT_BLK);
    if (!port && flen >= FADT_X_PM1A_CNT_BLK + 12 && fadt[FADT_X_PM1A_CNT_BLK] == GAS_SYSTEM_IO)
        port = (uint32_t)rd64(fadt + FADT_X_PM1A_CNT_BLK + 4);
    const uint8_t *dsdt = flen >= FADT_X_DSDT + 8 && rd64(fadt + FADT_X_DSDT)
                              ? (const uint8_t *)rd64(fadt + FADT_X_DSDT) : (const uint8_t *)(uint64_t)rd32(fadt + FADT_DSDT);
    if (!port || port > 0xFFFF || !dsdt || !sig(dsdt, "DSDT") || !find_s5(dsdt, &slp_typa)) return 0;
    pm1a_cnt_port = (uint16_t)port;
    ready = 1;
    return 1;
}

void acpi_poweroff(void) {
    if (!ready) return;
    outw(pm1a_cnt_port, (uint16_t)((slp_typa & 7u) << SLP_TYP_SHIFT | SLP_EN));
    for (int i = 0; i < 1000000; i++) pause();  // the machine goes away; if it does not, we return
}
