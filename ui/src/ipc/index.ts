// The only way the web view talks to the Rust side. Every command is one typed
// function here, built on `call`. Nothing else imports @tauri-apps/api.
// Tests (and the demo build) install a fake backend with `setBackend`.
import { invoke } from "@tauri-apps/api/core";
import type { AssetDetail } from "../bindings/AssetDetail";
import type { AssetPage } from "../bindings/AssetPage";
import type { AssetQuery } from "../bindings/AssetQuery";
import type { IpcError } from "../bindings/IpcError";
import type { Lang } from "../bindings/Lang";
import type { Session } from "../bindings/Session";
import type { StoreStatus } from "../bindings/StoreStatus";

export type Command =
  | "store_status"
  | "create_first_account"
  | "login"
  | "logout"
  | "set_lang"
  | "asset_page"
  | "asset_detail";

export type Args = Record<string, unknown>;

/** Something that answers commands the way Tauri's `invoke` does. */
export type Backend = (command: Command, args?: Args) => Promise<unknown>;

const tauriBackend: Backend = (command, args) => invoke(command, args);

let backend: Backend = tauriBackend;

/** Replaces the backend (tests, demo build). `null` restores Tauri's. */
export function setBackend(fake: Backend | null): void {
  backend = fake ?? tauriBackend;
}

export function isIpcError(e: unknown): e is IpcError {
  if (typeof e !== "object" || e === null) return false;
  const o = e as Record<string, unknown>;
  return (
    typeof o.code === "string" &&
    typeof o.message === "string" &&
    (o.field === null || o.field === undefined || typeof o.field === "string")
  );
}

/** Whatever the backend rejected with, as an IpcError. */
export function toIpcError(e: unknown): IpcError {
  if (isIpcError(e)) return { code: e.code, message: e.message, field: e.field ?? null };
  if (typeof e === "string") return { code: "unknown", message: e, field: null };
  if (e instanceof Error) return { code: "unknown", message: e.message, field: null };
  return { code: "unknown", message: String(e), field: null };
}

/** Calls one backend command; rejects with an IpcError. */
export async function call<T>(command: Command, args?: Args): Promise<T> {
  try {
    return (await backend(command, args)) as T;
  } catch (e) {
    throw toIpcError(e);
  }
}

export const storeStatus = () => call<StoreStatus>("store_status");

export const createFirstAccount = (organisation: string, login: string, password: string) =>
  call<Session>("create_first_account", { organisation, login, password });

export const login = (login: string, password: string) =>
  call<Session>("login", { login, password });

export const logout = () => call<null>("logout");

export const setLang = (lang: Lang) => call<null>("set_lang", { lang });

export const assetPage = (query: AssetQuery) => call<AssetPage>("asset_page", { query });

export const assetDetail = (tag: string) => call<AssetDetail>("asset_detail", { tag });
