import { defineConfig, type Options } from 'tsup';

/**
 * The one build config every package uses: ESM + CJS + declarations for both,
 * so `exports` can point `import` and `require` at matching types.
 */
export function heraldTsup(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    splitting: false,
    treeshake: true,
    ...overrides,
  });
}
