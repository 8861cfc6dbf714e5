//! An empty Tauri window: the yardstick `make bench` measures the desktop's start against. The
//! same Tauri, configuration and web view, showing a blank page of the same bundle; built only
//! with the `empty-window` feature.

fn main() {
    let mut context = tauri::generate_context!();
    for window in &mut context.config_mut().app.windows {
        window.url = tauri::WebviewUrl::App("blank.html".into());
    }
    tauri::Builder::default()
        .run(context)
        .expect("the empty window runs");
}
