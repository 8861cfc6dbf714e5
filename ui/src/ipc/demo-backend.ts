// Demo mode only: sample register with 12,345 assets and a logged-out start.
import type { AssetDetail } from "../bindings/AssetDetail";
import type { PrintedFile } from "../bindings/PrintedFile";
import type { PrintProgress } from "../bindings/PrintProgress";
import type { PrintRequest } from "../bindings/PrintRequest";
import { demoAssets, demoHistory } from "./demo";
import { createFakeBackend } from "./fake";
import { setBackend } from "./index";

export function installDemoBackend(): void {
  const assets = demoAssets(12_345);
  const byTag = new Map(assets.map((a) => [a.tag, a]));
  const params = new URLSearchParams(location.search);
  const fake = createFakeBackend({
    status: { place: { kind: "local", path: "/home/demo/.local/share/azukari/azukari.db" }, path: "/home/demo/.local/share/azukari/azukari.db", needs_first_account: params.has("first"), time_zone: params.has("first") ? null : "Asia/Tokyo" },
    assets,
    accounts: [{ login: "demo", password: "demo", roles: ["security_office", "auditor"], person_id: 1 }],
    latency: 30,
    handlers: {
      asset_detail: (args) => {
        const asset = byTag.get((args as { tag: string }).tag);
        if (!asset) throw { code: "not_found", message: "not found", field: null };
        return { asset, history: demoHistory(asset), statuses: [] } satisfies AssetDetail;
      },
      // Nothing is written: a made-up path, after pages reported at a readable pace.
      print_ledger: (args) => {
        const { request, onProgress } = args as { request: PrintRequest; onProgress: (p: PrintProgress) => void };
        const labels = request.ledger === "labels";
        const rows = labels ? (request.tags.length || assets.length) : assets.filter((a) => a.loan).length;
        const format = labels ? "pdf" : request.format;
        const total = format === "pdf" ? Math.ceil(rows / (labels ? 24 : 30)) : 0;
        const name = labels ? "資産ラベル" : "貸与物管理台帳";
        return new Promise<PrintedFile>((resolve) => {
          let done = 0;
          const step = () => {
            if (done < total) {
              done = Math.min(total, done + Math.ceil(total / 40));
              onProgress({ done, total });
              setTimeout(step, 40);
            } else {
              resolve({ path: `/home/demo/Documents/Azukari/${name}.${format}`, rows, bytes: rows * 180 + 24_000 });
            }
          };
          step();
        });
      },
    },
  });
  setBackend(fake.backend);
}
