import { describe, expect, it } from "vitest";

const sources = import.meta.glob<string>(["../src/**/*.svelte", "../src/**/*.ts"], {
  query: "?raw",
  import: "default",
  eager: true,
});

describe("architecture", () => {
  it("only the ipc module talks to Tauri", () => {
    const files = Object.keys(sources);
    expect(files.length).toBeGreaterThan(20);
    const importers = files.filter((f) => /from\s+["']@tauri-apps\/api/.test(sources[f]));
    expect(importers).toEqual(["../src/ipc/index.ts"]);
  });

  it("binding files import each other type-only, one type per file", () => {
    const bindings = Object.entries(sources).filter(([f]) => f.startsWith("../src/bindings/"));
    // ts-rs may generate more types than the UI uses; these are the ones it relies on.
    const names = bindings.map(([f]) => f.replace(/^.*\//, "").replace(/\.ts$/, ""));
    for (const needed of [
      "AccountId", "AssetDetail", "AssetId", "AssetKind", "AssetPage", "AssetQuery", "AssetRow",
      "AssetSort", "AssetStatus", "Classification", "Instant", "IpcError", "Lang", "LoanId",
      "LoanRow", "OrganisationId", "PersonId", "ReturnCondition", "Role", "Session", "StoreStatus",
      "PrintRequest", "PrintProgress", "PrintedFile", "LedgerKind", "LedgerGrouping", "LedgerFormat", "CsvText",
    ]) {
      expect(names).toContain(needed);
    }
    for (const [file, text] of bindings) {
      const name = file.replace(/^.*\//, "").replace(/\.ts$/, "");
      expect(text, file).toContain(`export type ${name} = `);
      expect(text.match(/export type /g), file).toHaveLength(1);
      for (const line of text.split("\n").filter((l) => l.startsWith("import"))) {
        expect(line, file).toMatch(/^import type \{ (\w+) \} from "\.\/\1";$/);
      }
    }
  });
});
