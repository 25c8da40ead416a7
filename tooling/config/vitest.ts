// The one vitest preset: workspace packages resolve to their TypeScript source through the
// `@legosim/source` export condition, so no package has to be built before another's tests run.
import { defineConfig } from 'vitest/config';

const conditions = ['@legosim/source', 'import', 'module', 'node', 'default'];

export function legosimVitest(options: { testTimeout?: number } = {}) {
  return defineConfig({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['@legosim/source'] } },
    test: {
      include: ['test/**/*.test.ts'],
      testTimeout: options.testTimeout ?? 60_000,
      hookTimeout: 120_000,
      pool: 'forks',
      // the JSON report feeds tooling/scripts/test-summary.mjs (one closing line for CI)
      reporters: ['default', 'json'],
      outputFile: { json: '.vitest-results.json' },
    },
  });
}
