import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import App from "../src/App.svelte";
import { ja } from "../src/i18n/ja";
import { asset, setup } from "./helpers";

const el = <T extends HTMLElement = HTMLInputElement>(id: string) => document.getElementById(id) as T;
const type = (id: string, value: string) => fireEvent.input(el(id), { target: { value } });

describe("app", () => {
  it("starts with store_status, runs first-time setup and lands on the register", async () => {
    const fake = setup({
      status: { place: { kind: "local", path: "/home/user/.local/share/azukari/azukari.db" }, path: "/home/user/.local/share/azukari/azukari.db", needs_first_account: true, time_zone: null },
      assets: [asset("PC-00001")],
    });
    render(App);

    await waitFor(() => expect(el("first-org")).toBeTruthy());
    expect(fake.calls[0]).toEqual({ command: "set_lang", args: { lang: "ja" } });
    expect(fake.callsOf("store_status")).toHaveLength(1);
    expect(el("store-path").textContent).toBe("/home/user/.local/share/azukari/azukari.db");

    await type("first-org", "預り商事");
    await type("first-login", "admin");
    await type("first-password", "a long secret");
    await type("first-password2", "a long secret");
    await fireEvent.click(el("first-submit"));

    await waitFor(() => expect(el("asset-table")).toBeTruthy());
    await waitFor(() => expect(document.querySelector('tr[data-tag="PC-00001"]')).toBeTruthy());
    expect(el("current-login").textContent).toBe("admin");
    expect(el("current-roles").textContent).toBe(ja["role.security_office"]);
    expect(location.hash.startsWith("#/assets")).toBe(true);
  });

  it("logs in, shows login and roles in the glossary's words, and logs out", async () => {
    const fake = setup({
      accounts: [{ login: "takahashi", password: "pw", roles: ["site_responsible", "auditor"], person_id: 2 }],
    });
    render(App);
    await waitFor(() => expect(el("login-login")).toBeTruthy());
    expect(el("first-org")).toBeNull();

    await type("login-login", "takahashi");
    await type("login-password", "pw");
    await fireEvent.click(el("login-submit"));
    await waitFor(() => expect(el("asset-table")).toBeTruthy());
    expect(el("current-roles").textContent).toBe("現場責任者・監査人");
    expect(screen.getByRole("link", { name: ja["nav.assets"] })).toBeTruthy();

    await fireEvent.click(el("logout"));
    await waitFor(() => expect(el("login-login")).toBeTruthy());
    expect(fake.callsOf("logout")).toHaveLength(1);
    expect(el("asset-table")).toBeNull();
    expect(el("logout")).toBeNull();
  });

  it("switches language live and tells the backend", async () => {
    const fake = setup();
    render(App);
    await waitFor(() => expect(el("login-submit")).toBeTruthy());
    expect(el("login-submit").textContent?.trim()).toBe("ログイン");
    expect(document.documentElement.lang).toBe("ja");

    await fireEvent.change(el<HTMLSelectElement>("lang-switch"), { target: { value: "en" } });
    await waitFor(() => expect(el("login-submit").textContent?.trim()).toBe("Log in"));
    expect(screen.getByText("Login ID")).toBeTruthy();
    expect(fake.callsOf("set_lang").at(-1)?.args).toEqual({ lang: "en" });
    expect(document.documentElement.lang).toBe("en");
  });

  it("shows a start failure with a way to try again", async () => {
    let fail = true;
    setup({
      handlers: {
        store_status: () => {
          if (fail) throw { code: "io", message: "データベースを開けません。", field: null };
          return { place: { kind: "local", path: "/x.db" }, path: "/x.db", needs_first_account: false };
        },
      },
    });
    render(App);
    expect((await screen.findByRole("alert")).textContent).toContain("データベースを開けません。");
    fail = false;
    await fireEvent.click(screen.getByRole("button", { name: ja["app.retry"] }));
    await waitFor(() => expect(el("login-login")).toBeTruthy());
  });

  it("shows a failed integrity check to the person at the desk, on every screen", async () => {
    setup({ health: "row 12 missing from index assets_search" });
    render(App);
    const alert = await waitFor(() => {
      const found = el<HTMLDivElement>("health-alert");
      expect(found).toBeTruthy();
      return found;
    });
    expect(alert.getAttribute("role")).toBe("alert");
    expect(alert.textContent).toContain(ja["health.failed"]);
    expect(alert.textContent).toContain("row 12 missing from index assets_search");
    expect(el("login-login")).toBeTruthy();
  });

  it("says nothing when the store is sound", async () => {
    const fake = setup();
    render(App);
    await waitFor(() => expect(fake.callsOf("store_health")).toHaveLength(1));
    await waitFor(() => expect(el("login-login")).toBeTruthy());
    expect(el("health-alert")).toBeNull();
  });

  it("asks for a new password after a reset, before anything else", async () => {
    const fake = setup({
      accounts: [{ login: "tanaka", password: "temporary-1", roles: ["custodian"], person_id: 3, must_change: true }],
    });
    render(App);
    await waitFor(() => expect(el("login-login")).toBeTruthy());
    await type("login-login", "tanaka");
    await type("login-password", "temporary-1");
    await fireEvent.click(el("login-submit"));
    await waitFor(() => expect(el("pw-current")).toBeTruthy());
    expect(el("asset-table")).toBeNull();
    expect(fake.callsOf("asset_page")).toHaveLength(0);

    await type("pw-current", "temporary-1");
    await type("pw-new", "my own secret");
    await type("pw-new2", "my own secret!");
    await fireEvent.click(el("pw-submit"));
    await waitFor(() => expect(el("pw-error").textContent).toBe(ja["password.mismatch"]));
    expect(el("pw-new2").getAttribute("aria-invalid")).toBe("true");
    expect(fake.callsOf("change_password")).toHaveLength(0);

    await type("pw-new2", "my own secret");
    await fireEvent.click(el("pw-submit"));
    await waitFor(() => expect(el("asset-table")).toBeTruthy());
    expect(fake.callsOf("change_password")[0].args).toEqual({ current: "temporary-1", new: "my own secret" });
  });

  it("marks the field the backend names when a new password is refused", async () => {
    setup({
      accounts: [{ login: "tanaka", password: "temporary-1", roles: ["custodian"], person_id: 3, must_change: true }],
    });
    render(App);
    await waitFor(() => expect(el("login-login")).toBeTruthy());
    await type("login-login", "tanaka");
    await type("login-password", "temporary-1");
    await fireEvent.click(el("login-submit"));
    await waitFor(() => expect(el("pw-current")).toBeTruthy());
    await type("pw-current", "not it");
    await type("pw-new", "my own secret");
    await type("pw-new2", "my own secret");
    await fireEvent.click(el("pw-submit"));
    await waitFor(() => expect(el("pw-current").getAttribute("aria-invalid")).toBe("true"));
    expect(el<HTMLInputElement>("pw-new").value).toBe("my own secret");
  });
});
