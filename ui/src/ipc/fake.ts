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
import type { AccountRow } from "../bindings/AccountRow";
import type { Call } from "../bindings/Call";
import type { ImportOptions } from "../bindings/ImportOptions";
import type { ImportSummary } from "../bindings/ImportSummary";
import type { Organisation } from "../bindings/Organisation";
import type { Overview } from "../bindings/Overview";
import type { PersonRow } from "../bindings/PersonRow";
import type { SiteRow } from "../bindings/SiteRow";
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
  organisations?: Organisation[];
  people?: PersonRow[];
  sites?: SiteRow[];
  /** Replace the answer to one office call (throw an IpcError to reject). */
  office?: Partial<Record<Call["call"], (args: unknown) => unknown>>;
  /** Answers an import (or its preview): the file, what it holds, the options. */
  importer?: (file: { name: string; bytes: Uint8Array }, kind: string, options: ImportOptions) => ImportSummary;
};

/** The day the fake's overview counts overdue against. */
export const FAKE_TODAY = "2026-11-21";

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

/** A copy of the arguments as Tauri would send them (JSON, so a reactive proxy is copied like a
 * plain value); functions and a raw payload's bytes stay as they were passed. */
function recordArgs(args: Args): Args {
  return Object.fromEntries(
    Object.entries(args).map(([name, value]) => [
      name,
      typeof value === "function" || value instanceof Uint8Array ? value : JSON.parse(JSON.stringify(value ?? null)),
    ]),
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
  const organisations: Organisation[] = [
    ...(options.organisations ?? [{ id: 1, name: "株式会社サンプル", kind: "own" }]),
  ];
  const people: PersonRow[] = [...(options.people ?? [])];
  const sites: SiteRow[] = [...(options.sites ?? [])];
  const disabled = new Set<string>();

  const officeCall = (request: Call): unknown => {
    const custom = options.office?.[request.call];
    if (custom) return custom("args" in request ? request.args : undefined);
    const wrote = <T>(value: T): T => {
      journalSeq += 1;
      return value;
    };
    switch (request.call) {
      case "overview": {
        const count = (test: (a: AssetRow) => boolean) => assets.filter(test).length;
        return {
          total: assets.length,
          available: count((a) => a.status === "available"),
          on_loan: count((a) => a.status === "on_loan"),
          unacknowledged: count((a) => a.loan != null && a.loan.acknowledged_at == null),
          overdue: count((a) => a.loan?.due_on != null && a.loan.due_on < FAKE_TODAY),
          lost: count((a) => a.status === "lost"),
          in_repair: count((a) => a.status === "in_repair"),
          retired: count((a) => a.status === "retired"),
          today: FAKE_TODAY,
        } satisfies Overview;
      }
      case "loans": {
        const { open_only, holder } = request.args;
        const holderId = holder && "id" in holder ? holder.id : null;
        const open = assets.flatMap((a) => (a.loan ? [a.loan] : []));
        const past = open_only ? [] : Object.values(options.histories ?? {}).flat().filter((l) => l.returned_at != null);
        return [...open, ...past].filter((l) => holderId == null || l.custodian_id === holderId);
      }
      case "organisations":
        return [...organisations];
      case "add_organisation": {
        const { name, kind } = request.args;
        if (organisations.some((o) => o.name === name)) throw fail("duplicate", `組織「${name}」は既に登録されています`, "organisation");
        organisations.push({ id: organisations.length + 1, name, kind });
        return wrote(organisations.length);
      }
      case "edit_organisation": {
        const org = organisations.find((o) => o.name === request.args.name);
        if (!org) throw fail("not_found", `組織「${request.args.name}」は見つかりません`);
        const changed = [org.name !== request.args.new_name && "name", org.kind !== request.args.kind && "kind"].filter(
          (f): f is string => typeof f === "string",
        );
        org.name = request.args.new_name;
        org.kind = request.args.kind;
        return changed.length > 0 ? wrote(changed) : changed;
      }
      case "sites":
        return [...sites];
      case "add_site": {
        const site = request.args;
        sites.push({
          id: sites.length + 1,
          organisation: site.organisation,
          name: site.name,
          address: site.address,
          responsibles: site.responsibles.map((r) => ("id" in r ? (people.find((p) => p.id === r.id)?.name ?? "") : r.name)),
        });
        return wrote(sites.length);
      }
      case "people":
        return [...people];
      case "add_person": {
        const p = request.args;
        if (p.name.trim() === "") throw fail("invalid_input", "氏名を入力してください", "name");
        const own = organisations.find((o) => o.kind === "own")?.name ?? "";
        people.push({
          id: people.length + 100,
          name: p.name,
          kana: p.kana,
          organisation_id: 1,
          organisation: p.organisation ?? own,
          email: p.email,
          employee_number: p.employee_number,
          active: true,
        });
        return wrote(people.length + 99);
      }
      case "edit_person": {
        const { person, edit, active } = request.args;
        const row = people.find((p) => ("id" in person ? p.id === person.id : p.name === person.name));
        if (!row) throw fail("not_found", "その人は見つかりません");
        if (row.active && !active && assets.some((a) => a.loan?.custodian_id === row.id)) {
          throw fail("conflict", `${row.name} さんはまだ貸与物を保有しています。無効にする前に返却を受けてください`, "active");
        }
        Object.assign(row, { name: edit.name, kana: edit.kana, email: edit.email, employee_number: edit.employee_number, active });
        return wrote(["name"]);
      }
      case "accounts":
        return accounts.map(
          (a, i): AccountRow => ({
            id: i + 1,
            login: a.login,
            person: people.find((p) => p.id === a.person_id)?.name ?? null,
            roles: a.roles,
            active: !disabled.has(a.login),
            locked_until: null,
            must_change_password: a.must_change ?? false,
          }),
        );
      case "add_account": {
        const a = request.args;
        if (accounts.some((x) => x.login === a.login)) throw fail("duplicate", `ログインID「${a.login}」は既に登録されています`, "login");
        if (a.password.length < 8) throw fail("invalid_input", "パスワードは8文字以上にしてください", "password");
        accounts.push({
          login: a.login,
          password: a.password,
          roles: a.roles,
          person_id: a.person && "id" in a.person ? a.person.id : null,
          must_change: true,
        });
        return wrote(accounts.length);
      }
      case "disable_account":
        disabled.add(request.args.login);
        return wrote(null);
      case "enable_account":
        disabled.delete(request.args.login);
        return wrote(null);
      case "reset_password": {
        const account = accounts.find((a) => a.login === request.args.login);
        if (!account) throw fail("not_found", "no such account");
        if (request.args.new.length < 8) throw fail("invalid_input", "パスワードは8文字以上にしてください", "password");
        account.password = request.args.new;
        account.must_change = true;
        return wrote(null);
      }
      case "mark_asset": {
        const asset = assets.find((a) => a.tag === request.args.tag);
        if (!asset) throw fail("not_found", `資産「${request.args.tag}」は見つかりません`);
        const to = request.args.status === "available" && asset.loan ? "on_loan" : request.args.status;
        if (asset.loan && (to === "in_repair" || to === "retired")) {
          throw fail("conflict", `資産 ${asset.tag} は貸与中です。返却を受けてください`, "status");
        }
        asset.status = to;
        return wrote(to);
      }
      case "issue_loan":
      case "transfer_loan": {
        const l = request.args;
        const a = assets.find((x) => x.tag === l.tag);
        if (!a) throw fail("not_found", `資産「${l.tag}」は見つかりません`);
        if (request.call === "issue_loan" && a.status !== "available") throw fail("conflict", `資産 ${a.tag} は貸与できません`);
        const holder = people.find((p) => "id" in l.to && p.id === l.to.id);
        if (!holder) throw fail("not_found", "貸与先が見つかりません", "custodian");
        if (l.due && l.due < FAKE_TODAY) throw fail("invalid_input", `返却予定日 ${l.due} が貸与日より前です`, "due");
        a.status = "on_loan";
        a.loan = {
          id: 1000 + journalSeq,
          asset_id: a.id,
          tag: a.tag,
          custodian_id: holder.id,
          custodian: holder.name,
          custodian_organisation: holder.organisation,
          issued_at: `${FAKE_TODAY}T01:00:00.000Z`,
          due_on: l.due,
          place: l.place,
          site: l.site,
          acknowledged_at: null,
          returned_at: null,
          return_condition: null,
          return_note: null,
        };
        return wrote(a.loan.id);
      }
      case "return_loan": {
        const a = assets.find((x) => x.tag === request.args.tag);
        if (!a?.loan) throw fail("conflict", `資産 ${request.args.tag} は貸与中ではないため返却できません`);
        const id = a.loan.id;
        a.loan = null;
        a.status = request.args.condition === "damaged" ? "in_repair" : "available";
        return wrote(id);
      }
      case "add_asset": {
        const n = request.args;
        if (assets.some((x) => x.tag === n.tag.trim())) throw fail("duplicate", `管理番号「${n.tag}」は既に登録されています`, "tag");
        const row: AssetRow = {
          id: assets.length + 1,
          tag: n.tag.trim(),
          kind: n.kind ?? "other",
          name: n.name,
          model: n.model,
          serial: n.serial,
          owner: n.owner ?? organisations[0].name,
          classification: n.classification ?? "internal",
          encrypted: n.encrypted,
          status: "available",
          note: n.note,
          loan: null,
        };
        assets.push(row);
        return wrote(row.id);
      }
      case "edit_asset": {
        const a = assets.find((x) => x.tag === request.args.tag);
        if (!a) throw fail("not_found", "no such asset");
        const e = request.args.asset;
        const changed = (["tag", "name", "model", "serial", "note", "encrypted"] as const).filter((f) => a[f] !== e[f]);
        Object.assign(a, { tag: e.tag, name: e.name, model: e.model, serial: e.serial, note: e.note, encrypted: e.encrypted });
        return changed.length > 0 ? wrote(changed) : changed;
      }
      default:
        throw fail("internal", `the fake backend does not answer ${request.call}`);
    }
  };

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
      case "office_call":
        return officeCall((args as { call: Call }).call);
      case "verify_store":
        return { entries: journalSeq, head: `${journalSeq}:0000`, records: assets.length, tables: 12 };
      case "backup_store":
        return { path: "/home/user/Documents/azukari-backup.db", head: null };
      case "restore_store":
        return null;
      case "import_register": {
        const { raw, headers } = args as { raw: Uint8Array; headers: Record<string, string> };
        if (!options.importer) throw fail("internal", "no importer");
        journalSeq += headers["azukari-dry-run"] === "true" ? 0 : 1;
        return options.importer({ name: decodeURIComponent(headers["azukari-file-name"]), bytes: raw }, headers["azukari-kind"], {
          dry_run: headers["azukari-dry-run"] === "true",
          add_organisations: headers["azukari-add-organisations"] === "true",
        });
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
