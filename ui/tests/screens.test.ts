// The screens of every role: home, people, organisations and sites, accounts, import. Each is
// driven as a person would (typing, clicking), checked for what it asks of the backend and
// what it shows back, and run through axe-core.
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import App from "../src/App.svelte";
import type { ImportSummary } from "../src/bindings/ImportSummary";
import type { PersonRow } from "../src/bindings/PersonRow";
import type { Role } from "../src/bindings/Role";
import Accounts from "../src/components/Accounts.svelte";
import Maintenance from "../src/components/Maintenance.svelte";
import Home from "../src/components/Home.svelte";
import ImportRegister from "../src/components/ImportRegister.svelte";
import Organisations from "../src/components/Organisations.svelte";
import People from "../src/components/People.svelte";
import { en } from "../src/i18n/en";
import { ja } from "../src/i18n/ja";
import { setCurrentLang } from "../src/i18n/index.svelte";
import { screensFor } from "../src/lib/screens";
import { asset, expectAccessible, loan, mainLandmark, setup } from "./helpers";

const el = <T extends HTMLElement = HTMLInputElement>(id: string) => document.getElementById(id) as T;
const type = (id: string, value: string) => fireEvent.input(el(id), { target: { value } });

const session = (roles: Role[], person_id: number | null = 7) => ({
  account_id: 1,
  login: "someone",
  roles,
  person_id,
  must_change_password: false,
});

function person(id: number, name: string, over: Partial<PersonRow> = {}): PersonRow {
  return {
    id,
    name,
    kana: null,
    organisation_id: 1,
    organisation: "株式会社サンプル",
    email: null,
    employee_number: null,
    active: true,
    ...over,
  };
}

/** A register with a bit of everything the overview counts. */
function register() {
  return [
    asset("PC-0001", { status: "on_loan", loan: loan("PC-0001", { acknowledged_at: null, due_on: "2026-11-01" }) }),
    asset("PC-0002", { status: "on_loan", loan: loan("PC-0002", { custodian_id: 8, custodian: "佐藤 花子", site: "本社ビル" }) }),
    asset("PC-0003", { status: "lost" }),
    asset("PC-0004", { status: "in_repair" }),
    asset("PC-0005"),
  ];
}

describe("navigation", () => {
  it("shows each role the screens it can use, and a person with several roles each part", () => {
    expect(screensFor(["custodian"])).toEqual(["home", "assets"]);
    expect(screensFor(["site_responsible"])).toEqual(["home", "assets"]);
    expect(screensFor(["auditor"])).toEqual([
      "home",
      "assets",
      "people",
      "organisations",
      "accounts",
      "print",
      "maintenance",
    ]);
    expect(screensFor(["security_office"])).toEqual([
      "home",
      "assets",
      "people",
      "organisations",
      "accounts",
      "import",
      "print",
      "maintenance",
    ]);
    expect(screensFor(["custodian", "auditor"])).toEqual(screensFor(["auditor"]));
  });

  it("lands on home after login, and an address that is not theirs stays home", async () => {
    setup({
      accounts: [{ login: "kou", password: "pw", roles: ["custodian"], person_id: 7 }],
      assets: register(),
    });
    history.replaceState(null, "", "#/accounts");
    render(App);
    await waitFor(() => expect(el("login-login")).toBeTruthy());
    await type("login-login", "kou");
    await type("login-password", "pw");
    await fireEvent.click(el("login-submit"));
    await waitFor(() => expect(el("home-title")).toBeTruthy());
    expect(location.hash).toBe("#/home");
    expect(el("nav-accounts")).toBeNull();
    expect(el("nav-import")).toBeNull();
    await expectAccessible();
  });
});

describe("home", () => {
  it("gives the security office the register counted, each count a link to its list", async () => {
    setup({ assets: register() });
    render(Home, { target: mainLandmark(), props: { session: session(["security_office"], null) } });
    await waitFor(() => expect(el("count-on-loan").textContent).toContain("2"));
    const count = (id: string) => el(id).querySelector(".count")?.textContent;
    expect(count("count-unacked")).toBe("1");
    expect(count("count-overdue")).toBe("1");
    expect(count("count-lost")).toBe("1");
    expect(count("count-in-repair")).toBe("1");
    expect(el<HTMLAnchorElement>("count-unacked").getAttribute("href")).toBe("#/assets?unacked=1");
    expect(el<HTMLAnchorElement>("count-overdue").getAttribute("href")).toBe("#/assets?due=2026-11-21");
    expect(el<HTMLAnchorElement>("count-lost").getAttribute("href")).toBe("#/assets?status=lost");
    expect(el("my-items")).toBeNull();
    await expectAccessible();
  });

  it("gives a custodian the items they hold with acknowledge receipt, and their history", async () => {
    const fake = setup({
      assets: register(),
      histories: { "PH-0009": [loan("PH-0009", { returned_at: "2026-05-01T00:00:00Z" })] },
    });
    fake.session();
    render(Home, { target: mainLandmark(), props: { session: session(["custodian"]) } });
    await waitFor(() => expect(document.querySelector('#my-items tr[data-tag="PC-0001"]')).toBeTruthy());
    const row = document.querySelector('#my-items tr[data-tag="PC-0001"]') as HTMLElement;
    expect(row.textContent).toContain("ThinkPad X1 Carbon");
    expect(row.textContent).toContain(ja["status.overdue"]);
    expect(document.querySelector('#my-items tr[data-tag="PC-0002"]')).toBeNull();
    expect(el("my-history").textContent).toContain("PH-0009");
    expect(el("count-on-loan")).toBeNull();
    await expectAccessible();
    await fireEvent.click(within(row).getByRole("button", { name: ja["detail.acknowledge"] }));
    await waitFor(() => expect(fake.callsOf("acknowledge_loan")).toHaveLength(1));
    expect(fake.callsOf("acknowledge_loan")[0].args).toEqual({ tag: "PC-0001" });
  });

  it("gives a site responsible what is on loan for their sites", async () => {
    setup({ assets: register() });
    render(Home, { target: mainLandmark(), props: { session: session(["site_responsible"], 99) } });
    await waitFor(() => expect(document.querySelector('#site-loans tr[data-tag="PC-0002"]')).toBeTruthy());
    expect(el("site-loans").textContent).toContain("本社ビル");
    expect(el("site-loans").textContent).toContain("佐藤 花子");
    expect(document.querySelector('#site-loans tr[data-tag="PC-0001"]')).toBeNull();
    await expectAccessible();
  });

  it("gives someone with several roles each part", async () => {
    setup({ assets: register() });
    render(Home, { target: mainLandmark(), props: { session: session(["custodian", "site_responsible", "auditor"]) } });
    await waitFor(() => expect(el("count-on-loan")).toBeTruthy());
    await waitFor(() => expect(el("my-items")).toBeTruthy());
    expect(el("site-loans")).toBeTruthy();
    await expectAccessible();
  });
});

describe("people", () => {
  it("adds a person, shows a refusal on its field, and keeps who still holds items active", async () => {
    const fake = setup({
      assets: register(),
      organisations: [
        { id: 1, name: "株式会社サンプル", kind: "own" },
        { id: 2, name: "協力会社X", kind: "partner" },
      ],
      people: [person(7, "山田 太郎"), person(8, "佐藤 花子")],
    });
    render(People, { target: mainLandmark(), props: { session: session(["security_office"], null) } });
    await waitFor(() => expect(document.querySelector('#people-table tr[data-person="7"]')).toBeTruthy());
    await expectAccessible();

    await fireEvent.click(el("person-new"));
    // The keyboard goes on in the form that opened.
    await waitFor(() => expect(document.activeElement?.id).toBe("person-name"));
    await fireEvent.click(el("person-save"));
    expect(el("person-name").getAttribute("aria-invalid")).toBe("true");
    expect(el("person-error").textContent).toContain("氏名");
    // Said next to the field it is about.
    expect(el("person-name").nextElementSibling?.id).toBe("person-error");
    await type("person-name", "髙橋 一郎");
    await type("person-kana", "タカハシ イチロウ");
    await fireEvent.change(el<HTMLSelectElement>("person-org"), { target: { value: "協力会社X" } });
    await fireEvent.click(el("person-save"));
    await waitFor(() => expect(screen.getByText("髙橋 一郎")).toBeTruthy());
    const added = fake.callsOf("office_call").find((c) => (c.args as { call: { call: string } }).call.call === "add_person");
    expect((added?.args as { call: unknown }).call).toEqual({
      call: "add_person",
      args: { name: "髙橋 一郎", kana: "タカハシ イチロウ", organisation: "協力会社X", email: null, employee_number: null },
    });

    // 山田 holds PC-0001: the backend refuses, and says so on the active box.
    const yamada = document.querySelector('#people-table tr[data-person="7"]') as HTMLElement;
    await fireEvent.click(within(yamada).getByRole("button"));
    await fireEvent.click(el("person-active"));
    await fireEvent.click(el("person-save"));
    await waitFor(() => expect(el("person-error")).toBeTruthy());
    expect(el("person-active").getAttribute("aria-invalid")).toBe("true");
    expect(el("person-active").getAttribute("aria-describedby")).toContain("person-error");
    await expectAccessible();
  });

  it("is read only for the auditor", async () => {
    setup({ people: [person(7, "山田 太郎")] });
    render(People, { target: mainLandmark(), props: { session: session(["auditor"], null) } });
    await waitFor(() => expect(screen.getByText("山田 太郎")).toBeTruthy());
    expect(el("person-new")).toBeNull();
    expect(screen.queryByRole("button", { name: /編集/ })).toBeNull();
  });
});

describe("organisations and sites", () => {
  it("adds a customer and a site with its responsible", async () => {
    const fake = setup({ people: [person(7, "現場 責任子")] });
    render(Organisations, { target: mainLandmark(), props: { session: session(["security_office"], null) } });
    await waitFor(() => expect(screen.getByText("株式会社サンプル")).toBeTruthy());
    await fireEvent.click(el("org-new"));
    await type("org-name", "顧客A株式会社");
    await fireEvent.click(el("org-save"));
    await waitFor(() => expect(document.querySelector('#org-table tr[data-org="顧客A株式会社"]')).toBeTruthy());

    await fireEvent.click(el("site-new"));
    await type("site-name", "本社ビル 12階");
    const responsibles = el<HTMLSelectElement>("site-responsibles");
    responsibles.options[0].selected = true;
    await fireEvent.change(responsibles);
    await fireEvent.click(el("site-save"));
    await waitFor(() => expect(el("site-table").textContent).toContain("本社ビル 12階"));
    expect(el("site-table").textContent).toContain("現場 責任子");
    const site = fake.callsOf("office_call").map((c) => (c.args as { call: { call: string; args: unknown } }).call).find((c) => c.call === "add_site");
    expect(site?.args).toEqual({ organisation: "顧客A株式会社", name: "本社ビル 12階", address: null, responsibles: [{ id: 7 }] });
    await expectAccessible();
  });
});

describe("accounts", () => {
  it("adds an account with roles and a person, and resets a password with the refusal on its field", async () => {
    setup({ people: [person(7, "山田 太郎")] });
    render(Accounts, { target: mainLandmark(), props: { session: session(["security_office"], null) } });
    await waitFor(() => expect(document.querySelector('#account-table tr[data-login="admin"]')).toBeTruthy());
    await fireEvent.click(el("account-new"));
    await type("account-login", "yamada");
    await type("account-password", "first password");
    await fireEvent.change(el<HTMLSelectElement>("account-person"), { target: { value: "7" } });
    await fireEvent.click(el("account-role-site_responsible"));
    await fireEvent.click(el("account-save"));
    await waitFor(() => expect(document.querySelector('#account-table tr[data-login="yamada"]')).toBeTruthy());
    const row = document.querySelector('#account-table tr[data-login="yamada"]') as HTMLElement;
    expect(row.textContent).toContain("山田 太郎");
    expect(row.textContent).toContain("利用者・現場責任者");
    await expectAccessible();

    await fireEvent.click(row.querySelector('[data-action="reset"]') as HTMLElement);
    await type("reset-password", "short");
    await fireEvent.click(el("reset-save"));
    await waitFor(() => expect(el("reset-error")).toBeTruthy());
    expect(el("reset-password").getAttribute("aria-invalid")).toBe("true");
    await expectAccessible();
  });
});

describe("import", () => {
  const preview = (options: { add: boolean; dry: boolean }): ImportSummary => ({
    rows: 2,
    assets_added: 2,
    people_added: 1,
    loans_issued: 1,
    organisations_added: options.add ? 1 : 0,
    dry_run: options.dry,
    assets: [
      { row: 2, tag: "PC-0001", kind: "pc", name: "ThinkPad", serial: "SN1", owner: "顧客A", custodian: "髙橋 一郎", issued: "2026-04-01", due: null, place: "自宅" },
      { row: 3, tag: "PC-0002", kind: "pc", name: "ThinkPad", serial: null, owner: "株式会社サンプル", custodian: null, issued: null, due: null, place: null },
    ],
    people: [{ row: 2, name: "髙橋 一郎", kana: null, organisation: "株式会社サンプル", employee_number: null }],
    organisations: options.add ? [{ name: "顧客A", kind: "customer" }] : [],
  });

  it("previews the file, lists unknown organisations, adds them on request, then imports", async () => {
    const seen: { name: string; bytes: number[]; dry: boolean; add: boolean }[] = [];
    const fake = setup({
      importer: (file, _kind, options) => {
        seen.push({ name: file.name, bytes: [...file.bytes], dry: options.dry_run, add: options.add_organisations });
        if (!options.add_organisations) {
          throw {
            code: "unknown_organisations",
            message: "2行目、所有列（D）: 組織「顧客A」は台帳にありません。",
            field: "organisation",
          };
        }
        return preview({ add: true, dry: options.dry_run });
      },
    });
    render(ImportRegister, { target: mainLandmark() });
    await expectAccessible();
    const file = new File([new Uint8Array([0x8a, 0xc7, 0x97, 0x9d])], "台帳.csv", { type: "text/csv" });
    await fireEvent.change(el("import-file"), { target: { files: [file] } });
    await waitFor(() => expect(el("import-refusal").textContent).toContain("顧客A"));
    expect(seen[0]).toEqual({ name: "台帳.csv", bytes: [0x8a, 0xc7, 0x97, 0x9d], dry: true, add: false });
    expect(el("import-run")).toBeNull();
    await expectAccessible();

    await fireEvent.click(el("import-add-orgs"));
    await waitFor(() => expect(el("import-assets")).toBeTruthy());
    expect(el("import-new-orgs").textContent).toContain("顧客A");
    expect(el("import-assets").textContent).toContain("髙橋 一郎");
    expect(el("import-assets").textContent).toContain("2026/04/01");
    expect(el("import-people").textContent).toContain("髙橋 一郎");
    expect(fake.callsOf("import_register").every((c) => (c.args as { headers: Record<string, string> }).headers["azukari-dry-run"] === "true")).toBe(true);
    await expectAccessible();

    await fireEvent.click(el("import-run"));
    await waitFor(() => expect(el("import-done")).toBeTruthy());
    expect(seen.at(-1)).toMatchObject({ dry: false, add: true });
    expect(el("import-done").textContent).toContain("資産 2 件");
  });

  it("names the bad cell and offers no import", async () => {
    setup({
      importer: () => {
        throw { code: "import_rejected", message: "3行目、種別列（B）: 種別「ガラケー」は正しくありません", field: "kind" };
      },
    });
    setCurrentLang("en", false);
    render(ImportRegister, { target: mainLandmark() });
    const file = new File(["x"], "r.csv");
    await fireEvent.change(el("import-file"), { target: { files: [file] } });
    await waitFor(() => expect(el("import-refusal").textContent).toContain("3行目、種別列（B）"));
    expect(el("import-refusal").textContent).toContain(en["import.refused"]);
    expect(el("import-add-orgs")).toBeNull();
    expect(el("import-run")).toBeNull();
  });
});

describe("every screen of the app passes axe", () => {
  it("choose the place, first run, login, the register with an asset open, printing, and the rest", async () => {
    const fake = setup({
      status: { place: null, path: "", needs_first_account: true, time_zone: null },
      assets: register(),
      people: [person(7, "山田 太郎")],
    });
    history.replaceState(null, "", "#");
    render(App);
    await waitFor(() => expect(el("place-local")).toBeTruthy());
    await expectAccessible();
    await fireEvent.click(el("place-submit"));
    await waitFor(() => expect(el("first-org")).toBeTruthy());
    await expectAccessible();
    await type("first-org", "預り商事");
    await type("first-login", "admin");
    await type("first-password", "a long secret");
    await type("first-password2", "a long secret");
    await fireEvent.click(el("first-submit"));
    await waitFor(() => expect(el("home-title")).toBeTruthy());
    await waitFor(() => expect(el("count-on-loan")).toBeTruthy());
    await expectAccessible();
    for (const screenName of ["assets", "people", "organisations", "accounts", "import", "print", "maintenance"]) {
      await fireEvent.click(el(`nav-${screenName}`));
      await waitFor(() => expect(el(`nav-${screenName}`).getAttribute("aria-current")).toBe("page"));
      await expectAccessible();
    }
    await fireEvent.click(el("nav-assets"));
    await waitFor(() => expect(document.querySelector('tr[data-tag="PC-0001"]')).toBeTruthy());
    await fireEvent.click(document.querySelector('tr[data-tag="PC-0001"]') as HTMLElement);
    await waitFor(() => expect(fake.callsOf("asset_detail")).toHaveLength(1));
    await expectAccessible();
    await fireEvent.click(el("logout"));
    await waitFor(() => expect(el("login-login")).toBeTruthy());
    await expectAccessible();
  });
});

describe("backup, restore and verify", () => {
  it("verifies with progress and says the result in words; a failure is an alert", async () => {
    let broken = false;
    setup({
      handlers: {
        verify_store: (args) => {
          const { expect: head, onProgress } = args as { expect: string | null; onProgress: (p: { done: number; total: number }) => void };
          if (head === "nonsense") throw { code: "invalid_input", message: "'nonsense' is not a journal head", field: "expect" };
          if (broken) throw { code: "verify_failed", message: "journal entry 7: its hash does not match its content", field: null };
          onProgress({ done: 10000, total: 20000 });
          onProgress({ done: 20000, total: 20000 });
          return { entries: 20000, head: "20000:9f86d081884c7d65", records: 130000, tables: 12 };
        },
      },
    });
    render(Maintenance, { target: mainLandmark(), props: { session: session(["auditor"], null), local: true } });
    expect(el("backup-run")).toBeNull();
    expect(el("restore-run")).toBeNull();
    await fireEvent.click(el("verify-run"));
    await waitFor(() => expect(el("verify-result")).toBeTruthy());
    expect(el("verify-result").textContent).toContain("20,000");
    expect(el("verify-result").textContent).toContain("20000:9f86d081884c7d65");
    await expectAccessible();

    await type("verify-expect", "nonsense");
    await fireEvent.click(el("verify-run"));
    await waitFor(() => expect(el("verify-error")).toBeTruthy());
    expect(el("verify-expect").getAttribute("aria-invalid")).toBe("true");

    broken = true;
    await type("verify-expect", "");
    await fireEvent.click(el("verify-run"));
    await waitFor(() => expect(el("verify-error").textContent).toContain("journal entry 7"));
    expect(el("verify-error").getAttribute("role")).toBe("alert");
    expect(el("verify-result")).toBeNull();
    await expectAccessible();
  });

  it("backs up to the chosen file, says nothing when the dialog is cancelled, and restores only on this computer", async () => {
    let cancelled = false;
    const fake = setup({
      handlers: {
        backup_store: () => (cancelled ? null : { path: "/home/user/Documents/azukari-バックアップ.db", head: null }),
        restore_store: () => ({ path: "/home/user/Documents/azukari-restored.db", head: "42:abcdef" }),
      },
    });
    render(Maintenance, { target: mainLandmark(), props: { session: session(["security_office"], null), local: true } });
    await fireEvent.click(el("backup-run"));
    await waitFor(() => expect(el("saved-result").textContent).toContain("azukari-バックアップ.db"));
    cancelled = true;
    await fireEvent.click(el("backup-run"));
    await waitFor(() => expect(fake.callsOf("backup_store")).toHaveLength(2));
    await waitFor(() => expect(el("saved-result")).toBeNull());
    await fireEvent.click(el("restore-run"));
    await waitFor(() => expect(el("saved-result").textContent).toContain("42:abcdef"));
    await expectAccessible();
  });

  it("offers no restore when connected to an office server", async () => {
    setup();
    render(Maintenance, { target: mainLandmark(), props: { session: session(["security_office"], null), local: false } });
    expect(el("backup-run")).toBeTruthy();
    expect(el("restore-run")).toBeNull();
  });
});

describe("one's own password", () => {
  it("is changed from the header by anyone, and the form can be left", async () => {
    const fake = setup({ accounts: [{ login: "kou", password: "old password", roles: ["custodian"], person_id: 7 }] });
    render(App);
    await waitFor(() => expect(el("login-login")).toBeTruthy());
    await type("login-login", "kou");
    await type("login-password", "old password");
    await fireEvent.click(el("login-submit"));
    await waitFor(() => expect(el("own-password")).toBeTruthy());
    await fireEvent.click(el("own-password"));
    await waitFor(() => expect(el("pw-cancel")).toBeTruthy());
    expect(screen.getByText(ja["password.introOwn"])).toBeTruthy();
    await expectAccessible();
    await fireEvent.click(el("pw-cancel"));
    await waitFor(() => expect(el("pw-current")).toBeNull());

    await fireEvent.click(el("own-password"));
    await waitFor(() => expect(el("pw-current")).toBeTruthy());
    await type("pw-current", "old password");
    await type("pw-new", "a new password");
    await type("pw-new2", "a new password");
    await fireEvent.click(el("pw-submit"));
    await waitFor(() => expect(el("pw-current")).toBeNull());
    expect(fake.callsOf("change_password").at(-1)?.args).toEqual({ current: "old password", new: "a new password" });
  });
});
