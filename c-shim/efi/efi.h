// The few UEFI types wisp uses (UEFI spec 2.10). Only the members we call are typed; the rest
// are placeholders that keep the offsets right. Built for x86_64-windows: EFIAPI is the default ABI.
#pragma once
#include <stdint.h>

typedef uint64_t efi_status;
typedef void *efi_handle;
typedef uint16_t char16;

#define EFI_SUCCESS 0
#define EFI_ERR(n) (0x8000000000000000ull | (n))     // UEFI spec Appendix D, high bit = error
#define EFI_INVALID_PARAMETER EFI_ERR(2)             // UEFI spec Appendix D
#define EFI_BUFFER_TOO_SMALL EFI_ERR(5)              // UEFI spec Appendix D
#define EFI_NOT_FOUND EFI_ERR(14)                    // UEFI spec Appendix D

typedef struct { uint32_t a; uint16_t b, c; uint8_t d[8]; } efi_guid;

typedef struct {
    uint64_t signature;
    uint32_t revision, header_size, crc32, reserved;
} efi_table_header;                                  // UEFI spec 4.2

enum { EFI_ALLOCATE_ANY_PAGES = 0 };                 // UEFI spec 7.2 EFI_ALLOCATE_TYPE
enum { EFI_RESERVED_MEMORY_TYPE = 0, EFI_LOADER_DATA = 2 };   // UEFI spec 7.2 EFI_MEMORY_TYPE

typedef struct {
    uint32_t type;
    uint64_t physical_start;
    uint64_t virtual_start;
    uint64_t number_of_pages;
    uint64_t attribute;
} efi_memory_descriptor;                             // UEFI spec 7.2 GetMemoryMap()

typedef efi_status (*efi_fn)(void);                  // a slot we never call

typedef struct {
    efi_table_header hdr;
    efi_fn raise_tpl, restore_tpl;
    efi_status (*allocate_pages)(int type, int memory_type, uint64_t pages, uint64_t *memory);
    efi_status (*free_pages)(uint64_t memory, uint64_t pages);
    efi_status (*get_memory_map)(uint64_t *size, efi_memory_descriptor *map, uint64_t *key,
                                 uint64_t *descriptor_size, uint32_t *descriptor_version);
    efi_fn allocate_pool, free_pool;
    efi_fn create_event, set_timer, wait_for_event, signal_event, close_event, check_event;
    efi_fn install_protocol_interface, reinstall_protocol_interface, uninstall_protocol_interface;
    efi_status (*handle_protocol)(efi_handle handle, const efi_guid *protocol, void **interface);
    void *reserved;
    efi_fn register_protocol_notify, locate_handle, locate_device_path, install_configuration_table;
    efi_fn load_image, start_image, exit, unload_image;
    efi_status (*exit_boot_services)(efi_handle image, uint64_t map_key);
    efi_fn get_next_monotonic_count;
    efi_status (*stall)(uint64_t microseconds);
    efi_status (*set_watchdog_timer)(uint64_t timeout, uint64_t code, uint64_t size, char16 *data);
    efi_fn connect_controller, disconnect_controller;
    efi_fn open_protocol, close_protocol, open_protocol_information;
    efi_fn protocols_per_handle, locate_handle_buffer;
    efi_status (*locate_protocol)(const efi_guid *protocol, void *registration, void **interface);
    // ... InstallMultipleProtocolInterfaces and later: unused
} efi_boot_services;                                 // UEFI spec 4.4 EFI_BOOT_SERVICES

typedef struct {
    efi_table_header hdr;
    char16 *firmware_vendor;
    uint32_t firmware_revision;
    efi_handle console_in_handle;
    void *con_in;
    efi_handle console_out_handle;
    void *con_out;
    efi_handle standard_error_handle;
    void *std_err;
    void *runtime_services;
    efi_boot_services *boot_services;
    uint64_t number_of_table_entries;
    void *configuration_table;
} efi_system_table;                                  // UEFI spec 4.3 EFI_SYSTEM_TABLE

typedef struct {
    uint32_t revision;
    efi_handle parent_handle;
    efi_system_table *system_table;
    efi_handle device_handle;
    void *file_path;
    void *reserved;
    uint32_t load_options_size;
    void *load_options;
    void *image_base;
    uint64_t image_size;
    uint32_t image_code_type, image_data_type;
    efi_fn unload;
} efi_loaded_image;                                  // UEFI spec 9.1 EFI_LOADED_IMAGE_PROTOCOL

typedef struct efi_file efi_file;
struct efi_file {
    uint64_t revision;
    efi_status (*open)(efi_file *self, efi_file **out, const char16 *name, uint64_t mode,
                       uint64_t attributes);
    efi_status (*close)(efi_file *self);
    efi_fn delete_;
    efi_status (*read)(efi_file *self, uint64_t *size, void *buffer);
    efi_fn write;
    efi_status (*get_position)(efi_file *self, uint64_t *position);
    efi_status (*set_position)(efi_file *self, uint64_t position);
};                                                   // UEFI spec 13.5 EFI_FILE_PROTOCOL

#define EFI_FILE_MODE_READ 1ull                      // UEFI spec 13.5 EFI_FILE_PROTOCOL.Open()
#define EFI_FILE_POSITION_END 0xFFFFFFFFFFFFFFFFull  // UEFI spec 13.5 SetPosition(): end of file

typedef struct {
    uint64_t revision;
    efi_status (*open_volume)(void *self, efi_file **root);
} efi_simple_file_system;                            // UEFI spec 13.4

// EFI_MP_SERVICES_PROTOCOL (UEFI PI spec 1.7, vol. 2, 13.4): run a procedure on every other CPU.
typedef struct {
    uint64_t processor_id;                           // the local APIC ID
    uint32_t status_flag;                            // bit 0 BSP, bit 1 enabled, bit 2 healthy
    uint32_t package, core, thread;
    uint32_t extended[6];                            // PI 1.7 ExtendedInformation (CPU_V2_EXTENDED_TOPOLOGY only)
} efi_processor_information;
#define EFI_PROCESSOR_ENABLED (1u << 1)              // PI spec vol. 2, 13.4.3 StatusFlag

typedef struct efi_mp_services efi_mp_services;
typedef void (*efi_ap_procedure)(void *argument);
struct efi_mp_services {
    efi_status (*get_number_of_processors)(efi_mp_services *self, uint64_t *processors, uint64_t *enabled);
    efi_status (*get_processor_info)(efi_mp_services *self, uint64_t number, efi_processor_information *info);
    efi_status (*startup_all_aps)(efi_mp_services *self, efi_ap_procedure procedure, uint8_t single_thread,
                                  void *wait_event, uint64_t timeout_us, void *argument, uint64_t **failed);
    efi_fn startup_this_ap, switch_bsp, enable_disable_ap;
    efi_status (*who_am_i)(efi_mp_services *self, uint64_t *number);
};

extern const efi_guid efi_mp_services_guid;
extern const efi_guid efi_loaded_image_guid;
extern const efi_guid efi_simple_file_system_guid;

// Set by efi_main; cleared (NULL) once boot services are gone.
extern efi_boot_services *efi_bs;
