import { legosimVitest } from '../../tooling/config/vitest.ts';

export default legosimVitest();
