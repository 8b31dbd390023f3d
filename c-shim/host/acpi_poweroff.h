// ACPI soft-off (S5) of the host machine: tables found before ExitBootServices, used after.
#pragma once
#include "efi/efi.h"
int acpi_poweroff_prepare(const efi_system_table *st);   // 1: S5 is possible
void acpi_poweroff(void);                                 // returns only if the machine stayed on
