import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run build` writes dist/, which billtracker-web embeds at compile time. The server's
// Content-Security-Policy allows same-origin scripts only, so index.html has no inline script.
// `npm run dev` serves the app with hot reload and forwards API calls to a billtracker-web
// running locally on its default port.
export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:3030',
    },
  },
  build: {
    outDir: 'dist',
    rolldownOptions: {
      output: {
        // Libraries change less often than the app: separate chunks stay cached across releases.
        codeSplitting: {
          groups: [
            {
              name: 'react',
              test: /node_modules[\\/](react|react-dom|react-router|scheduler)[\\/]/,
            },
            { name: 'mantine', test: /node_modules[\\/](@mantine|@floating-ui)[\\/]/ },
            { name: 'vendor', test: /node_modules[\\/]/ },
          ],
        },
      },
    },
  },
});
