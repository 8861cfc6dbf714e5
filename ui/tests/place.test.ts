import { fireEvent, render, waitFor } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import App from "../src/App.svelte";
import { ja } from "../src/i18n/ja";
import { asset, loan, setup } from "./helpers";

const el = <T extends HTMLElement = HTMLInputElement>(id: string) => document.getElementById(id) as T;
const type = (id: string, value: string) => fireEvent.input(el(id), { target: { value } });

describe("where the desktop works", () => {
  it("asks on first run, and a server that does not answer is told on the address field", async () => {
    const fake = setup({
      status: { place: null, path: "", needs_first_account: false, time_zone: null },
      handlers: {
        choose_place: (args) => {
          const a = args as { server: string | null };
          if (a.server === "https://nowhere.example") {
            throw { code: "server_unreachable", message: "事務所のサーバーに接続できません", field: "server" };
          }
          return { place: { kind: "server", url: a.server }, path: a.server, needs_first_account: false, time_zone: "Asia/Tokyo" };
        },
      },
    });
    render(App);
    await waitFor(() => expect(el("place-local")).toBeTruthy());
    expect(el("login-login")).toBeNull();

    await fireEvent.click(el("place-server-choice"));
    await fireEvent.click(el("place-submit"));
    expect(el("place-error").textContent).toBe(ja["place.serverRequired"]);
    await type("place-server", "https://nowhere.example");
    await fireEvent.click(el("place-submit"));
    await waitFor(() => expect(el("place-error").textContent).toContain("接続できません"));
    expect(el("place-server").getAttribute("aria-invalid")).toBe("true");

    await type("place-server", "https://azukari.example:8443");
    await fireEvent.click(el("place-submit"));
    await waitFor(() => expect(el("login-login")).toBeTruthy());
    expect(fake.callsOf("choose_place").at(-1)?.args).toEqual({ server: "https://azukari.example:8443", ca: null });
    expect(el("store-path").textContent).toBe("https://azukari.example:8443");
    await waitFor(() => expect(el("connection-state").textContent?.trim()).toBe(ja["conn.online"]));
  });

  it("connected, says the server cannot be reached before the person logs in", async () => {
    setup({
      status: { place: { kind: "server", url: "https://azukari.example" }, path: "https://azukari.example", needs_first_account: false, time_zone: "Asia/Tokyo" },
      handlers: {
        reachability: () => ({ reachable: false, problem: "connection refused", waiting: 1, refused: ["PC-0001: この貸与は受領確認済みです"] }),
      },
    });
    render(App);
    await waitFor(() => expect(el("offline-alert")).toBeTruthy());
    expect(el("login-login")).toBeTruthy();
    expect(el("offline-alert").textContent).toContain(ja["conn.offlineDetail"]);
    expect(el("connection-state").textContent?.trim()).toBe(ja["conn.offline"]);
    expect(el("outbox-waiting").textContent?.trim()).toBe("送信待ち 1件");
    expect(el("outbox-refused").textContent).toContain("PC-0001: この貸与は受領確認済みです");
  });

  it("a kept session on the server skips the login", async () => {
    setup({
      status: { place: { kind: "server", url: "https://azukari.example" }, path: "https://azukari.example", needs_first_account: false, time_zone: "Asia/Tokyo" },
      handlers: {
        resume_session: () => ({ account_id: 2, login: "tanaka", roles: ["custodian"], person_id: 7, must_change_password: false }),
      },
    });
    render(App);
    await waitFor(() => expect(el("asset-table")).toBeTruthy());
    expect(el("current-login").textContent).toBe("tanaka");
  });

  it("the custodian acknowledges receipt of their own loan, and only theirs", async () => {
    const fake = setup({
      accounts: [{ login: "tanaka", password: "pw", roles: ["custodian"], person_id: 7 }],
      assets: [
        asset("PC-0001", { status: "on_loan", loan: loan("PC-0001", { custodian_id: 7, acknowledged_at: null }) }),
        asset("PC-0002", { status: "on_loan", loan: loan("PC-0002", { custodian_id: 8, acknowledged_at: null }) }),
      ],
    });
    render(App);
    await waitFor(() => expect(el("login-login")).toBeTruthy());
    await type("login-login", "tanaka");
    await type("login-password", "pw");
    await fireEvent.click(el("login-submit"));
    await waitFor(() => expect(document.querySelector('tr[data-tag="PC-0002"]')).toBeTruthy());

    await fireEvent.click(document.querySelector('tr[data-tag="PC-0002"]')!);
    await waitFor(() => expect(el("detail-title")).toBeTruthy());
    expect(el("acknowledge")).toBeNull();

    await fireEvent.click(document.querySelector('tr[data-tag="PC-0001"]')!);
    await waitFor(() => expect(el("acknowledge")).toBeTruthy());
    await fireEvent.click(el("acknowledge"));
    await waitFor(() => expect(el("acknowledge")).toBeNull());
    expect(fake.callsOf("acknowledge_loan")).toEqual([{ command: "acknowledge_loan", args: { tag: "PC-0001" } }]);
  });
});

describe("what others write", () => {
  it("is read again when the journal moves: the register row and the open detail, without a click", async () => {
    // Only the few-seconds check is driven by hand; everything else runs on real time.
    vi.useFakeTimers({ toFake: ["setInterval"] });
    try {
      const assets = [asset("PC-00001", { status: "available" }), asset("PC-00002", { status: "available" })];
      const fake = setup({
        status: { place: { kind: "server", url: "https://azukari.example" }, path: "https://azukari.example", needs_first_account: false, time_zone: "Asia/Tokyo" },
        assets,
      });
      render(App);
      await waitFor(() => expect(el("login-login")).toBeTruthy());
      await type("login-login", "admin");
      await type("login-password", "correct horse");
      await fireEvent.click(el("login-submit"));
      await waitFor(() => expect(document.querySelector('tr[data-tag="PC-00001"]')).toBeTruthy());
      await fireEvent.click(document.querySelector('tr[data-tag="PC-00002"] td.tag')!);
      await waitFor(() => expect(document.querySelector(".detail")?.textContent).toContain("PC-00002"));

      // The first entry heard after login is read again once (a write may have landed between
      // the screen's read and the check); then, while the journal stands, nothing is.
      const pagesAtLogin = fake.callsOf("asset_page").length;
      vi.advanceTimersByTime(5000);
      await waitFor(() => expect(fake.callsOf("asset_page").length).toBe(pagesAtLogin + 1));
      await new Promise((r) => setTimeout(r, 20));
      const pagesBefore = fake.callsOf("asset_page").length;
      const detailsBefore = fake.callsOf("asset_detail").length;
      vi.advanceTimersByTime(5000);
      await waitFor(() => expect(fake.callsOf("reachability").length).toBeGreaterThanOrEqual(3));
      await new Promise((r) => setTimeout(r, 20));
      expect(fake.callsOf("asset_page")).toHaveLength(pagesBefore);
      expect(fake.callsOf("asset_detail")).toHaveLength(detailsBefore);

      // Another desk issues both items: the next check reads them again, where the person is.
      for (const a of assets) {
        a.status = "on_loan";
        a.loan = loan(a.tag, { custodian: "髙橋 一郎", acknowledged_at: null });
      }
      let dimmed = false;
      const watch = new MutationObserver(() => {
        if (document.getElementById("asset-table")?.getAttribute("aria-busy") === "true") dimmed = true;
        if (document.querySelector(".detail")?.getAttribute("aria-busy") === "true") dimmed = true;
      });
      watch.observe(document.getElementById("asset-table")!, { attributes: true });
      watch.observe(document.querySelector(".detail")!, { attributes: true });
      fake.wrote();
      vi.advanceTimersByTime(5000);
      await waitFor(() => expect(document.querySelector('tr[data-tag="PC-00001"]')?.textContent).toContain("髙橋 一郎"));
      await waitFor(() => expect(document.querySelector(".detail")?.textContent).toContain("髙橋 一郎"));
      expect(fake.callsOf("asset_page")).toHaveLength(pagesBefore + 1);
      expect(fake.lastQuery()?.offset).toBe(0);
      // Read quietly: neither the table nor the detail was ever dimmed as loading.
      watch.disconnect();
      expect(dimmed).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });
});
