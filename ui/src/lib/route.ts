// The asset register's view (search, filters, sort, page) lives in the URL hash,
// e.g. #/assets?q=PC&status=on_loan&sort=due&desc=1&page=2, so a reload keeps it.
import type { AssetKind } from "../bindings/AssetKind";
import type { AssetSort } from "../bindings/AssetSort";
import type { AssetStatus } from "../bindings/AssetStatus";
import { isKind, isStatus } from "./labels";

export type AssetView = {
  q: string;
  status: AssetStatus | null;
  kind: AssetKind | null;
  /** Only items whose receipt is not acknowledged yet (the overview's link). */
  unacked: boolean;
  /** Only items due before this day, YYYY-MM-DD: returns overdue (the overview's link). */
  dueBefore: string | null;
  sort: AssetSort;
  desc: boolean;
  /** 1-based */
  page: number;
};

export const ASSETS_PATH = "#/assets";
/** 台帳出力 / Print ledgers. */
export const PRINT_PATH = "#/print";
export const HOME_PATH = "#/home";

/** Every screen, in the order the navigation shows them. */
export const SCREENS = [
  "home",
  "assets",
  "people",
  "organisations",
  "accounts",
  "import",
  "print",
  "maintenance",
] as const;
export type Screen = (typeof SCREENS)[number];

export const pathOf = (screen: Screen) => `#/${screen}`;

/** Whether a hash names one of the screens (a reload keeps it; anything else starts at home). */
export function namesScreen(hash: string): boolean {
  return SCREENS.some((screen) => hash === pathOf(screen) || hash.startsWith(`${pathOf(screen)}?`));
}

/** The screen a hash asks for; anything unknown is the register. */
export function screenOf(hash: string): Screen {
  const name = hash.replace(/^#\//, "").split(/[?/]/)[0];
  return (SCREENS as readonly string[]).includes(name) ? (name as Screen) : "assets";
}

const SORTS: readonly AssetSort[] = ["tag", "kind", "name", "status", "custodian", "due"];

export function defaultView(): AssetView {
  return { q: "", status: null, kind: null, unacked: false, dueBefore: null, sort: "tag", desc: false, page: 1 };
}

export function parseAssetHash(hash: string): AssetView {
  const view = defaultView();
  const i = hash.indexOf("?");
  if (i < 0) return view;
  const p = new URLSearchParams(hash.slice(i + 1));
  view.q = p.get("q") ?? "";
  const status = p.get("status");
  if (isStatus(status)) view.status = status;
  const kind = p.get("kind");
  if (isKind(kind)) view.kind = kind;
  view.unacked = p.get("unacked") === "1";
  const due = p.get("due");
  if (due && /^\d{4}-\d{2}-\d{2}$/.test(due)) view.dueBefore = due;
  const sort = p.get("sort");
  if (sort && (SORTS as readonly string[]).includes(sort)) view.sort = sort as AssetSort;
  view.desc = p.get("desc") === "1";
  const page = Number.parseInt(p.get("page") ?? "", 10);
  if (Number.isFinite(page) && page > 1) view.page = page;
  return view;
}

/** The hash for a view; default values are left out. */
export function assetHash(view: AssetView): string {
  const p = new URLSearchParams();
  if (view.q) p.set("q", view.q);
  if (view.status) p.set("status", view.status);
  if (view.kind) p.set("kind", view.kind);
  if (view.unacked) p.set("unacked", "1");
  if (view.dueBefore) p.set("due", view.dueBefore);
  if (view.sort !== "tag") p.set("sort", view.sort);
  if (view.desc) p.set("desc", "1");
  if (view.page > 1) p.set("page", String(view.page));
  const s = p.toString();
  return s ? `${ASSETS_PATH}?${s}` : ASSETS_PATH;
}
