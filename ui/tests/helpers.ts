import type { AssetRow } from "../src/bindings/AssetRow";
import type { LoanRow } from "../src/bindings/LoanRow";
import { setCurrentLang } from "../src/i18n/index.svelte";
import { setBackend } from "../src/ipc";
import { journal } from "../src/lib/journal.svelte";
import { createFakeBackend, type Fake, type FakeOptions } from "../src/ipc/fake";

let nextId = 1;

export function loan(tag: string, over: Partial<LoanRow> = {}): LoanRow {
  const id = nextId++;
  return {
    id,
    asset_id: id,
    tag,
    custodian_id: 7,
    custodian: "山田 太郎",
    custodian_organisation: "株式会社 北斗ソフト",
    issued_at: "2026-04-01T01:00:00Z",
    due_on: "2999-12-31",
    place: "本社 3F キャビネットA",
    site: null,
    acknowledged_at: "2026-04-01T02:00:00Z",
    returned_at: null,
    return_condition: null,
    return_note: null,
    ...over,
  };
}

export function asset(tag: string, over: Partial<AssetRow> = {}): AssetRow {
  const id = nextId++;
  return {
    id,
    tag,
    kind: "pc",
    name: "ノートPC",
    model: "ThinkPad X1 Carbon",
    serial: `SN-${tag}`,
    owner: "自社",
    classification: "confidential",
    encrypted: true,
    status: "available",
    note: null,
    loan: null,
    ...over,
  };
}

/** Installs a fresh fake backend, Japanese display and an empty hash. */
export function setup(options: FakeOptions = {}): Fake {
  const fake = createFakeBackend(options);
  setBackend(fake.backend);
  setCurrentLang("ja", false);
  // The journal heard by an earlier test's app is not this one's.
  journal.seq = null;
  localStorage.clear();
  history.replaceState(null, "", "#/assets");
  return fake;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs axe-core over the document and fails with every violation named. Colour contrast is
 * left to the screenshots: jsdom lays nothing out, so axe cannot measure it here. */
export async function expectAccessible(root: Element = document.body): Promise<void> {
  const axe = (await import("axe-core")).default;
  const result = await axe.run(root, {
    rules: { "color-contrast": { enabled: false } },
  });
  const problems = result.violations.map(
    (v) => `${v.id}: ${v.help}\n  ${v.nodes.map((n) => n.target.join(" ")).join("\n  ")}`,
  );
  // axe no longer checks every id for uniqueness; a label or a test finding the wrong element
  // by a repeated id is as broken for a person as for a test.
  const ids = [...document.querySelectorAll("[id]")].map((e) => e.id);
  const repeated = [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
  if (repeated.length > 0) problems.push(`duplicate-id: ${repeated.join(", ")}`);
  if (problems.length > 0) throw new Error(`accessibility violations:\n${problems.join("\n")}`);
}

/** A `<main>` to render one screen into, as the app does: axe asks for content in landmarks. */
export function mainLandmark(): HTMLElement {
  document.querySelectorAll("main[data-test-main]").forEach((old) => old.remove());
  const main = document.createElement("main");
  main.dataset.testMain = "";
  document.body.appendChild(main);
  return main;
}
