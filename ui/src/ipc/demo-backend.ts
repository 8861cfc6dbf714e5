// Demo mode only: sample register with 12,345 assets and a logged-out start.
import type { AssetDetail } from "../bindings/AssetDetail";
import { demoAssets, demoHistory } from "./demo";
import { createFakeBackend } from "./fake";
import { setBackend } from "./index";

export function installDemoBackend(): void {
  const assets = demoAssets(12_345);
  const byTag = new Map(assets.map((a) => [a.tag, a]));
  const params = new URLSearchParams(location.search);
  const fake = createFakeBackend({
    status: { path: "/home/demo/.local/share/azukari/azukari.db", needs_first_account: params.has("first"), time_zone: params.has("first") ? null : "Asia/Tokyo" },
    assets,
    accounts: [{ login: "demo", password: "demo", roles: ["security_office", "auditor"], person_id: 1 }],
    latency: 30,
    handlers: {
      asset_detail: (args) => {
        const asset = byTag.get((args as { tag: string }).tag);
        if (!asset) throw { code: "not_found", message: "not found", field: null };
        return { asset, history: demoHistory(asset) } satisfies AssetDetail;
      },
    },
  });
  setBackend(fake.backend);
}
