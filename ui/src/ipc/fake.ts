// An in-memory backend that answers the same commands as the Rust side.
// Used by the tests and by the demo build (`vite build --mode demo`); never
// part of the production bundle.
import type { AssetDetail } from "../bindings/AssetDetail";
import type { AssetPage } from "../bindings/AssetPage";
import type { AssetQuery } from "../bindings/AssetQuery";
import type { AssetRow } from "../bindings/AssetRow";
import type { IpcError } from "../bindings/IpcError";
import type { Lang } from "../bindings/Lang";
import type { LoanRow } from "../bindings/LoanRow";
import type { PrintedFile } from "../bindings/PrintedFile";
import type { PrintProgress } from "../bindings/PrintProgress";
import type { PrintRequest } from "../bindings/PrintRequest";
import type { Role } from "../bindings/Role";
import type { Session } from "../bindings/Session";
import type { StoreStatus } from "../bindings/StoreStatus";
import type { StatusPeriodRow } from "../bindings/StatusPeriodRow";
import { canPrint } from "../lib/labels";
import type { Args, Backend, Command } from "./index";

export type FakeAccount = {
  login: string;
  password: string;
  roles: Role[];
  person_id: number | null;
  /** Reset by the office: a new password first. */
  must_change?: boolean;
};

export type FakeOptions = {
  status?: StoreStatus;
  assets?: AssetRow[];
  /** Custody history per tag; defaults to the asset's current loan, if any. */
  histories?: Record<string, LoanRow[]>;
  /** Lost, in-repair and retired periods per tag; none by default. */
  statuses?: Record<string, StatusPeriodRow[]>;
  accounts?: FakeAccount[];
  /** Pages print_ledger reports for a PDF (default 3). */
  printPages?: number;
  /** Milliseconds before each answer (0: answer on the next microtask). */
  latency?: number;
  /** What the background integrity check found (default: nothing wrong). */
  health?: string | null;
  /** Replace the answer to one command (throw an IpcError to reject). */
  handlers?: Partial<Record<Command, (args: Args | undefined) => unknown>>;
};

/** One call as made; function arguments (progress channels) are kept as they were passed. */
export type FakeCall = { command: Command; args: Args | undefined };

export type Fake = {
  backend: Backend;
  calls: FakeCall[];
  callsOf(command: Command): FakeCall[];
  lastQuery(): AssetQuery | undefined;
  lastPrint(): PrintRequest | undefined;
  lang(): Lang | null;
  session(): Session | null;
  /** Somebody else wrote (another desk, the CLI): the journal moves on by one entry. */
  wrote(): void;
};

function fail(code: string, message: string, field: string | null = null): IpcError {
  return { code, message, field };
}

function sortValue(row: AssetRow, sort: AssetQuery["sort"]): string {
  switch (sort) {
    case "tag":
      return row.tag;
    case "kind":
      return row.kind;
    case "name":
      return row.name;
    case "status":
      return row.status;
    case "custodian":
      return row.loan?.custodian ?? "";
    case "due":
      return row.loan?.due_on ?? "";
  }
}

/** A copy of the arguments; functions cannot be cloned and stay as they are. */
function recordArgs(args: Args): Args {
  return Object.fromEntries(
    Object.entries(args).map(([name, value]) => [name, typeof value === "function" ? value : structuredClone(value)]),
  );
}

export function queryAssets(all: AssetRow[], q: AssetQuery): AssetPage {
  const needle = q.search?.trim().toLowerCase() ?? "";
  const rows = all.filter((a) => {
    if (q.status && a.status !== q.status) return false;
    if (q.kind && a.kind !== q.kind) return false;
    if (q.holder != null && a.loan?.custodian_id !== q.holder) return false;
    if (needle) {
      const hay = [a.tag, a.name, a.model, a.serial, a.loan?.custodian]
        .filter((s): s is string => s != null)
        .join("\n")
        .toLowerCase();
      if (!hay.includes(needle)) return false;
    }
    return true;
  });
  rows.sort((x, y) => {
    const c = sortValue(x, q.sort).localeCompare(sortValue(y, q.sort)) || x.tag.localeCompare(y.tag);
    return q.descending ? -c : c;
  });
  return { rows: rows.slice(q.offset, q.offset + q.limit), total: rows.length };
}

export function createFakeBackend(options: FakeOptions = {}): Fake {
  const status: StoreStatus = { ...(options.status ?? {
    place: { kind: "local", path: "/tmp/azukari-test.db" },
    path: "/tmp/azukari-test.db",
    needs_first_account: false,
    time_zone: "Asia/Tokyo",
  }) };
  const assets = options.assets ?? [];
  const accounts: FakeAccount[] = [
    ...(options.accounts ?? [{ login: "admin", password: "correct horse", roles: ["security_office"], person_id: 1 }]),
  ];
  const calls: FakeCall[] = [];
  let session: Session | null = null;
  let lang: Lang | null = null;
  // The journal's last entry; every write moves it.
  let journalSeq = 1;

  const answer = (command: Command, args: Args | undefined): unknown => {
    const custom = options.handlers?.[command];
    if (custom) return custom(args);
    switch (command) {
      case "store_status":
        return { ...status };
      case "choose_place": {
        const a = args as { server: string | null; ca: string | null };
        status.place = a.server ? { kind: "server", url: a.server } : { kind: "local", path: status.path || "/tmp/azukari-test.db" };
        status.path = a.server ?? status.path;
        return { ...status };
      }
      case "reachability":
        return { reachable: true, problem: null, waiting: 0, refused: [], journal_seq: session ? journalSeq : null };
      case "resume_session":
        return null;
      case "acknowledge_loan": {
        const tag = (args as { tag: string }).tag;
        const asset = assets.find((a) => a.tag === tag);
        if (!asset?.loan) throw fail("not_found", `No asset ${tag}.`);
        if (asset.loan.custodian_id !== session?.person_id) throw fail("forbidden", "This loan is not yours to acknowledge.");
        asset.loan = { ...asset.loan, acknowledged_at: "2026-11-21T01:00:00.000Z" };
        journalSeq += 1;
        return { waiting: false };
      }
      case "set_lang":
        lang = (args?.lang as Lang) ?? null;
        return null;
      case "create_first_account": {
        if (!status.needs_first_account) throw fail("conflict", "An account already exists.");
        const a = args as { organisation: string; login: string; password: string };
        accounts.push({ login: a.login, password: a.password, roles: ["security_office"], person_id: 1 });
        status.needs_first_account = false;
        session = {
          account_id: accounts.length,
          login: a.login,
          roles: ["security_office"],
          person_id: 1,
          must_change_password: false,
        };
        return session;
      }
      case "login": {
        const a = args as { login: string; password: string };
        const i = accounts.findIndex((x) => x.login === a.login && x.password === a.password);
        if (i < 0) throw fail("auth", "Wrong login ID or password.", "password");
        const acc = accounts[i];
        session = {
          account_id: i + 1,
          login: acc.login,
          roles: acc.roles,
          person_id: acc.person_id,
          must_change_password: acc.must_change ?? false,
        };
        return session;
      }
      case "store_health":
        return options.health ?? null;
      case "change_password": {
        const a = args as { current: string; new: string };
        const acc = accounts[(session?.account_id ?? 0) - 1];
        if (!session || !acc) throw fail("auth", "Log in first.");
        if (acc.password !== a.current) throw fail("wrong_password", "Wrong password.", "password");
        if (a.new === a.current) throw fail("invalid_input", "The new password must differ.", "new_password");
        if (a.new.length < 8) throw fail("invalid_input", "At least 8 characters.", "new_password");
        acc.password = a.new;
        acc.must_change = false;
        session = { ...session, must_change_password: false };
        return session;
      }
      case "logout":
        session = null;
        return null;
      case "asset_page":
        if (session?.must_change_password) throw fail("password_change_required", "Choose a new password first.");
        return queryAssets(assets, (args as { query: AssetQuery }).query);
      case "asset_detail": {
        const tag = (args as { tag: string }).tag;
        const asset = assets.find((a) => a.tag === tag);
        if (!asset) throw fail("not_found", `No asset ${tag}.`);
        const history = options.histories?.[tag] ?? (asset.loan ? [asset.loan] : []);
        return { asset, history, statuses: options.statuses?.[tag] ?? [] } satisfies AssetDetail;
      }
      case "print_ledger": {
        const { request, onProgress } = args as { request: PrintRequest; onProgress: (p: PrintProgress) => void };
        if (session && !canPrint(session.roles)) {
          throw fail("forbidden", "You are not allowed to do this.");
        }
        const asOf = request.as_of?.trim() ?? "";
        if (asOf !== "" && Number.isNaN(Date.parse(asOf))) {
          throw fail("invalid_input", `"${asOf}" is not a date or a time.`, "as_of");
        }
        const labels = request.ledger === "labels";
        const rows = labels
          ? request.tags.length > 0
            ? assets.filter((a) => request.tags.includes(a.tag)).length
            : assets.length
          : assets.filter((a) => a.loan != null).length;
        const format = labels ? "pdf" : request.format;
        if (format === "pdf") {
          const total = options.printPages ?? 3;
          for (let done = 1; done <= total; done++) onProgress({ done, total });
        }
        const title = labels ? (request.lang === "ja" ? "資産ラベル" : "Asset-labels") : request.lang === "ja" ? "貸与物管理台帳" : "Custody-ledger";
        return {
          path: `/home/user/Documents/Azukari/${title}_20261121-0900.${format}`,
          rows,
          bytes: 20_000 + rows * 2_000,
        } satisfies PrintedFile;
      }
    }
  };

  const backend: Backend = (command, args) => {
    calls.push({ command, args: args === undefined ? undefined : recordArgs(args) });
    return new Promise((resolve, reject) => {
      const run = () => {
        try {
          resolve(answer(command, args));
        } catch (e) {
          reject(e);
        }
      };
      if (options.latency) setTimeout(run, options.latency);
      else queueMicrotask(run);
    });
  };

  const callsOf = (command: Command) => calls.filter((c) => c.command === command);

  return {
    backend,
    calls,
    callsOf,
    lastQuery: () => (callsOf("asset_page").at(-1)?.args as { query: AssetQuery } | undefined)?.query,
    lastPrint: () => (callsOf("print_ledger").at(-1)?.args as { request: PrintRequest } | undefined)?.request,
    lang: () => lang,
    session: () => session,
    wrote: () => {
      journalSeq += 1;
    },
  };
}
