import { mount } from "svelte";
import App from "./App.svelte";
import "./app.css";

async function boot() {
  // `vite build --mode demo` runs the UI in a plain browser against sample data.
  // In every other build this branch is removed and the fake is not bundled.
  if (import.meta.env.MODE === "demo") {
    const { installDemoBackend } = await import("./ipc/demo-backend");
    installDemoBackend();
  }
  mount(App, { target: document.getElementById("app")! });
}

void boot();
