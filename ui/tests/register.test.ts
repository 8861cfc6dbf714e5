import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import type { AssetRow } from "../src/bindings/AssetRow";
import AssetRegister from "../src/components/AssetRegister.svelte";
import { setCurrentLang } from "../src/i18n/index.svelte";
import { ja } from "../src/i18n/ja";
import { asset, loan, setup, sleep } from "./helpers";

const table = () => document.getElementById("asset-table") as HTMLTableElement;
const bodyRows = () => Array.from(table().querySelectorAll<HTMLTableRowElement>("tbody tr[data-tag]"));
const tags = () => bodyRows().map((r) => r.dataset.tag);
const total = () => document.getElementById("asset-total")!.textContent ?? "";
const row = (tag: string) => table().querySelector<HTMLTableRowElement>(`tr[data-tag="${tag}"]`)!;

function many(n: number): AssetRow[] {
  return Array.from({ length: n }, (_, i) => asset(`PC-${String(i + 1).padStart(5, "0")}`));
}

const sample = (): AssetRow[] => [
  asset("PC-00001", {
    status: "on_loan",
    loan: loan("PC-00001", { custodian: "山田 太郎", custodian_organisation: "株式会社 北斗ソフト", due_on: "2000-01-31" }),
  }),
  asset("PH-00001", {
    kind: "phone",
    name: "社用携帯",
    model: "iPhone 15",
    status: "on_loan",
    loan: loan("PH-00001", { custodian: "佐藤 花子", acknowledged_at: null }),
  }),
  asset("EB-00001", { kind: "entry_badge", name: "入館証", model: null, serial: null, status: "lost" }),
  asset("USB-00001", { kind: "usb_media", name: "USBメモリ", status: "available" }),
];

describe("asset register", () => {
  it("renders the backend's rows and the total", async () => {
    const fake = setup({ assets: sample() });
    render(AssetRegister);

    await waitFor(() => expect(bodyRows()).toHaveLength(4));
    expect(tags()).toEqual(["EB-00001", "PC-00001", "PH-00001", "USB-00001"]);
    expect(total()).toContain("4");
    const pc = row("PC-00001");
    expect(pc.textContent).toContain("山田 太郎");
    expect(pc.textContent).toContain("株式会社 北斗ソフト");
    expect(pc.textContent).toContain("ThinkPad X1 Carbon");
    expect(pc.textContent).toContain("ノートPC");
    expect(pc.textContent).toContain("2000/01/31");
    expect(fake.lastQuery()).toEqual({
      status: null,
      kind: null,
      holder: null,
      search: null,
      unacknowledged: false,
      due_before: null,
      sort: "tag",
      descending: false,
      offset: 0,
      limit: 100,
    });
  });

  it("shows the status as a badge with its word, and overdue / awaiting receipt as words", async () => {
    setup({ assets: sample() });
    render(AssetRegister);
    await waitFor(() => expect(bodyRows()).toHaveLength(4));

    const badge = (tag: string) => row(tag).querySelector("[data-status]")!;
    expect(badge("PC-00001").textContent).toBe("貸与中");
    expect(badge("EB-00001").textContent).toBe("紛失");
    expect(badge("USB-00001").textContent).toBe("在庫");
    expect(row("PC-00001").querySelector('[data-flag="overdue"]')?.textContent).toBe("期限超過");
    expect(row("PH-00001").querySelector('[data-flag="overdue"]')).toBeNull();
    expect(row("PH-00001").querySelector('[data-flag="awaiting-receipt"]')?.textContent).toBe("受領確認待ち");
    expect(row("PC-00001").querySelector('[data-flag="awaiting-receipt"]')).toBeNull();

    setCurrentLang("en", false);
    await waitFor(() => expect(badge("PC-00001").textContent).toBe("On loan"));
    expect(row("PC-00001").textContent).toContain("2000-01-31");
    expect(row("PC-00001").querySelector('[data-flag="overdue"]')?.textContent).toBe("Overdue");
  });

  it("shows the range and total, and pages through with the pager", async () => {
    const fake = setup({ assets: many(250) });
    render(AssetRegister);
    await waitFor(() => expect(bodyRows()).toHaveLength(100));
    expect(total()).toBe("1–100 / 250件");

    await fireEvent.click(screen.getByRole("button", { name: ja["pager.next"] }));
    await waitFor(() => expect(tags()[0]).toBe("PC-00101"));
    expect(fake.lastQuery()).toMatchObject({ offset: 100, limit: 100 });
    expect(total()).toBe("101–200 / 250件");
    expect(location.hash).toContain("page=2");

    await fireEvent.click(screen.getByRole("button", { name: ja["pager.last"] }));
    await waitFor(() => expect(bodyRows()).toHaveLength(50));
    expect(fake.lastQuery()).toMatchObject({ offset: 200 });
    expect(screen.getByRole("button", { name: ja["pager.next"] })).toHaveProperty("disabled", true);

    await fireEvent.click(screen.getByRole("button", { name: ja["pager.first"] }));
    await waitFor(() => expect(tags()[0]).toBe("PC-00001"));
    expect(fake.lastQuery()).toMatchObject({ offset: 0 });
  });

  it("sorts by a column header, toggling ascending and descending", async () => {
    const fake = setup({ assets: sample() });
    render(AssetRegister);
    await waitFor(() => expect(bodyRows()).toHaveLength(4));

    const dueHeader = () => screen.getByRole("button", { name: new RegExp(ja["col.due"]) });
    await fireEvent.click(dueHeader());
    await waitFor(() => expect(fake.lastQuery()).toMatchObject({ sort: "due", descending: false, offset: 0 }));
    expect(dueHeader().closest("th")!.getAttribute("aria-sort")).toBe("ascending");

    await fireEvent.click(dueHeader());
    await waitFor(() => expect(fake.lastQuery()).toMatchObject({ sort: "due", descending: true }));
    expect(dueHeader().closest("th")!.getAttribute("aria-sort")).toBe("descending");
    expect(location.hash).toContain("sort=due");
    expect(location.hash).toContain("desc=1");

    await fireEvent.click(screen.getByRole("button", { name: new RegExp(ja["col.custodian"]) }));
    await waitFor(() => expect(fake.lastQuery()).toMatchObject({ sort: "custodian", descending: false }));
    // Only sortable columns have buttons.
    expect(screen.queryByRole("button", { name: new RegExp(ja["col.serial"]) })).toBeNull();
  });

  it("sends the search text once typing pauses", async () => {
    const fake = setup({ assets: sample() });
    render(AssetRegister);
    await waitFor(() => expect(bodyRows()).toHaveLength(4));
    const box = document.getElementById("asset-search") as HTMLInputElement;

    await fireEvent.input(box, { target: { value: "P" } });
    await fireEvent.input(box, { target: { value: "PH" } });
    await fireEvent.input(box, { target: { value: "PH-0" } });
    await sleep(50);
    expect(fake.callsOf("asset_page")).toHaveLength(1); // not yet: still debouncing

    await waitFor(() => expect(fake.lastQuery()?.search).toBe("PH-0"));
    const searches = fake.callsOf("asset_page").map((c) => (c.args as { query: { search: string | null } }).query.search);
    expect(searches).toEqual([null, "PH-0"]);
    await waitFor(() => expect(tags()).toEqual(["PH-00001"]));
    expect(location.hash).toContain("q=PH-0");
  });

  it("filters by status and kind on the server", async () => {
    const fake = setup({ assets: sample() });
    render(AssetRegister);
    await waitFor(() => expect(bodyRows()).toHaveLength(4));

    await fireEvent.change(screen.getByLabelText(ja["assets.filterStatus"]), { target: { value: "on_loan" } });
    await waitFor(() => expect(tags()).toEqual(["PC-00001", "PH-00001"]));
    expect(fake.lastQuery()).toMatchObject({ status: "on_loan", kind: null });

    await fireEvent.change(screen.getByLabelText(ja["assets.filterKind"]), { target: { value: "phone" } });
    await waitFor(() => expect(tags()).toEqual(["PH-00001"]));
    expect(fake.lastQuery()).toMatchObject({ status: "on_loan", kind: "phone" });
    expect(location.hash).toContain("status=on_loan");
    expect(location.hash).toContain("kind=phone");
  });

  it("clears search and filters with one button, and shows every row again", async () => {
    const fake = setup({ assets: sample() });
    render(AssetRegister);
    await waitFor(() => expect(bodyRows()).toHaveLength(4));
    const box = document.getElementById("asset-search") as HTMLInputElement;
    await fireEvent.input(box, { target: { value: "PH-0" } });
    await waitFor(() => expect(tags()).toEqual(["PH-00001"]));

    await fireEvent.click(screen.getByRole("button", { name: ja["assets.clearFilters"] }));
    await waitFor(() => expect(bodyRows()).toHaveLength(4));
    expect(fake.lastQuery()).toMatchObject({ search: null, status: null, kind: null });
    expect(box.value).toBe("");
  });

  it("says so clearly when nothing matches", async () => {
    setup({ assets: sample() });
    history.replaceState(null, "", "#/assets?q=nothing-like-this");
    render(AssetRegister);
    await waitFor(() => expect(table().textContent).toContain(ja["assets.empty"]));
    expect(bodyRows()).toHaveLength(0);
    expect(total()).toContain("0");
  });

  it("restores search, filters, sort and page from the URL hash", async () => {
    const fake = setup({ assets: many(250) });
    history.replaceState(null, "", "#/assets?q=PC&kind=pc&sort=name&desc=1&page=2");
    render(AssetRegister);
    await waitFor(() => expect(bodyRows()).toHaveLength(100));
    expect(fake.callsOf("asset_page")[0].args).toEqual({
      query: {
        status: null,
        kind: "pc",
        holder: null,
        search: "PC",
        unacknowledged: false,
        due_before: null,
        sort: "name",
        descending: true,
        offset: 100,
        limit: 100,
      },
    });
    expect((document.getElementById("asset-search") as HTMLInputElement).value).toBe("PC");
  });

  it("moves between rows with the arrow keys, opens the detail with Enter and closes it with Esc", async () => {
    const history1 = loan("PC-00001", { issued_at: "2025-01-10T00:00:00Z", returned_at: "2025-03-01T00:00:00Z", custodian: "旧 利用者", return_condition: "damaged", return_note: "画面に傷" });
    const current = loan("PC-00001", { issued_at: "2026-04-01T00:00:00Z", custodian: "山田 太郎" });
    const fake = setup({
      assets: sample(),
      histories: { "PC-00001": [history1, current] },
    });
    render(AssetRegister);
    await waitFor(() => expect(bodyRows()).toHaveLength(4));

    const rows = bodyRows();
    expect(rows.map((r) => r.tabIndex)).toEqual([0, -1, -1, -1]);
    rows[0].focus();
    await fireEvent.keyDown(rows[0], { key: "ArrowDown" });
    expect(document.activeElement).toBe(rows[1]);
    expect(rows[1].tabIndex).toBe(0);
    await fireEvent.keyDown(rows[1], { key: "ArrowUp" });
    expect(document.activeElement).toBe(rows[0]);
    await fireEvent.keyDown(rows[0], { key: "ArrowDown" });

    await fireEvent.keyDown(rows[1], { key: "Enter" });
    const pane = await screen.findByRole("complementary");
    expect(fake.callsOf("asset_detail")[0].args).toEqual({ tag: "PC-00001" });
    await waitFor(() => expect(pane.querySelectorAll("li[data-loan]")).toHaveLength(2));
    const items = Array.from(pane.querySelectorAll("li[data-loan]"));
    expect(items[0].textContent).toContain("山田 太郎"); // newest first
    expect(items[1].textContent).toContain("旧 利用者");
    expect(items[1].textContent).toContain(ja["condition.damaged"]);
    expect(items[1].textContent).toContain("画面に傷");
    expect(within(pane).getByText("ThinkPad X1 Carbon")).toBeTruthy();
    expect(row("PC-00001").getAttribute("aria-current")).toBe("true");

    await fireEvent.keyDown(window, { key: "Escape" });
    await waitFor(() => expect(screen.queryByRole("complementary")).toBeNull());
  });

  it("opens the detail on click", async () => {
    const fake = setup({ assets: sample() });
    render(AssetRegister);
    await waitFor(() => expect(bodyRows()).toHaveLength(4));
    await fireEvent.click(row("EB-00001"));
    const pane = await screen.findByRole("complementary");
    await waitFor(() => expect(within(pane).getByText(ja["detail.historyEmpty"])).toBeTruthy());
    expect(fake.lastQuery()).toBeDefined();
    expect(fake.callsOf("asset_detail").map((c) => c.args)).toEqual([{ tag: "EB-00001" }]);
    expect(within(pane).getAllByText("紛失").length).toBeGreaterThan(0);
  });

  it("shows a failure from the backend in role=alert", async () => {
    setup({
      handlers: {
        asset_page: () => {
          throw { code: "forbidden", message: "この操作の権限がありません。", field: null };
        },
      },
    });
    render(AssetRegister);
    expect((await screen.findByRole("alert")).textContent).toContain("この操作の権限がありません。");
  });
});
