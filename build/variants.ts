// The UEFI binaries the build makes. They differ in the core (release or test build of as-src/)
// and in the one file they take from c-shim/variant/.
import { CoreTarget } from './asc';

export interface Variant {
  name: string;
  core: CoreTarget;
  /** The one file from c-shim/variant/ this variant links. */
  variantSource: string;
  output: string;
  /** Size limit of the output file in bytes. */
  maxBytes?: number;
  /** The PE subsystem and entry point (default: a UEFI application entered at efi_main). */
  subsystem?: 'efi_application' | 'efi_boot_service_driver';
  entry?: string;
}

export const VARIANTS: Variant[] = [
  { name: 'wisp', core: 'release', variantSource: 'c-shim/variant/core_exit.c', output: 'out/wisp.efi', maxBytes: 256 * 1024 },
  { name: 'wisp-test', core: 'test', variantSource: 'c-shim/variant/core_exit.c', output: 'out/wisp-test.efi' },
  // The firmware driver: blue-pill on every CPU (c-shim/bluepill/, docs/deployment.md).
  { name: 'wisp-driver', core: 'release', variantSource: 'c-shim/variant/core_exit.c', output: 'out/wisp-driver.efi', maxBytes: 256 * 1024,
    subsystem: 'efi_boot_service_driver', entry: 'efi_driver_main' },
  { name: 'wisp-floor', core: 'release', variantSource: 'c-shim/variant/floor_exit.c', output: 'out/wisp-floor.efi' },
];

export function variantNamed(name: string): Variant | undefined {
  return VARIANTS.find((v) => v.name === name);
}
