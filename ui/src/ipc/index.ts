// The only way the web view talks to the Rust side. Every command is one typed
// function here, built on `call`. Nothing else imports @tauri-apps/api.
// Tests (and the demo build) install a fake backend with `setBackend`.
// A command that streams (a Tauri channel) takes a plain function here; only the
// Tauri backend turns it into a `Channel`, so a fake backend just calls it.
import { Channel, invoke } from "@tauri-apps/api/core";
import type { Acknowledged } from "../bindings/Acknowledged";
import type { AssetDetail } from "../bindings/AssetDetail";
import type { AssetPage } from "../bindings/AssetPage";
import type { AssetQuery } from "../bindings/AssetQuery";
import type { IpcError } from "../bindings/IpcError";
import type { Lang } from "../bindings/Lang";
import type { PrintedFile } from "../bindings/PrintedFile";
import type { PrintProgress } from "../bindings/PrintProgress";
import type { PrintRequest } from "../bindings/PrintRequest";
import type { Reachability } from "../bindings/Reachability";
import type { Session } from "../bindings/Session";
import type { StoreStatus } from "../bindings/StoreStatus";

export type Command =
  | "store_status"
  | "choose_place"
  | "reachability"
  | "resume_session"
  | "acknowledge_loan"
  | "store_health"
  | "create_first_account"
  | "login"
  | "change_password"
  | "logout"
  | "set_lang"
  | "asset_page"
  | "asset_detail"
  | "print_ledger";

export type Args = Record<string, unknown>;

/** Something that answers commands the way Tauri's `invoke` does; an argument that is a
 * function receives the messages Tauri would send on a channel. */
export type Backend = (command: Command, args?: Args) => Promise<unknown>;

/** The arguments as Tauri sends them: every function becomes a channel calling it. */
function withChannels(args: Args): Args {
  return Object.fromEntries(
    Object.entries(args).map(([name, value]) => [
      name,
      typeof value === "function" ? new Channel<unknown>(value as (message: unknown) => void) : value,
    ]),
  );
}

const tauriBackend: Backend = (command, args) => invoke(command, args && withChannels(args));

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

/** The first-run choice: this computer only (no server), or an office server at `server`,
 * trusting the PEM certificate at `ca` when the system does not. */
export const choosePlace = (server: string | null, ca: string | null) =>
  call<StoreStatus>("choose_place", { server, ca });

/** Whether the office server answers now, and what waits in the outbox. */
export const reachability = () => call<Reachability>("reachability");

/** Connected to a server: the session kept by the last login, if it still holds. */
export const resumeSession = () => call<Session | null>("resume_session");

/** The custodian acknowledges receipt; `waiting` when it was kept in the outbox. */
export const acknowledgeLoan = (tag: string) => call<Acknowledged>("acknowledge_loan", { tag });

export const createFirstAccount = (organisation: string, login: string, password: string) =>
  call<Session>("create_first_account", { organisation, login, password });

export const login = (login: string, password: string) =>
  call<Session>("login", { login, password });

/** Sets a new password (the current one is asked again); answers with the renewed session. */
export const changePassword = (current: string, next: string) =>
  call<Session>("change_password", { current, new: next });

/** Resolves once the store's background integrity check is done: null when the store is
 * sound, else what is wrong with it. */
export const storeHealth = () => call<string | null>("store_health");

export const logout = () => call<null>("logout");

export const setLang = (lang: Lang) => call<null>("set_lang", { lang });

export const assetPage = (query: AssetQuery) => call<AssetPage>("asset_page", { query });

export const assetDetail = (tag: string) => call<AssetDetail>("asset_detail", { tag });

/** Renders a ledger and saves it in the user's Documents/Azukari folder; `onProgress`
 * hears each page rendered (PDF only). */
export const printLedger = (request: PrintRequest, onProgress: (progress: PrintProgress) => void) =>
  call<PrintedFile>("print_ledger", { request, onProgress });
