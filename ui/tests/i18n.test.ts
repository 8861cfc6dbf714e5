import { describe, expect, it } from "vitest";
import { en } from "../src/i18n/en";
import { languageFromNavigator, translate } from "../src/i18n/index.svelte";
import { ja } from "../src/i18n/ja";
import {
  CLASSIFICATION_KEYS, CONDITION_KEYS, CSV_TEXT_KEYS, FORMAT_KEYS, GROUPING_KEYS, KIND_KEYS, LEDGER_KEYS, ROLE_KEYS,
  STATUS_KEYS,
} from "../src/lib/labels";

const sources = import.meta.glob<string>(["../src/**/*.svelte", "../src/**/*.ts", "!../src/i18n/*.ts", "!../src/bindings/**"], {
  query: "?raw",
  import: "default",
  eager: true,
});

/** Every literal key passed to t(...) in the UI's sources. */
function usedKeys(): Map<string, string[]> {
  const used = new Map<string, string[]>();
  const re = /\bt\(\s*(["'])([^"'`\n]+)\1/g;
  for (const [file, text] of Object.entries(sources)) {
    for (const m of text.matchAll(re)) {
      const list = used.get(m[2]) ?? [];
      list.push(file);
      used.set(m[2], list);
    }
  }
  return used;
}

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("catalogues", () => {
  const jaKeys = Object.keys(ja);
  const enKeys = Object.keys(en);

  it("every Japanese key is in English", () => {
    expect(jaKeys.filter((k) => !enKeys.includes(k))).toEqual([]);
  });

  it("every English key is in Japanese", () => {
    expect(enKeys.filter((k) => !jaKeys.includes(k))).toEqual([]);
  });

  it("no entry is empty and both languages use the same placeholders", () => {
    for (const k of jaKeys) {
      const key = k as keyof typeof ja;
      expect(ja[key].trim(), `ja ${k}`).not.toBe("");
      expect(en[key].trim(), `en ${k}`).not.toBe("");
      expect(placeholders(en[key]), k).toEqual(placeholders(ja[key]));
    }
  });

  it("every key the components use exists in a catalogue", () => {
    const used = usedKeys();
    // The scan must actually see the components, or this test proves nothing.
    expect(Object.keys(sources).some((f) => f.endsWith("AssetRegister.svelte"))).toBe(true);
    expect(used.size).toBeGreaterThan(40);
    const missing = [...used.entries()]
      .filter(([k]) => !(k in ja) || !(k in en))
      .map(([k, files]) => `${k} (${files.join(", ")})`);
    expect(missing).toEqual([]);
  });

  it("every catalogue key is used somewhere", () => {
    const all = Object.values(sources).join("\n");
    const unused = Object.keys(ja).filter((k) => !all.includes(`"${k}"`) && !all.includes(`'${k}'`));
    expect(unused).toEqual([]);
  });

  it("every status, kind, role, classification, condition and ledger choice has a word", () => {
    const maps = [
      STATUS_KEYS, KIND_KEYS, ROLE_KEYS, CLASSIFICATION_KEYS, CONDITION_KEYS, LEDGER_KEYS, GROUPING_KEYS, FORMAT_KEYS,
      CSV_TEXT_KEYS,
    ];
    for (const map of maps) {
      for (const key of Object.values(map)) {
        expect(ja, key).toHaveProperty([key]);
        expect(en, key).toHaveProperty([key]);
      }
    }
  });

  it("uses the glossary's words", () => {
    expect(ja["status.on_loan"]).toBe("貸与中");
    expect(ja["status.lost"]).toBe("紛失");
    expect(ja["role.site_responsible"]).toBe("現場責任者");
    expect(ja["role.security_office"]).toBe("セキュリティ事務局");
    expect(ja["col.tag"]).toBe("管理番号");
    expect(en["status.carried_out"]).toBe("Carried out");
    expect(ja["ledger.custody"]).toBe("貸与物管理台帳");
    expect(ja["grouping.custodian"]).toBe("貸与先別");
  });

  it("fills placeholders", () => {
    expect(translate("ja", "assets.count", { from: "1", to: "100", total: "12,345" })).toBe("1–100 / 12,345件");
    expect(translate("en", "assets.count", { from: "1", to: "100", total: "12,345" })).toBe("1–100 / 12,345");
  });
});

describe("default language", () => {
  it("is Japanese for a Japanese system and English otherwise", () => {
    expect(languageFromNavigator("ja")).toBe("ja");
    expect(languageFromNavigator("ja-JP")).toBe("ja");
    expect(languageFromNavigator("en-GB")).toBe("en");
    expect(languageFromNavigator("fr")).toBe("en");
    expect(languageFromNavigator(undefined)).toBe("en");
  });
});
