// The AssemblyScript scalar types that as-src/abi.ts is written with, for the Node side that imports
// it (test/unit/harness.ts): its constants are plain numbers there (esbuild drops the annotations).
type u32 = number;
