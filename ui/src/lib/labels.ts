// Enum value -> catalogue key. Records keep these complete at compile time:
// a new variant generated from Rust makes `npm run check` fail until it has a word.
import type { AssetKind } from "../bindings/AssetKind";
import type { AssetRow } from "../bindings/AssetRow";
import type { AssetStatus } from "../bindings/AssetStatus";
import type { Classification } from "../bindings/Classification";
import type { CsvText } from "../bindings/CsvText";
import type { LedgerFormat } from "../bindings/LedgerFormat";
import type { LedgerGrouping } from "../bindings/LedgerGrouping";
import type { LedgerKind } from "../bindings/LedgerKind";
import type { ReturnCondition } from "../bindings/ReturnCondition";
import type { Role } from "../bindings/Role";
import type { Key } from "../i18n/ja";
import { today } from "./format";

export const STATUS_KEYS: Record<AssetStatus, Key> = {
  available: "status.available",
  on_loan: "status.on_loan",
  carried_out: "status.carried_out",
  lost: "status.lost",
  in_repair: "status.in_repair",
  retired: "status.retired",
};

export const KIND_KEYS: Record<AssetKind, Key> = {
  pc: "kind.pc",
  phone: "kind.phone",
  entry_badge: "kind.entry_badge",
  id_card: "kind.id_card",
  usb_media: "kind.usb_media",
  external_disk: "kind.external_disk",
  optical_media: "kind.optical_media",
  other: "kind.other",
};

export const ROLE_KEYS: Record<Role, Key> = {
  custodian: "role.custodian",
  site_responsible: "role.site_responsible",
  security_office: "role.security_office",
  auditor: "role.auditor",
};

export const CLASSIFICATION_KEYS: Record<Classification, Key> = {
  public: "classification.public",
  internal: "classification.internal",
  confidential: "classification.confidential",
  personal_data: "classification.personal_data",
};

export const CONDITION_KEYS: Record<ReturnCondition, Key> = {
  ok: "condition.ok",
  damaged: "condition.damaged",
};

export const LEDGER_KEYS: Record<LedgerKind, Key> = {
  custody: "ledger.custody",
  labels: "ledger.labels",
};

export const GROUPING_KEYS: Record<LedgerGrouping, Key> = {
  none: "grouping.none",
  custodian: "grouping.custodian",
  organisation: "grouping.organisation",
  site: "grouping.site",
  kind: "grouping.kind",
};

export const FORMAT_KEYS: Record<LedgerFormat, Key> = {
  pdf: "format.pdf",
  csv: "format.csv",
  xlsx: "format.xlsx",
};

export const CSV_TEXT_KEYS: Record<CsvText, Key> = {
  utf8: "csvText.utf8",
  cp932: "csvText.cp932",
};

/** Roles that may print ledgers (the backend refuses everyone else). */
export const PRINT_ROLES: readonly Role[] = ["security_office", "auditor"];

export function canPrint(roles: readonly Role[]): boolean {
  return roles.some((r) => PRINT_ROLES.includes(r));
}

export const STATUSES = Object.keys(STATUS_KEYS) as AssetStatus[];
export const KINDS = Object.keys(KIND_KEYS) as AssetKind[];
export const LEDGERS = Object.keys(LEDGER_KEYS) as LedgerKind[];
export const GROUPINGS = Object.keys(GROUPING_KEYS) as LedgerGrouping[];
export const FORMATS = Object.keys(FORMAT_KEYS) as LedgerFormat[];
export const CSV_TEXTS = Object.keys(CSV_TEXT_KEYS) as CsvText[];

export function isStatus(v: string | null | undefined): v is AssetStatus {
  return v != null && Object.hasOwn(STATUS_KEYS, v);
}

export function isKind(v: string | null | undefined): v is AssetKind {
  return v != null && Object.hasOwn(KIND_KEYS, v);
}

/** On loan and the due date is before today (local). */
export function isOverdue(asset: AssetRow, todayDay: string = today()): boolean {
  const due = asset.loan?.due_on;
  return asset.status === "on_loan" && due != null && due < todayDay;
}

/** On loan and the custodian has not yet acknowledged receipt. */
export function awaitingReceipt(asset: AssetRow): boolean {
  return asset.status === "on_loan" && asset.loan != null && asset.loan.acknowledged_at == null;
}
