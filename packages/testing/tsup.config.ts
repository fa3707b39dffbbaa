import { resolve } from 'node:path';
import type { Options } from 'tsup';
import { heraldTsup } from '../../tooling/tsup.base';

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

// tsup runs esbuild in ESM form for both outputs (treeshake), so the target
// format is passed to the plugin below through this esbuild option.
const FORMAT_KEY = '__HERALD_OUTPUT_FORMAT__';

/**
 * vitest 4 throws when require()d, so the CommonJS build gets a stub
 * (src/cjs/vitest-stub.ts) in its place; the ES module build keeps vitest as
 * an external peer import.
 */
const vitestStubForCjs: EsbuildPlugin = {
  name: 'herald-vitest-cjs-stub',
  setup(build) {
    const cjs = build.initialOptions.define?.[FORMAT_KEY] === '"cjs"';
    build.onResolve({ filter: /^vitest$/ }, () =>
      cjs ? { path: resolve('src/cjs/vitest-stub.ts') } : { path: 'vitest', external: true },
    );
  },
};

export default heraldTsup({
  // noExternal hands `vitest` to the plugin above instead of tsup's peer-dependency externals.
  noExternal: ['vitest'],
  esbuildOptions(options, { format }) {
    options.define = { ...options.define, [FORMAT_KEY]: JSON.stringify(format) };
  },
  esbuildPlugins: [vitestStubForCjs],
});
