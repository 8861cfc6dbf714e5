//! The Azukari desktop shell. Tauri commands here are one-line adapters over the api; what only
//! the desktop needs (the open store and session in app state, the language of messages, the
//! background integrity check) lives here and nowhere else.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use azukari_api::domain::Instant;
use azukari_api::domain::rules::Lang;
use azukari_api::domain::view::{AssetPage, AssetQuery};
use azukari_api::{
    AssetDetail, Desk, Failure, IpcError, PrintProgress, PrintRequest, PrintedFile, Session,
    StoreStatus,
};
use std::path::PathBuf;
use std::sync::Mutex;
use tauri::Manager;

struct Open {
    desk: Desk,
    session: Option<Session>,
    lang: Lang,
}

struct AppState(Mutex<Open>);

impl AppState {
    /// Runs `work` on the open desk and turns a failure into `{code, message, field}` in the
    /// user's language.
    fn with<T>(&self, work: impl FnOnce(&mut Open) -> Result<T, Failure>) -> Result<T, IpcError> {
        let mut open = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let lang = open.lang;
        work(&mut open).map_err(|failure| {
            if failure.code() == "internal" {
                eprintln!("azukari: internal error: {failure:?}");
            }
            failure.to_ipc(lang)
        })
    }

    fn with_session<T>(
        &self,
        work: impl FnOnce(&mut Desk, &Session) -> Result<T, Failure>,
    ) -> Result<T, IpcError> {
        self.with(|open| {
            let session = open
                .session
                .clone()
                .ok_or(azukari_api::domain::Refusal::WrongPassword)?;
            work(&mut open.desk, &session)
        })
    }
}

/// The desktop's one reading of the clock.
#[allow(clippy::disallowed_methods)]
fn now() -> Instant {
    Instant::from_utc(chrono::Utc::now())
}

#[tauri::command]
fn store_status(state: tauri::State<'_, AppState>) -> Result<StoreStatus, IpcError> {
    state.with(|open| open.desk.status())
}

#[tauri::command]
fn create_first_account(
    state: tauri::State<'_, AppState>,
    organisation: String,
    login: String,
    password: String,
) -> Result<Session, IpcError> {
    state.with(|open| {
        let session = open
            .desk
            .init(&organisation, &login, &password, "Asia/Tokyo", now())?;
        open.session = Some(session.clone());
        Ok(session)
    })
}

#[tauri::command]
fn login(
    state: tauri::State<'_, AppState>,
    login: String,
    password: String,
) -> Result<Session, IpcError> {
    state.with(|open| {
        let session = open.desk.login(&login, &password, now())?;
        open.session = Some(session.clone());
        Ok(session)
    })
}

#[tauri::command]
fn logout(state: tauri::State<'_, AppState>) -> Result<(), IpcError> {
    state.with(|open| {
        open.session = None;
        Ok(())
    })
}

#[tauri::command]
fn set_lang(state: tauri::State<'_, AppState>, lang: Lang) -> Result<(), IpcError> {
    state.with(|open| {
        open.lang = lang;
        Ok(())
    })
}

#[tauri::command]
fn asset_page(state: tauri::State<'_, AppState>, query: AssetQuery) -> Result<AssetPage, IpcError> {
    state.with_session(|desk, session| desk.asset_page(session, &query))
}

#[tauri::command]
fn asset_detail(state: tauri::State<'_, AppState>, tag: String) -> Result<AssetDetail, IpcError> {
    state.with_session(|desk, session| desk.asset(session, &tag))
}

/// Renders a ledger and saves it in the user's Documents/Azukari folder. Rendering a large
/// ledger takes seconds, so it runs off the UI thread and reports progress on `on_progress`.
#[tauri::command]
async fn print_ledger(
    app: tauri::AppHandle,
    request: PrintRequest,
    on_progress: tauri::ipc::Channel<PrintProgress>,
) -> Result<PrintedFile, IpcError> {
    let font = std::env::var("AZUKARI_FONT").ok();
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        let printed = state.with_session(|desk, session| {
            desk.print(
                session,
                &request,
                font.as_deref(),
                now(),
                &mut |done, total| {
                    let _ = on_progress.send(PrintProgress {
                        done: done as u32,
                        total: total as u32,
                    });
                },
            )
        })?;
        save_printed(&printed).map_err(|why| IpcError {
            code: "io_failed".into(),
            message: why,
            field: None,
        })
    })
    .await
    .map_err(|err| IpcError {
        code: "internal".into(),
        message: err.to_string(),
        field: None,
    })?
}

/// Writes beside the target and renames, so a failure leaves no half-written file; never
/// overwrites an earlier ledger.
fn save_printed(printed: &azukari_api::Printed) -> Result<PrintedFile, String> {
    let folder = dirs::document_dir()
        .or_else(dirs::home_dir)
        .ok_or("no documents folder")?
        .join("Azukari");
    std::fs::create_dir_all(&folder).map_err(|err| format!("{}: {err}", folder.display()))?;
    let name = std::path::Path::new(&printed.file_name);
    let (stem, extension) = (
        name.file_stem().unwrap_or_default().to_string_lossy(),
        name.extension().unwrap_or_default().to_string_lossy(),
    );
    let mut target = folder.join(&printed.file_name);
    let mut n = 2;
    while target.exists() {
        target = folder.join(format!("{stem} ({n}).{extension}"));
        n += 1;
    }
    let partial = target.with_extension(format!("{extension}.partial"));
    std::fs::write(&partial, &printed.bytes)
        .and_then(|()| std::fs::rename(&partial, &target))
        .map_err(|err| {
            let _ = std::fs::remove_file(&partial);
            format!("{}: {err}", target.display())
        })?;
    Ok(PrintedFile {
        path: target.display().to_string(),
        rows: printed.rows as u32,
        bytes: printed.bytes.len() as u32,
    })
}

fn store_path() -> Result<PathBuf, String> {
    let mut args = std::env::args();
    args.next(); // the program itself
    while let Some(arg) = args.next() {
        if arg == "--store" {
            return args
                .next()
                .map(PathBuf::from)
                .ok_or_else(|| "--store needs a path".to_string());
        }
        if let Some(path) = arg.strip_prefix("--store=") {
            return Ok(PathBuf::from(path));
        }
    }
    if let Ok(path) = std::env::var("AZUKARI_STORE") {
        return Ok(PathBuf::from(path));
    }
    let dir = dirs::data_dir()
        .ok_or("no data directory; pass --store")?
        .join("azukari");
    std::fs::create_dir_all(&dir)
        .map_err(|err| format!("cannot create {}: {err}", dir.display()))?;
    Ok(dir.join("azukari.db"))
}

fn main() {
    let path = match store_path() {
        Ok(path) => path,
        Err(why) => {
            eprintln!("azukari: {why}");
            std::process::exit(2);
        }
    };
    let desk = match Desk::open(&path) {
        Ok(desk) => desk,
        Err(failure) => {
            eprintln!("azukari: {}", failure.message(Lang::En));
            std::process::exit(1);
        }
    };
    // quick_check reads the whole file; on a large store it would hold up the first window,
    // so it runs beside it on its own connection.
    let checked = path.clone();
    std::thread::spawn(move || match azukari_api::quick_check_file(&checked) {
        Ok(()) => {}
        Err(failure) => eprintln!("azukari: quick_check failed: {failure}"),
    });
    let lang = if std::env::var("LANG").unwrap_or_default().starts_with("ja") {
        Lang::Ja
    } else {
        Lang::En
    };
    tauri::Builder::default()
        .manage(AppState(Mutex::new(Open {
            desk,
            session: None,
            lang,
        })))
        .invoke_handler(tauri::generate_handler![
            store_status,
            create_first_account,
            login,
            logout,
            set_lang,
            asset_page,
            asset_detail,
            print_ledger
        ])
        .run(tauri::generate_context!())
        .unwrap_or_else(|err| {
            eprintln!("azukari: the window could not start: {err}");
            std::process::exit(1);
        });
}
