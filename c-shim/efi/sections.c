// The one-file appliance: wisp's own PE image, as the firmware loaded it, read back through
// EFI_LOADED_IMAGE_PROTOCOL (UEFI spec 9.1: ImageBase, ImageSize). The loader has copied the headers
// to ImageBase and each section to ImageBase + VirtualAddress (zero-filled to VirtualSize), so every
// section is read in memory, every offset checked against ImageSize. Layout written by image/pack.ts;
// the mapping is in docs/deployment.md. Nothing here looks inside a configuration or a guest image:
// the core parses those in its sandbox.
#include "efi/sections.h"
#include "host/console.h"

// Microsoft PE Format (PE/COFF specification), section numbers of the 2024 revision.
#define DOS_MAGIC 0x5A4D                        // "MZ"; 2: MS-DOS stub
#define DOS_LFANEW 0x3C                         // 2: file offset of the PE signature
#define PE_SIGNATURE 0x00004550                 // "PE\0\0"; 3.2 Signature
#define COFF_HEADER_BYTES 20                    // 3.3 COFF File Header
#define COFF_SECTION_COUNT 2
#define COFF_OPTIONAL_SIZE 16
#define SECTION_HEADER_BYTES 40                 // 4 Section Table
#define SH_VIRTUAL_SIZE 8
#define SH_VIRTUAL_ADDRESS 12
#define MAX_SECTIONS 96                         // the Windows loader's limit; pack.ts keeps to it

// .wimgN header (image/pack.ts): "WIMG", u32 name length, u64 data length, u32 CRC-32 of the data,
// u32 0, the name, zero padding to 8 bytes, the data.
#define WIMG_MAGIC 0x474D4957u                  // "WIMG"
#define WIMG_HEADER 24
#define NAME_MAX 128                            // the core's IMAGE_NAME_CAP (as-src/vm/config.ts)

struct section { char name[8]; const uint8_t *data; uint64_t size; int checked; };

static struct section sections[MAX_SECTIONS];
static uint32_t section_count;
static const struct section *config_section;

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { return rd16(p) | (uint32_t)rd16(p + 2) << 16; }
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

static int named(const struct section *s, const char *name) {
    for (int i = 0; i < 8; i++) {
        if (s->name[i] != name[i]) return 0;
        if (!name[i]) return 1;
    }
    return 1;
}

static int is_wimg(const struct section *s) {
    return s->name[0] == '.' && s->name[1] == 'w' && s->name[2] == 'i' && s->name[3] == 'm' && s->name[4] == 'g';
}

static void say_section(const struct section *s) {
    con_str("wisp: appliance: section ");
    uint64_t n = 0;
    while (n < 8 && s->name[n]) n++;
    wisp_console_write(s->name, n);
}

static int image_sections(const uint8_t *base, uint64_t size) {
    if (size < DOS_LFANEW + 4 || rd16(base) != DOS_MAGIC) return 0;
    uint64_t pe = rd32(base + DOS_LFANEW);
    if (pe + 4 + COFF_HEADER_BYTES > size || rd32(base + pe) != PE_SIGNATURE) return 0;
    const uint8_t *coff = base + pe + 4;
    uint32_t n = rd16(coff + COFF_SECTION_COUNT);
    uint64_t table = pe + 4 + COFF_HEADER_BYTES + rd16(coff + COFF_OPTIONAL_SIZE);
    if (n > MAX_SECTIONS || table + (uint64_t)n * SECTION_HEADER_BYTES > size) return 0;
    section_count = 0;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *h = base + table + (uint64_t)i * SECTION_HEADER_BYTES;
        uint64_t va = rd32(h + SH_VIRTUAL_ADDRESS), vsize = rd32(h + SH_VIRTUAL_SIZE);
        if (va + vsize > size) return 0;        // not within what the loader mapped
        struct section *s = &sections[section_count++];
        for (int k = 0; k < 8; k++) s->name[k] = (char)h[k];
        s->data = base + va;
        s->size = vsize;
        s->checked = 0;
    }
    return 1;
}

int sections_open(efi_handle image) {
    efi_loaded_image *loaded;
    config_section = 0;
    if (efi_bs->handle_protocol(image, &efi_loaded_image_guid, (void **)&loaded)) return 0;
    if (!image_sections((const uint8_t *)loaded->image_base, loaded->image_size)) {
        con_str("wisp: cannot read the section table of wisp's own image; no appliance sections\n");
        return 0;
    }
    uint32_t images = 0;
    for (uint32_t i = 0; i < section_count; i++) {
        if (named(&sections[i], ".wispcfg")) config_section = &sections[i];
        else if (named(&sections[i], ".linux") || named(&sections[i], ".initrd") || is_wimg(&sections[i])) images++;
    }
    if (!config_section) return 0;
    con_str("wisp: appliance: configuration and ");
    con_dec(images);
    con_str(" image sections from wisp's own image; no file system used\n");
    return 1;
}

int sections_active(void) { return config_section != 0; }

static uint32_t crc32(const uint8_t *p, uint64_t n) {
    static uint32_t table[256];                 // ISO 3309 CRC-32, reflected 0xEDB88320 (as image/crc32.ts)
    if (!table[1])
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
    uint32_t c = 0xFFFFFFFFu;
    for (uint64_t i = 0; i < n; i++) c = table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

// The .wimgN section holding `name`: 1 and its data, 0 not there, -1 there but unusable (said why).
static int wimg_lookup(const char *name, uint64_t name_len, const uint8_t **data, uint64_t *size, int verify) {
    for (uint32_t i = 0; i < section_count; i++) {
        struct section *s = &sections[i];
        if (!is_wimg(s) || s->size < WIMG_HEADER || rd32(s->data) != WIMG_MAGIC) continue;
        uint64_t len = rd32(s->data + 4);
        if (len != name_len || len > NAME_MAX || WIMG_HEADER + len > s->size) continue;
        uint64_t k = 0;
        while (k < len && s->data[WIMG_HEADER + k] == (uint8_t)name[k]) k++;
        if (k != len) continue;
        uint64_t start = (WIMG_HEADER + len + 7) & ~7ull, bytes = rd64(s->data + 8);
        if (start > s->size || bytes > s->size - start) {
            say_section(s);
            con_str(" (");
            wisp_console_write(name, name_len);
            con_str(") is truncated: its header announces ");
            con_dec(bytes);
            con_str(" bytes, it holds ");
            con_dec(s->size > start ? s->size - start : 0);
            con_nl();
            return -1;
        }
        if (verify && !s->checked) {
            if (crc32(s->data + start, bytes) != rd32(s->data + 16)) {
                say_section(s);
                con_str(" (");
                wisp_console_write(name, name_len);
                con_str(") is corrupt: its CRC-32 does not match its contents\n");
                return -1;
            }
            s->checked = 1;
        }
        *data = s->data + start;
        *size = bytes;
        return 1;
    }
    return 0;
}

static const struct section *by_name(const char *name) {
    for (uint32_t i = 0; i < section_count; i++) if (named(&sections[i], name)) return &sections[i];
    return 0;
}

static void say_missing(const char *name, uint64_t name_len) {
    con_str("wisp: appliance: no section holds ");
    wisp_console_write(name, name_len);
    con_str(" (a .wimgN section with that name is missing or its header is damaged)\n");
}

efi_status sections_read(const char *name, uint64_t name_len, void *buf, uint64_t max, uint64_t *size) {
    const uint8_t *data;
    uint64_t bytes;
    *size = 0;
    static const char cfg[] = "wisp.cfg";
    int is_cfg = name_len == sizeof cfg - 1;
    for (uint64_t i = 0; is_cfg && i < name_len; i++) is_cfg = name[i] == cfg[i];
    if (is_cfg) {
        data = config_section->data;
        bytes = config_section->size;
    } else {
        int r = wimg_lookup(name, name_len, &data, &bytes, 0);
        if (r == 0) say_missing(name, name_len);
        if (r != 1) return r == 0 ? EFI_NOT_FOUND : EFI_ERR(27);    // EFI_CRC_ERROR (UEFI spec Appendix D)
    }
    *size = bytes;
    if (bytes > max) return EFI_BUFFER_TOO_SMALL;
    if (!is_cfg && wimg_lookup(name, name_len, &data, &bytes, 1) != 1) return EFI_ERR(27);
    uint8_t *dst = buf;
    for (uint64_t i = 0; i < bytes; i++) dst[i] = data[i];
    return EFI_SUCCESS;
}

int sections_find(const char *name, uint64_t name_len, uint32_t role, const uint8_t **data, uint64_t *size) {
    int r = wimg_lookup(name, name_len, data, size, 1);
    if (r != 0) return r == 1;
    const struct section *s = role == ROLE_KERNEL ? by_name(".linux") : role == ROLE_INITRD ? by_name(".initrd") : 0;
    if (!s) {
        say_missing(name, name_len);
        return 0;
    }
    if (s->size == 0) {
        say_section(s);
        con_str(" is empty\n");
        return 0;
    }
    *data = s->data;                            // raw, as in a Unified Kernel Image: the core's loader checks it
    *size = s->size;
    return 1;
}
