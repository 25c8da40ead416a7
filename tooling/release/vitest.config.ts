import { legosimVitest } from '../config/vitest.ts';

// packing, installing with npm and compiling the README examples take a while
export default legosimVitest({ testTimeout: 300_000 });
