import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import type { Session } from "../src/bindings/Session";
import FirstRun from "../src/components/FirstRun.svelte";
import Login from "../src/components/Login.svelte";
import { ja } from "../src/i18n/ja";
import { setup } from "./helpers";

const input = (id: string) => document.getElementById(id) as HTMLInputElement;
const type = (id: string, value: string) => fireEvent.input(input(id), { target: { value } });

describe("first-run form", () => {
  it("refuses mismatched passwords without calling the backend", async () => {
    const fake = setup({ status: { place: { kind: "local", path: "/x.db" }, path: "/x.db", needs_first_account: true, time_zone: null } });
    const onDone = vi.fn();
    render(FirstRun, { props: { onDone } });

    await type("first-org", "株式会社 預り商事");
    await type("first-login", "admin");
    await type("first-password", "long enough secret");
    await type("first-password2", "long enough secreT");
    await fireEvent.click(input("first-submit"));

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain(ja["first.mismatch"]);
    expect(input("first-password2").getAttribute("aria-invalid")).toBe("true");
    expect(input("first-password").getAttribute("aria-invalid")).toBeNull();
    expect(fake.callsOf("create_first_account")).toHaveLength(0);
    expect(onDone).not.toHaveBeenCalled();
    // Nothing typed is lost.
    expect(input("first-org").value).toBe("株式会社 預り商事");
    expect(input("first-password").value).toBe("long enough secret");
  });

  it("refuses an empty field without calling the backend", async () => {
    const fake = setup({ status: { place: { kind: "local", path: "/x.db" }, path: "/x.db", needs_first_account: true, time_zone: null } });
    render(FirstRun, { props: { onDone: vi.fn() } });
    await type("first-login", "admin");
    await fireEvent.click(input("first-submit"));
    expect((await screen.findByRole("alert")).textContent).toContain(ja["first.required"]);
    expect(input("first-org").getAttribute("aria-invalid")).toBe("true");
    expect(fake.calls.filter((c) => c.command === "create_first_account")).toEqual([]);
  });

  it("calls create_first_account with the typed values when valid", async () => {
    const fake = setup({ status: { place: { kind: "local", path: "/x.db" }, path: "/x.db", needs_first_account: true, time_zone: null } });
    const onDone = vi.fn<(s: Session) => void>();
    render(FirstRun, { props: { onDone } });

    await type("first-org", "株式会社 預り商事");
    await type("first-login", "admin");
    await type("first-password", "long enough secret");
    await type("first-password2", "long enough secret");
    await fireEvent.click(input("first-submit"));

    await waitFor(() => expect(onDone).toHaveBeenCalledTimes(1));
    expect(fake.callsOf("create_first_account")).toEqual([
      {
        command: "create_first_account",
        args: { organisation: "株式会社 預り商事", login: "admin", password: "long enough secret" },
      },
    ]);
    expect(onDone.mock.calls[0][0].login).toBe("admin");
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("shows a backend refusal on the field it names", async () => {
    setup({
      status: { place: { kind: "local", path: "/x.db" }, path: "/x.db", needs_first_account: true, time_zone: null },
      handlers: {
        create_first_account: () => {
          throw { code: "weak_password", message: "パスワードは12文字以上にしてください。", field: "password" };
        },
      },
    });
    render(FirstRun, { props: { onDone: vi.fn() } });
    await type("first-org", "預り商事");
    await type("first-login", "admin");
    await type("first-password", "short");
    await type("first-password2", "short");
    await fireEvent.click(input("first-submit"));
    expect((await screen.findByRole("alert")).textContent).toContain("パスワードは12文字以上にしてください。");
    expect(input("first-password").getAttribute("aria-invalid")).toBe("true");
    expect(input("first-login").value).toBe("admin");
  });
});

describe("login form", () => {
  it("shows the backend's message in role=alert and keeps the typed login", async () => {
    const fake = setup({
      accounts: [{ login: "sato", password: "right password", roles: ["custodian"], person_id: 3 }],
    });
    const onDone = vi.fn();
    render(Login, { props: { onDone } });

    await type("login-login", "sato");
    await type("login-password", "wrong password");
    await fireEvent.click(input("login-submit"));

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Wrong login ID or password.");
    expect(input("login-login").value).toBe("sato");
    expect(input("login-password").value).toBe("wrong password");
    expect(input("login-password").getAttribute("aria-invalid")).toBe("true");
    expect(input("login-login").getAttribute("aria-invalid")).toBeNull();
    expect(fake.callsOf("login")[0].args).toEqual({ login: "sato", password: "wrong password" });
    expect(onDone).not.toHaveBeenCalled();
  });

  it("marks the login field when the backend names it", async () => {
    setup({
      handlers: {
        login: () => {
          throw { code: "locked", message: "このアカウントは停止されています。", field: "login" };
        },
      },
    });
    render(Login, { props: { onDone: vi.fn() } });
    await type("login-login", "suzuki");
    await type("login-password", "whatever");
    await fireEvent.click(input("login-submit"));
    expect((await screen.findByRole("alert")).textContent).toContain("このアカウントは停止されています。");
    expect(input("login-login").getAttribute("aria-invalid")).toBe("true");
    expect(input("login-login").value).toBe("suzuki");
  });

  it("logs in with the right password", async () => {
    const fake = setup({
      accounts: [{ login: "sato", password: "right password", roles: ["custodian"], person_id: 3 }],
    });
    const onDone = vi.fn<(s: Session) => void>();
    render(Login, { props: { onDone } });
    await type("login-login", "sato");
    await type("login-password", "right password");
    await fireEvent.click(input("login-submit"));
    await waitFor(() => expect(onDone).toHaveBeenCalledTimes(1));
    expect(onDone.mock.calls[0][0].roles).toEqual(["custodian"]);
    expect(fake.session()?.login).toBe("sato");
  });
});
