// Which screens each role is shown. It grants nothing: the backend refuses what a role may
// not do, and these only keep out of sight what would be refused.
import type { Role } from "../bindings/Role";
import type { Key } from "../i18n/ja";
import { canPrint } from "./labels";
import { SCREENS, type Screen } from "./route";

const SHOWN_TO: Record<Screen, readonly Role[] | "everyone"> = {
  home: "everyone",
  assets: "everyone",
  // Who is who and where: kept by the office, read by the auditor.
  people: ["security_office", "auditor"],
  organisations: ["security_office", "auditor"],
  accounts: ["security_office", "auditor"],
  import: ["security_office"],
  print: ["security_office", "auditor"],
  // Verifying is the auditor's as much as the office's; backing up and restoring the office's.
  maintenance: ["security_office", "auditor"],
};

export const SCREEN_KEYS: Record<Screen, Key> = {
  home: "nav.home",
  assets: "nav.assets",
  people: "nav.people",
  organisations: "nav.organisations",
  accounts: "nav.accounts",
  import: "nav.import",
  print: "nav.print",
  maintenance: "nav.maintenance",
};

export function mayOpen(screen: Screen, roles: readonly Role[]): boolean {
  const shown = SHOWN_TO[screen];
  if (screen === "print") return canPrint(roles);
  return shown === "everyone" || roles.some((role) => shown.includes(role));
}

export function screensFor(roles: readonly Role[]): Screen[] {
  return SCREENS.filter((screen) => mayOpen(screen, roles));
}

/** The security office keeps the register; only its screens offer changes. */
export const keepsRegister = (roles: readonly Role[]) => roles.includes("security_office");
