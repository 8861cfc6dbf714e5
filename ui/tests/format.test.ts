import { afterEach, describe, expect, it } from "vitest";
import { formatDate, formatDateTime, formatDay, formatNumber, formatSize, setTimeZone, today } from "../src/lib/format";
import { isOverdue } from "../src/lib/labels";
import { assetHash, defaultView, parseAssetHash } from "../src/lib/route";
import { asset, loan } from "./helpers";

describe("dates", () => {
  // A local-time instant, so the test does not depend on the machine's zone.
  const local = new Date(2026, 10, 21, 9, 5).toISOString();

  it("shows a date as 2026/11/21 in Japanese and 2026-11-21 in English", () => {
    expect(formatDate(local, "ja")).toBe("2026/11/21");
    expect(formatDate(local, "en")).toBe("2026-11-21");
  });

  it("shows date and local time", () => {
    expect(formatDateTime(local, "ja")).toBe("2026/11/21 09:05");
    expect(formatDateTime(local, "en")).toBe("2026-11-21 09:05");
  });

  it("shows a calendar day without a time zone shift", () => {
    expect(formatDay("2026-01-02", "ja")).toBe("2026/01/02");
    expect(formatDay("2026-01-02", "en")).toBe("2026-01-02");
  });

  it("formats counts with grouping", () => {
    expect(formatNumber(12345, "ja")).toBe("12,345");
    expect(formatNumber(12345, "en")).toBe("12,345");
  });

  it("shows file sizes in KB (rounded up) below 1 MB and in MB above", () => {
    expect(formatSize(26_000, "ja")).toBe("26 KB");
    expect(formatSize(1, "en")).toBe("1 KB");
    expect(formatSize(1_000_000, "en")).toBe("977 KB");
    expect(formatSize(5_400_000, "en")).toBe("5.1 MB");
    expect(formatSize(2 * 1024 * 1024, "ja")).toBe("2 MB");
  });

  it("knows overdue only for on-loan assets due before today", () => {
    const day = today(new Date(2026, 10, 21));
    expect(day).toBe("2026-11-21");
    const late = asset("A", { status: "on_loan", loan: loan("A", { due_on: "2026-11-20" }) });
    const dueToday = asset("B", { status: "on_loan", loan: loan("B", { due_on: "2026-11-21" }) });
    const lost = asset("C", { status: "lost", loan: loan("C", { due_on: "2026-11-01" }) });
    expect(isOverdue(late, day)).toBe(true);
    expect(isOverdue(dueToday, day)).toBe(false);
    expect(isOverdue(lost, day)).toBe(false);
  });
});

describe("register view in the URL hash", () => {
  it("round-trips search, filters, sort and page", () => {
    const view = {
      q: "山田 PC",
      status: "on_loan",
      kind: "pc",
      unacked: true,
      dueBefore: "2026-11-23",
      sort: "due",
      desc: true,
      page: 3,
    } as const;
    const hash = assetHash({ ...view });
    expect(hash).toMatch(/^#\/assets\?/);
    expect(hash).toContain("page=3");
    expect(parseAssetHash(hash)).toEqual(view);
  });

  it("leaves defaults out and ignores nonsense", () => {
    expect(assetHash(defaultView())).toBe("#/assets");
    expect(parseAssetHash("#/assets?status=stolen&kind=car&sort=colour&page=-4&due=tomorrow&unacked=yes")).toEqual(
      defaultView(),
    );
  });
});

describe("dates follow the store's time zone, not the machine's", () => {
  afterEach(() => setTimeZone(null));

  it("shows a Tokyo office's 1 April as 1 April wherever the machine is", () => {
    setTimeZone("Asia/Tokyo");
    expect(formatDate("2026-03-31T15:00:00.000Z", "ja")).toBe("2026/04/01");
    expect(formatDateTime("2026-03-31T15:00:00.000Z", "en")).toBe("2026-04-01 00:00");
    expect(today(new Date("2026-11-21T16:00:00Z"))).toBe("2026-11-22");
  });

  it("uses another zone when the store has another", () => {
    setTimeZone("UTC");
    expect(formatDate("2026-03-31T15:00:00.000Z", "en")).toBe("2026-03-31");
  });
});
