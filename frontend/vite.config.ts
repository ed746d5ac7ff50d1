/// <reference types="vitest/config" />
// Vite builds the client into the core package (served by fullfinity.web.client); Vitest runs the
// unit tests. `npm run dev` proxies the API to a `fullfinity serve` on port 8000.
import { gzipSync } from "node:zlib";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

const outDir = resolve(import.meta.dirname, "../fullfinity-core/src/fullfinity/web/static");

/** Writes a .gz beside each text asset, which the server sends to browsers accepting gzip. */
function gzipAssets(): Plugin {
  return {
    name: "fullfinity-gzip",
    apply: "build",
    closeBundle() {
      const walk = (dir: string): void => {
        for (const name of readdirSync(dir)) {
          const path = join(dir, name);
          if (statSync(path).isDirectory()) walk(path);
          else if (/\.(js|css|html|svg|json)$/.test(name)) writeFileSync(`${path}.gz`, gzipSync(readFileSync(path), { level: 9 }));
        }
      };
      walk(outDir);
    },
  };
}

const api = { target: "http://127.0.0.1:8000", changeOrigin: false };

export default defineConfig({
  plugins: [react(), gzipAssets()],
  build: {
    outDir,
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    chunkSizeWarningLimit: 900,
  },
  server: { proxy: { "/api": api, "/auth": api, "/health": api } },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test/setup.ts"],
    css: false,
  },
});
