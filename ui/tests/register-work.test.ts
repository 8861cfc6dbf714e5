// Register work in the detail pane: issuing with the person picker, taking back, marking,
// editing, adding an asset, and the asset's loans and statuses on one timeline.
import { fireEvent, render, waitFor } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import type { PersonRow } from "../src/bindings/PersonRow";
import AssetRegister from "../src/components/AssetRegister.svelte";
import { ja } from "../src/i18n/ja";
import { signedIn } from "../src/lib/session.svelte";
import { asset, expectAccessible, loan, mainLandmark, setup } from "./helpers";

const el = <T extends HTMLElement = HTMLInputElement>(id: string) => document.getElementById(id) as T;
const type = (id: string, value: string) => fireEvent.input(el(id), { target: { value } });

function person(id: number, name: string, organisation = "株式会社サンプル"): PersonRow {
  return { id, name, kana: null, organisation_id: 1, organisation, email: null, employee_number: `E-${id}`, active: true };
}

const office = { account_id: 1, login: "admin", roles: ["security_office" as const], person_id: null, must_change_password: false };

async function openAsset(tag: string) {
  await waitFor(() => expect(document.querySelector(`tr[data-tag="${tag}"]`)).toBeTruthy());
  await fireEvent.click(document.querySelector(`tr[data-tag="${tag}"]`) as HTMLElement);
  await waitFor(() => expect(el("detail-title").textContent).toContain(tag));
}

const officeCalls = (fake: ReturnType<typeof setup>) =>
  fake.callsOf("office_call").map((c) => (c.args as { call: { call: string; args?: unknown } }).call);

describe("register work", () => {
  it("issues with the person picker, tells two 山田 apart, and shows a refusal on the due date", async () => {
    const fake = setup({
      assets: [asset("PC-0001")],
      people: [person(7, "山田 太郎"), person(8, "山田 太郎", "協力会社X"), person(9, "佐藤 花子")],
    });
    signedIn.session = office;
    render(AssetRegister, { target: mainLandmark() });
    await openAsset("PC-0001");
    await fireEvent.click(el("action-issue"));
    await waitFor(() => expect(document.activeElement?.id).toBe("loan-person-search"));
    await waitFor(() => expect(el<HTMLSelectElement>("loan-person").options.length).toBe(3));
    await type("loan-person-search", "協力");
    await waitFor(() => expect(el<HTMLSelectElement>("loan-person").options.length).toBe(1));
    expect(el<HTMLSelectElement>("loan-person").options[0].textContent).toContain("山田 太郎（協力会社X・E-8）");
    await fireEvent.change(el<HTMLSelectElement>("loan-person"), { target: { value: "8" } });
    await type("loan-due", "2026-01-01");
    await type("loan-place", "自宅 書斎");
    await fireEvent.click(el("loan-save"));
    await waitFor(() => expect(el("loan-error")).toBeTruthy());
    expect(el("loan-due").getAttribute("aria-invalid")).toBe("true");
    expect(el("loan-due").nextElementSibling?.id).toBe("loan-error");
    expect(el("loan-place")).toHaveProperty("value", "自宅 書斎");
    await expectAccessible();

    await type("loan-due", "2027-03-31");
    await fireEvent.click(el("loan-save"));
    await waitFor(() => expect(document.querySelector('[data-loan]')).toBeTruthy());
    const issued = officeCalls(fake).find((c) => c.call === "issue_loan" && (c.args as { due: string }).due === "2027-03-31");
    expect(issued?.args).toEqual({ tag: "PC-0001", to: { id: 8 }, due: "2027-03-31", place: "自宅 書斎", site: null });
    expect(el("action-return")).toBeTruthy();
  });

  it("takes an item back damaged, then it shows in repair with Repaired offered", async () => {
    const fake = setup({ assets: [asset("PC-0002", { status: "on_loan", loan: loan("PC-0002") })] });
    signedIn.session = office;
    render(AssetRegister, { target: mainLandmark() });
    await openAsset("PC-0002");
    await fireEvent.click(el("action-return"));
    await fireEvent.click(el("return-damaged"));
    await type("action-note", "画面割れ");
    await fireEvent.click(el("action-save"));
    await waitFor(() => expect(document.querySelector('[data-mark="available"]')).toBeTruthy());
    expect(document.querySelector('[data-mark="available"]')?.textContent).toBe(ja["action.repaired"]);
    expect(officeCalls(fake).find((c) => c.call === "return_loan")?.args).toEqual({ tag: "PC-0002", condition: "damaged", note: "画面割れ" });
    await expectAccessible();
  });

  it("marks an item lost, and a refusal is shown on the form", async () => {
    setup({
      assets: [asset("PC-0003", { status: "on_loan", loan: loan("PC-0003") })],
      office: {
        mark_asset: () => {
          throw { code: "conflict", message: "資産 PC-0003 は既に紛失です", field: "status" };
        },
      },
    });
    signedIn.session = office;
    render(AssetRegister, { target: mainLandmark() });
    await openAsset("PC-0003");
    expect(document.querySelector('[data-mark="in_repair"]')).toBeNull();
    await fireEvent.click(document.querySelector('[data-mark="lost"]') as HTMLElement);
    await type("action-note", "電車内");
    await fireEvent.click(el("action-save"));
    await waitFor(() => expect(el("action-error").textContent).toContain("既に紛失"));
    expect(el("action-note").getAttribute("aria-invalid")).toBe("true");
    expect(el("action-note")).toHaveProperty("value", "電車内");
  });

  it("adds an asset, the tag taken is refused on its field, and edits one", async () => {
    const fake = setup({ assets: [asset("PC-0001")] });
    signedIn.session = office;
    render(AssetRegister, { target: mainLandmark() });
    await waitFor(() => expect(el("asset-new")).toBeTruthy());
    await fireEvent.click(el("asset-new"));
    await type("asset-form-tag", "PC-0001");
    await type("asset-form-name", "ThinkPad");
    await fireEvent.click(el("asset-form-save"));
    await waitFor(() => expect(el("asset-form-error")).toBeTruthy());
    expect(el("asset-form-tag").getAttribute("aria-invalid")).toBe("true");
    await expectAccessible();
    await type("asset-form-tag", "PC-0009");
    await fireEvent.change(el<HTMLSelectElement>("asset-form-kind"), { target: { value: "phone" } });
    await fireEvent.click(el("asset-form-save"));
    await waitFor(() => expect(document.querySelector('tr[data-tag="PC-0009"]')).toBeTruthy());
    expect(officeCalls(fake).filter((c) => c.call === "add_asset").at(-1)?.args).toMatchObject({ tag: "PC-0009", kind: "phone", name: "ThinkPad" });

    await openAsset("PC-0001");
    await fireEvent.click(el("action-edit"));
    await type("asset-form-serial", "SN-NEW");
    await fireEvent.click(el("asset-form-save"));
    await waitFor(() => expect(officeCalls(fake).some((c) => c.call === "edit_asset")).toBe(true));
    expect(officeCalls(fake).find((c) => c.call === "edit_asset")?.args).toMatchObject({ tag: "PC-0001", asset: { serial: "SN-NEW" } });
  });

  it("lays loans and status periods on one timeline, and offers no actions to a custodian", async () => {
    setup({
      assets: [asset("PC-0004", { status: "lost" })],
      histories: { "PC-0004": [loan("PC-0004", { issued_at: "2026-04-01T00:00:00Z", returned_at: "2026-06-01T00:00:00Z" })] },
      statuses: {
        "PC-0004": [
          { status: "in_repair", began_at: "2026-06-01T00:00:00Z", began_by: "admin", note: "画面割れ", ended_at: "2026-07-01T00:00:00Z", ended_by: "admin" },
          { status: "lost", began_at: "2026-10-01T00:00:00Z", began_by: "admin", note: "倉庫で所在不明", ended_at: null, ended_by: null },
        ],
      },
    });
    signedIn.session = { ...office, roles: ["custodian"], person_id: 7 };
    render(AssetRegister, { target: mainLandmark() });
    await openAsset("PC-0004");
    await waitFor(() => expect(document.querySelectorAll(".history > li")).toHaveLength(3));
    const order = [...document.querySelectorAll(".history > li")].map((li) => li.getAttribute("data-period") ?? "loan");
    expect(order).toEqual(["lost", "in_repair", "loan"]);
    expect(document.querySelector('[data-period="lost"]')?.textContent).toContain("倉庫で所在不明");
    expect(el("action-edit")).toBeNull();
    await expectAccessible();
  });
});
