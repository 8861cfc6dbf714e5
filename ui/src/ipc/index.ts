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
import type { AccountRow } from "../bindings/AccountRow";
import type { AssetStatus } from "../bindings/AssetStatus";
import type { Call } from "../bindings/Call";
import type { EditAsset } from "../bindings/EditAsset";
import type { EditOrganisation } from "../bindings/EditOrganisation";
import type { EditPerson } from "../bindings/EditPerson";
import type { ImportOptions } from "../bindings/ImportOptions";
import type { ImportSummary } from "../bindings/ImportSummary";
import type { IssueLoan } from "../bindings/IssueLoan";
import type { LoanRow } from "../bindings/LoanRow";
import type { MarkAsset } from "../bindings/MarkAsset";
import type { NewAccount } from "../bindings/NewAccount";
import type { NewAsset } from "../bindings/NewAsset";
import type { NewPerson } from "../bindings/NewPerson";
import type { NewSite } from "../bindings/NewSite";
import type { Organisation } from "../bindings/Organisation";
import type { OrganisationKind } from "../bindings/OrganisationKind";
import type { Overview } from "../bindings/Overview";
import type { PersonRef } from "../bindings/PersonRef";
import type { PersonRow } from "../bindings/PersonRow";
import type { ReturnLoan } from "../bindings/ReturnLoan";
import type { SiteRow } from "../bindings/SiteRow";
import type { SavedStore } from "../bindings/SavedStore";
import type { Verified } from "../bindings/Verified";
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
  | "office_call"
  | "import_register"
  | "verify_store"
  | "backup_store"
  | "restore_store"
  | "print_ledger";

export type Args = Record<string, unknown>;

/** A command whose payload is bytes (a file), with what goes with them in headers. */
export type RawArgs = { raw: Uint8Array; headers: Record<string, string> };

/** Something that answers commands the way Tauri's `invoke` does; an argument that is a
 * function receives the messages Tauri would send on a channel. */
export type Backend = (command: Command, args?: Args) => Promise<unknown>;

function isRaw(args: Args | undefined): args is RawArgs {
  return args != null && args.raw instanceof Uint8Array && typeof args.headers === "object";
}

/** The arguments as Tauri sends them: every function becomes a channel calling it. */
function withChannels(args: Args): Args {
  return Object.fromEntries(
    Object.entries(args).map(([name, value]) => [
      name,
      typeof value === "function" ? new Channel<unknown>(value as (message: unknown) => void) : value,
    ]),
  );
}

const tauriBackend: Backend = (command, args) =>
  isRaw(args)
    ? invoke(command, args.raw, { headers: args.headers })
    : invoke(command, args && withChannels(args));

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

/** Any use-case, as the api's `Call`: the backend decides what the session may do. */
export const office = <T>(request: Call) => call<T>("office_call", { call: request });

export const overview = () => office<Overview>({ call: "overview" });
export const organisations = () => office<Organisation[]>({ call: "organisations" });
export const addOrganisation = (name: string, kind: OrganisationKind) =>
  office<number>({ call: "add_organisation", args: { name, kind } });
export const editOrganisation = (edit: EditOrganisation) =>
  office<string[]>({ call: "edit_organisation", args: edit });
export const sites = () => office<SiteRow[]>({ call: "sites" });
export const addSite = (site: NewSite) => office<number>({ call: "add_site", args: site });
export const people = () => office<PersonRow[]>({ call: "people" });
export const addPerson = (person: NewPerson) => office<number>({ call: "add_person", args: person });
export const editPerson = (edit: EditPerson) => office<string[]>({ call: "edit_person", args: edit });
export const accounts = () => office<AccountRow[]>({ call: "accounts" });
export const addAccount = (account: NewAccount) => office<number>({ call: "add_account", args: account });
export const disableAccount = (login: string) => office<null>({ call: "disable_account", args: { login } });
export const enableAccount = (login: string) => office<null>({ call: "enable_account", args: { login } });
export const unlockAccount = (login: string) => office<null>({ call: "unlock_account", args: { login } });
export const resetPassword = (login: string, next: string) =>
  office<null>({ call: "reset_password", args: { login, new: next } });
export const addAsset = (asset: NewAsset) => office<number>({ call: "add_asset", args: asset });
export const editAsset = (edit: EditAsset) => office<string[]>({ call: "edit_asset", args: edit });
export const markAsset = (mark: MarkAsset) => office<AssetStatus>({ call: "mark_asset", args: mark });
export const issueLoan = (loan: IssueLoan) => office<number>({ call: "issue_loan", args: loan });
export const transferLoan = (loan: IssueLoan) => office<number>({ call: "transfer_loan", args: loan });
export const returnLoan = (loan: ReturnLoan) => office<number>({ call: "return_loan", args: loan });
/** Loans open now (or all), of one person or of everyone the session may see. */
export const loans = (openOnly: boolean, holder: PersonRef | null) =>
  office<LoanRow[]>({ call: "loans", args: { open_only: openOnly, holder } });

/** Imports (or, as a dry run, previews) a register file the person chose. */
export const importRegister = (
  file: { name: string; bytes: Uint8Array },
  kind: "assets" | "people",
  options: ImportOptions,
) =>
  call<ImportSummary>("import_register", {
    raw: file.bytes,
    headers: {
      "azukari-file-name": encodeURIComponent(file.name),
      "azukari-kind": kind,
      "azukari-dry-run": String(options.dry_run),
      "azukari-add-organisations": String(options.add_organisations),
    },
  } satisfies RawArgs);

/** Verifies the store: every entry checked and replayed, every record compared; with
 * `expect` (`SEQ:HASH` from a ledger's foot), that this head is still in the chain. */
export const verifyStore = (expect: string | null, onProgress: (progress: PrintProgress) => void) =>
  call<Verified>("verify_store", { expect, onProgress });

/** Backs the store up to a file chosen in the system's save dialog; null when cancelled. */
export const backupStore = () => call<SavedStore | null>("backup_store");

/** Restores a backup chosen in the system's dialog into a new store; null when cancelled. */
export const restoreStore = () => call<SavedStore | null>("restore_store");
