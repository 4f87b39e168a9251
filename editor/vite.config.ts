import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The dev server proxies the API and webhooks to a running `pnpm start` (PORT 3000 by default).
const target = process.env.BUNDLES_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1200 },
  server: {
    proxy: {
      '/api': { target, changeOrigin: false },
      '/hooks': { target, changeOrigin: false },
    },
  },
});
