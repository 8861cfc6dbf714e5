// The current display language and the lookup function `t`.
// `t` reads reactive state, so every template that calls it re-renders when
// the language changes.
import type { Lang } from "../bindings/Lang";
import { en } from "./en";
import { ja, type Catalogue, type Key } from "./ja";

export type { Key } from "./ja";

export const catalogues: Record<Lang, Catalogue> = { ja, en };

const STORAGE_KEY = "azukari.lang";

/** Japanese when the system language is Japanese, otherwise English. */
export function languageFromNavigator(language: string | undefined | null): Lang {
  return language && language.toLowerCase().startsWith("ja") ? "ja" : "en";
}

function storedLang(): Lang | null {
  try {
    const v = globalThis.localStorage?.getItem(STORAGE_KEY);
    return v === "ja" || v === "en" ? v : null;
  } catch {
    return null;
  }
}

export function initialLang(): Lang {
  return storedLang() ?? languageFromNavigator(globalThis.navigator?.language);
}

const state = $state<{ lang: Lang }>({ lang: initialLang() });
applyDocumentLang(state.lang);

function applyDocumentLang(lang: Lang) {
  if (typeof document !== "undefined") document.documentElement.lang = lang;
}

export function currentLang(): Lang {
  return state.lang;
}

/** Changes the display language at once (the caller tells the backend). */
export function setCurrentLang(lang: Lang, remember = true) {
  state.lang = lang;
  applyDocumentLang(lang);
  if (remember) {
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, lang);
    } catch {
      // storage unavailable: the choice lasts for this session only
    }
  }
}

export type Params = Record<string, string | number>;

export function translate(lang: Lang, key: Key, params?: Params): string {
  const text: string = catalogues[lang][key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** Looks a key up in the current language's catalogue. */
export function t(key: Key, params?: Params): string {
  return translate(state.lang, key, params);
}
