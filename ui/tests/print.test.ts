import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";
import App from "../src/App.svelte";
import type { PrintedFile } from "../src/bindings/PrintedFile";
import type { PrintProgress } from "../src/bindings/PrintProgress";
import type { PrintRequest } from "../src/bindings/PrintRequest";
import PrintLedger from "../src/components/PrintLedger.svelte";
import { en } from "../src/i18n/en";
import { setCurrentLang } from "../src/i18n/index.svelte";
import { ja } from "../src/i18n/ja";
import { printLedger, setBackend } from "../src/ipc";
import { asset, loan, setup } from "./helpers";

const el = <T extends HTMLElement = HTMLInputElement>(id: string) => document.getElementById(id) as T;
const type = (id: string, value: string) => fireEvent.input(el(id), { target: { value } });
const choose = (id: string, value: string) => fireEvent.change(el<HTMLSelectElement>(id), { target: { value } });
const submit = () => fireEvent.click(el<HTMLButtonElement>("print-submit"));

type PrintArgs = { request: PrintRequest; onProgress: (p: PrintProgress) => void };

/** A promise the test settles itself. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const assets = () => [
  asset("PC-00001", { status: "on_loan", loan: loan("PC-00001") }),
  asset("PC-00002"),
  asset("USB-00001", { kind: "usb_media" }),
];

describe("print ledger form", () => {
  it("sends the custody ledger as chosen, as_of null when empty and as typed when given", async () => {
    const fake = setup({ assets: assets() });
    render(PrintLedger);

    await choose("print-group-by", "custodian");
    await choose("print-format", "xlsx");
    await choose("print-lang", "en");
    await submit();
    await waitFor(() => expect(fake.callsOf("print_ledger")).toHaveLength(1));
    expect(fake.lastPrint()).toEqual({
      ledger: "custody",
      as_of: null,
      group_by: "custodian",
      format: "xlsx",
      lang: "en",
      encoding: "utf8",
      tags: [],
    } satisfies PrintRequest);
    expect(fake.callsOf("print_ledger")[0].args?.onProgress).toBeTypeOf("function");
    await waitFor(() => expect(el<HTMLButtonElement>("print-submit").disabled).toBe(false));

    await type("print-as-of", " 2026-11-21T09:00:00+09:00 ");
    await choose("print-group-by", "site");
    await choose("print-format", "csv");
    await choose("print-encoding", "cp932");
    await submit();
    await waitFor(() => expect(fake.callsOf("print_ledger")).toHaveLength(2));
    expect(fake.lastPrint()).toEqual({
      ledger: "custody",
      as_of: "2026-11-21T09:00:00+09:00",
      group_by: "site",
      format: "csv",
      lang: "en",
      encoding: "cp932",
      tags: [],
    } satisfies PrintRequest);
  });

  it("starts with the display language and PDF, and offers the CSV encoding only for CSV", async () => {
    const fake = setup();
    setCurrentLang("en", false);
    render(PrintLedger);
    expect(el<HTMLSelectElement>("print-lang").value).toBe("en");
    expect(el("print-encoding")).toBeNull();
    await choose("print-format", "csv");
    expect(el<HTMLSelectElement>("print-encoding").value).toBe("utf8");
    await choose("print-format", "pdf");
    expect(el("print-encoding")).toBeNull();
    expect(screen.getByText(en["print.asOfHint"])).toBeTruthy();

    await submit();
    await waitFor(() => expect(fake.callsOf("print_ledger")).toHaveLength(1));
    expect(fake.lastPrint()).toMatchObject({ ledger: "custody", as_of: null, group_by: "none", format: "pdf", lang: "en" });
  });

  it("sends labels with the tags split on spaces and commas, and all assets when empty", async () => {
    const fake = setup({ assets: assets() });
    render(PrintLedger);
    await type("print-as-of", "not a date"); // typed for the custody ledger; labels ignore it
    await fireEvent.click(el("print-ledger-labels"));
    expect(el("print-as-of")).toBeNull();
    expect(el("print-group-by")).toBeNull();
    expect(el("print-format")).toBeNull();

    await type("print-tags", " PC-00001, PC-00002　USB-00001 ,PC-00003、PC-00004 ");
    await submit();
    await waitFor(() => expect(fake.callsOf("print_ledger")).toHaveLength(1));
    expect(fake.lastPrint()).toEqual({
      ledger: "labels",
      as_of: null,
      group_by: "none",
      format: "pdf",
      lang: "ja",
      encoding: "utf8",
      tags: ["PC-00001", "PC-00002", "USB-00001", "PC-00003", "PC-00004"],
    } satisfies PrintRequest);
    await waitFor(() => expect(el("print-result").textContent).toContain("ラベル3件"));

    await type("print-tags", "  ");
    await submit();
    await waitFor(() => expect(fake.callsOf("print_ledger")).toHaveLength(2));
    expect(fake.lastPrint()?.tags).toEqual([]);

    // Back to the custody ledger: what was typed there is still there.
    await fireEvent.click(el("print-ledger-custody"));
    expect(el("print-as-of").value).toBe("not a date");
  });

  it("shows the pages reported on the channel in a progress bar, with the button disabled", async () => {
    const answer = deferred<PrintedFile>();
    let report: ((p: PrintProgress) => void) | undefined;
    setup({
      handlers: {
        print_ledger: (args) => {
          report = (args as PrintArgs).onProgress;
          return answer.promise;
        },
      },
    });
    render(PrintLedger);
    await submit();
    await waitFor(() => expect(report).toBeDefined());
    expect(el<HTMLButtonElement>("print-submit").disabled).toBe(true);
    // Nothing reported yet: an indeterminate bar.
    expect(el<HTMLProgressElement>("print-progress").hasAttribute("value")).toBe(false);

    report!({ done: 12, total: 340 });
    await waitFor(() => expect(el<HTMLProgressElement>("print-progress").value).toBe(12));
    const bar = el<HTMLProgressElement>("print-progress");
    expect(bar).toBeInstanceOf(HTMLProgressElement);
    expect(bar.max).toBe(340);
    expect(bar.parentElement?.textContent).toContain("12 / 340 ページ");

    report!({ done: 200, total: 340 });
    await waitFor(() => expect(el<HTMLProgressElement>("print-progress").value).toBe(200));
    expect(el("print-progress").parentElement?.textContent).toContain("200 / 340 ページ");
    expect(el<HTMLButtonElement>("print-submit").disabled).toBe(true);

    answer.resolve({ path: "/home/user/Documents/Azukari/貸与物管理台帳_20261121-0900.pdf", rows: 3, bytes: 26_000 });
    await waitFor(() => expect(el("print-progress")).toBeNull());
    expect(el<HTMLButtonElement>("print-submit").disabled).toBe(false);
  });

  it("shows where the file was saved, with rows and size", async () => {
    const path = "/home/user/Documents/Azukari/貸与物管理台帳_20261121-0900.pdf";
    setup({ handlers: { print_ledger: () => ({ path, rows: 3, bytes: 26_000 }) satisfies PrintedFile } });
    render(PrintLedger);
    await submit();
    await waitFor(() => expect(el("print-path")).toBeTruthy());
    expect(el("print-path").textContent).toBe(path);
    expect(el("print-result").textContent).toBe(`${path} に保存しました（3件・26 KB）`);
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("says it in English too, in MB for a large file", async () => {
    const path = "C:\\Users\\sato\\Documents\\Azukari\\Custody-ledger_20261121-0900.pdf";
    setup({ handlers: { print_ledger: () => ({ path, rows: 12345, bytes: 5_400_000 }) satisfies PrintedFile } });
    setCurrentLang("en", false);
    render(PrintLedger);
    await submit();
    await waitFor(() => expect(el("print-path")).toBeTruthy());
    expect(el("print-result").textContent).toBe(`Saved to ${path} (rows: 12,345, size: 5.1 MB)`);
  });

  it("marks the as-of field when the backend refuses it, shows the message and keeps the form", async () => {
    const fake = setup({
      handlers: {
        print_ledger: () => {
          throw { code: "invalid_input", message: "基準日時「きのう」を読み取れません。", field: "as_of" };
        },
      },
    });
    render(PrintLedger);
    await type("print-as-of", "きのう");
    await choose("print-group-by", "organisation");
    await choose("print-format", "csv");
    await submit();

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("基準日時「きのう」を読み取れません。");
    expect(alert.textContent).toContain(ja["print.failed"]);
    expect(el("print-as-of").getAttribute("aria-invalid")).toBe("true");
    expect(el("print-as-of").getAttribute("aria-describedby")).toContain(alert.id);
    expect(el("print-as-of").value).toBe("きのう");
    expect(el<HTMLSelectElement>("print-group-by").value).toBe("organisation");
    expect(el<HTMLSelectElement>("print-format").value).toBe("csv");
    expect(el("print-path")).toBeNull();
    expect(el<HTMLButtonElement>("print-submit").disabled).toBe(false);
    expect(fake.lastPrint()?.as_of).toBe("きのう");
  });

  it("shows other failures without marking the as-of field", async () => {
    setup({
      handlers: {
        print_ledger: () => {
          throw { code: "ledger_failed", message: "「𠀋」を表示できるフォントがありません。", field: null };
        },
      },
    });
    render(PrintLedger);
    await type("print-as-of", "2026-11-21");
    await submit();
    expect((await screen.findByRole("alert")).textContent).toContain("「𠀋」を表示できるフォントがありません。");
    expect(el("print-as-of").getAttribute("aria-invalid")).toBeNull();
    expect(el("print-as-of").value).toBe("2026-11-21");
  });
});

describe("print ledger navigation", () => {
  async function logIn(loginId: string) {
    render(App);
    await waitFor(() => expect(el("login-login")).toBeTruthy());
    await type("login-login", loginId);
    await type("login-password", "pw");
    await fireEvent.click(el("login-submit"));
    await waitFor(() => expect(el("asset-table")).toBeTruthy());
  }

  it("is hidden for a custodian, and #/print shows them the register", async () => {
    setup({ accounts: [{ login: "sato", password: "pw", roles: ["custodian"], person_id: 3 }] });
    await logIn("sato");
    expect(screen.getByRole("link", { name: ja["nav.assets"] })).toBeTruthy();
    expect(screen.queryByRole("link", { name: ja["nav.print"] })).toBeNull();
    expect(el("nav-print")).toBeNull();

    location.hash = "#/print";
    await waitFor(() => expect(location.hash).toBe("#/assets"));
    expect(el("print-submit")).toBeNull();
    expect(el("asset-table")).toBeTruthy();
  });

  it("takes the security office to the print screen and back to the register", async () => {
    const fake = setup({
      assets: assets(),
      accounts: [{ login: "kato", password: "pw", roles: ["security_office"], person_id: 1 }],
    });
    await logIn("kato");
    const link = screen.getByRole("link", { name: ja["nav.print"] });
    expect(link.getAttribute("href")).toBe("#/print");
    expect(el("nav-assets").getAttribute("aria-current")).toBe("page");

    location.hash = "#/print";
    await waitFor(() => expect(el("print-submit")).toBeTruthy());
    expect(el("asset-table")).toBeNull();
    expect(link.getAttribute("aria-current")).toBe("page");
    expect(el("nav-assets").getAttribute("aria-current")).toBeNull();

    await submit();
    await waitFor(() => expect(el("print-path")).toBeTruthy());
    expect(fake.lastPrint()?.ledger).toBe("custody");

    location.hash = el("nav-assets").getAttribute("href")!;
    await waitFor(() => expect(el("asset-table")).toBeTruthy());
    expect(location.hash.startsWith("#/assets")).toBe(true);
  });

  it("shows the entry to an auditor", async () => {
    setup({ accounts: [{ login: "ito", password: "pw", roles: ["auditor"], person_id: 4 }] });
    await logIn("ito");
    expect(el("nav-print").textContent).toBe(ja["nav.print"]);
  });
});

describe("printLedger over Tauri", () => {
  afterEach(() => {
    clearMocks();
    setBackend(null);
  });

  it("passes a Channel as onProgress and hands its messages to the callback", async () => {
    setBackend(null);
    const seen: PrintProgress[] = [];
    let sent: Record<string, unknown> | undefined;
    mockIPC((command, args) => {
      expect(command).toBe("print_ledger");
      sent = args as Record<string, unknown>;
      const channel = sent.onProgress as { id: number };
      const internals = (window as unknown as { __TAURI_INTERNALS__: { runCallback(id: number, data: unknown): void } })
        .__TAURI_INTERNALS__;
      internals.runCallback(channel.id, { index: 0, message: { done: 1, total: 2 } });
      internals.runCallback(channel.id, { index: 1, message: { done: 2, total: 2 } });
      return { path: "/tmp/x.pdf", rows: 1, bytes: 10 } satisfies PrintedFile;
    });
    const request: PrintRequest = {
      ledger: "custody", as_of: null, group_by: "none", format: "pdf", lang: "ja", encoding: "utf8", tags: [],
    };
    const file = await printLedger(request, (p) => seen.push(p));
    expect(file).toEqual({ path: "/tmp/x.pdf", rows: 1, bytes: 10 });
    expect(sent?.request).toEqual(request);
    expect(typeof sent?.onProgress).toBe("object");
    expect(JSON.stringify(sent?.onProgress)).toMatch(/^"__CHANNEL__:\d+"$/);
    expect(seen).toEqual([{ done: 1, total: 2 }, { done: 2, total: 2 }]);
  });
});
