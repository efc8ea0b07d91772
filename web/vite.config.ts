import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The API serves web/dist; in `vite dev` the API is proxied so cookies stay same-origin.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    // Pages and the chart library are lazy chunks; keep the warning honest for anything that slips into one bundle.
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: { '/api': process.env.PAYERGUARD_API ?? 'http://127.0.0.1:8080' },
  },
});
