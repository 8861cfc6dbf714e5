// Dates and numbers as people read them: 2026/11/21 in Japanese, 2026-11-21 in English.
// Instants arrive as RFC 3339 UTC strings and are shown in the store's time zone (the office's
// calendar, whatever the machine's zone), or local time until the store has told us its zone.
import type { Lang } from "../bindings/Lang";

const pad = (n: number) => String(n).padStart(2, "0");
const sep = (lang: Lang) => (lang === "ja" ? "/" : "-");

let zone: string | undefined;

/** Sets the zone instants are shown in; `null` means the machine's local zone. */
export function setTimeZone(timeZone: string | null | undefined): void {
  zone = timeZone ?? undefined;
}

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

function partsOf(d: Date): Parts {
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    hourCycle: "h23",
  });
  const parts = Object.fromEntries(format.formatToParts(d).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
  };
}

function parse(instant: string): Date | null {
  const d = new Date(instant);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Calendar date of an instant in the store's zone. */
export function formatDate(instant: string, lang: Lang): string {
  const d = parse(instant);
  if (!d) return instant;
  const s = sep(lang);
  const p = partsOf(d);
  return `${p.year}${s}${pad(p.month)}${s}${pad(p.day)}`;
}

/** Date and time (minutes) of an instant in the store's zone. */
export function formatDateTime(instant: string, lang: Lang): string {
  const d = parse(instant);
  if (!d) return instant;
  const p = partsOf(d);
  return `${formatDate(instant, lang)} ${pad(p.hour)}:${pad(p.minute)}`;
}

/** A calendar day given as YYYY-MM-DD (no time zone involved). */
export function formatDay(day: string, lang: Lang): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) ? day.replaceAll("-", sep(lang)) : day;
}

/** Today's date in the store's zone as YYYY-MM-DD. */
export function today(now: Date = new Date()): string {
  const p = partsOf(now);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

export function formatNumber(n: number, lang: Lang): string {
  return new Intl.NumberFormat(lang === "ja" ? "ja-JP" : "en-US").format(n);
}

/** A file size as Explorer and Finder show it: whole KB rounded up below 1 MB, then MB. */
export function formatSize(bytes: number, lang: Lang): string {
  const locale = lang === "ja" ? "ja-JP" : "en-US";
  if (bytes < 1024 * 1024) return `${formatNumber(Math.ceil(bytes / 1024), lang)} KB`;
  const mb = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(bytes / (1024 * 1024));
  return `${mb} MB`;
}
