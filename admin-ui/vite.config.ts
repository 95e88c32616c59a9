// Builds the admin UI into dist/, which the hub embeds (rust-embed) and serves at
// {issuer}/admin/. The output must be byte-identical from the same sources: CI rebuilds
// it and fails on any difference with the committed dist/.
import { defineConfig } from 'vite';

export default defineConfig({
  // Relative asset URLs, so the same build works under any issuer path prefix.
  base: './',
  // JSX compiles to Preact's automatic runtime (no React, no Preact preset plugin).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The hub's Content-Security-Policy allows no inline script: keep every script a file.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: false,
  },
});
