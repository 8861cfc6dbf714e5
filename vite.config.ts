import { fileURLToPath } from "node:url";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vite";

// The web view lives in ui/; Tauri loads the built files from ui/dist.
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here("./ui"),
  // Keep Vite's cache in the root node_modules rather than ui/node_modules.
  cacheDir: here("./node_modules/.vite"),
  base: "./",
  plugins: [svelte({ configFile: here("./svelte.config.js") })],
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
  },
  envPrefix: ["VITE_", "TAURI_ENV_"],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // No inline data: URLs for assets, so a strict CSP needs no data: source.
    assetsInlineLimit: 0,
  },
});
