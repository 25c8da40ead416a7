/** legosim's version (kept equal to apps/cli/package.json's by a test). */
export const VERSION = '0.1.0';
