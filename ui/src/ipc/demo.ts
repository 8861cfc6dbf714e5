// Deterministic sample data for tests and the demo build.
import type { AssetKind } from "../bindings/AssetKind";
import type { AssetRow } from "../bindings/AssetRow";
import type { AssetStatus } from "../bindings/AssetStatus";
import type { Classification } from "../bindings/Classification";
import type { LoanRow } from "../bindings/LoanRow";

const FAMILY = ["山田", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "中村", "小林", "加藤"];
const GIVEN = ["太郎", "花子", "一郎", "美咲", "健太", "由美", "翔", "陽子", "大輔", "さくら"];
const ORGS = ["自社 情報システム部", "自社 営業部", "株式会社 北斗ソフト", "合同会社 みなと技研", "株式会社 青葉データ"];
const PLACES = ["本社 3F キャビネットA", "大阪現場 事務所", "本社 2F 施錠ロッカー", "名古屋現場 金庫", null];

const MODELS: Record<AssetKind, [string, string][]> = {
  pc: [["ノートPC", "ThinkPad X1 Carbon Gen 12"], ["ノートPC", "Latitude 7450"], ["ノートPC", "MacBook Air 13"]],
  phone: [["社用携帯", "iPhone 15"], ["社用携帯", "Galaxy A55"]],
  entry_badge: [["入館証（本社）", "FeliCa カード"], ["入館証（大阪現場）", "MIFARE カード"]],
  id_card: [["社員証", "ICカード"]],
  usb_media: [["暗号化USBメモリ 32GB", "IronKey D300S"], ["USBメモリ 16GB", "TransMemory"]],
  external_disk: [["外付けHDD 2TB", "HD-PCG2.0U3"]],
  optical_media: [["DVD-R（納品用）", "DVD-R 4.7GB"]],
  other: [["モバイルルーター", "Speed Wi-Fi 5G"]],
};
const KINDS = Object.keys(MODELS) as AssetKind[];
const PREFIX: Record<AssetKind, string> = {
  pc: "PC",
  phone: "PH",
  entry_badge: "EB",
  id_card: "ID",
  usb_media: "USB",
  external_disk: "HDD",
  optical_media: "OPT",
  other: "OTH",
};
const STATUSES: AssetStatus[] = [
  "on_loan", "on_loan", "on_loan", "available", "available", "carried_out", "in_repair", "lost", "retired", "on_loan",
];
const CLASSES: Classification[] = ["internal", "confidential", "personal_data", "public"];

/** A small deterministic generator (mulberry32). */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, w: number) => String(n).padStart(w, "0");

function day(base: Date, offsetDays: number): string {
  const d = new Date(base.getTime() + offsetDays * 86_400_000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

export function demoAssets(count: number, seed = 7, now: Date = new Date()): AssetRow[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const counters: Partial<Record<AssetKind, number>> = {};
  const rows: AssetRow[] = [];
  for (let i = 1; i <= count; i++) {
    const kind = KINDS[i % KINDS.length];
    const n = (counters[kind] = (counters[kind] ?? 0) + 1);
    const [name, model] = pick(MODELS[kind]);
    const status = STATUSES[i % STATUSES.length];
    const tag = `${PREFIX[kind]}-${pad(n, 5)}`;
    let loan: LoanRow | null = null;
    if (status === "on_loan" || status === "carried_out" || status === "lost") {
      const issuedDaysAgo = Math.floor(r() * 200) + 1;
      const issued = new Date(now.getTime() - issuedDaysAgo * 86_400_000);
      const custodianId = Math.floor(r() * 100) + 1;
      loan = {
        id: i,
        asset_id: i,
        tag,
        custodian_id: custodianId,
        custodian: `${FAMILY[custodianId % 10]} ${GIVEN[Math.floor(custodianId / 10) % 10]}`,
        custodian_organisation: ORGS[custodianId % ORGS.length],
        issued_at: issued.toISOString(),
        due_on: r() < 0.85 ? day(now, Math.floor(r() * 120) - 20) : null,
        place: pick(PLACES),
        site: null,
        acknowledged_at: r() < 0.8 ? new Date(issued.getTime() + 3_600_000).toISOString() : null,
        returned_at: null,
        return_condition: null,
        return_note: null,
      };
    }
    rows.push({
      id: i,
      tag,
      kind,
      name,
      model,
      serial: kind === "entry_badge" || kind === "optical_media" ? null : `SN${pad(Math.floor(r() * 1e8), 8)}`,
      owner: r() < 0.85 ? "自社" : "株式会社 発注元商事",
      classification: pick(CLASSES),
      encrypted: kind === "pc" || kind === "usb_media" || r() < 0.3,
      status,
      note: r() < 0.1 ? "付属品：ACアダプタ、ケース" : null,
      loan,
    });
  }
  return rows;
}

/** A history for one asset: its current loan (if any) plus two returned loans. */
export function demoHistory(asset: AssetRow): LoanRow[] {
  const history: LoanRow[] = [];
  if (asset.loan) history.push(asset.loan);
  const base = asset.loan ? new Date(asset.loan.issued_at) : new Date();
  for (let k = 1; k <= 2; k++) {
    const issued = new Date(base.getTime() - k * 120 * 86_400_000);
    const returned = new Date(issued.getTime() + 90 * 86_400_000);
    history.push({
      id: asset.id * 10 + k,
      asset_id: asset.id,
      tag: asset.tag,
      custodian_id: 200 + k,
      custodian: k === 1 ? "中村 陽子" : "加藤 大輔",
      custodian_organisation: k === 1 ? "自社 営業部" : "株式会社 北斗ソフト",
      issued_at: issued.toISOString(),
      due_on: day(issued, 90),
      place: "本社 3F キャビネットA",
      site: null,
      acknowledged_at: new Date(issued.getTime() + 7_200_000).toISOString(),
      returned_at: returned.toISOString(),
      return_condition: k === 2 ? "damaged" : "ok",
      return_note: k === 2 ? "天板に擦り傷あり" : null,
    });
  }
  return history;
}
