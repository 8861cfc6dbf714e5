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
use std::sync::{Arc, Condvar, Mutex};
use tauri::Manager;

mod log;

struct Open {
    desk: Desk,
    session: Option<Session>,
    lang: Lang,
}

/// What the background `quick_check` found: nothing yet, then its verdict.
#[derive(Default)]
struct Health {
    verdict: Mutex<Option<Result<(), String>>>,
    known: Condvar,
}

struct AppState {
    open: Mutex<Open>,
    /// The store's file: printing opens its own connection to it, so a long ledger never holds
    /// the lock every other command needs.
    path: PathBuf,
    health: Arc<Health>,
}

impl AppState {
    /// Runs `work` on the open desk and turns a failure into `{code, message, field}` in the
    /// user's language.
    fn with<T>(&self, work: impl FnOnce(&mut Open) -> Result<T, Failure>) -> Result<T, IpcError> {
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let lang = open.lang;
        work(&mut open).map_err(|failure| shown(&failure, lang))
    }

    fn with_session<T>(
        &self,
        work: impl FnOnce(&mut Desk, &Session) -> Result<T, Failure>,
    ) -> Result<T, IpcError> {
        self.with(|open| {
            let session = signed_in(open)?;
            work(&mut open.desk, &session)
        })
    }
}

fn signed_in(open: &Open) -> Result<Session, Failure> {
    Ok(open
        .session
        .clone()
        .ok_or(azukari_api::domain::Refusal::WrongPassword)?)
}

/// A failure as the UI shows it; one the person cannot act on is written to the log in full.
fn shown(failure: &Failure, lang: Lang) -> IpcError {
    if failure.code() == "internal" {
        log::error(&format!("internal error: {failure:?}"));
    }
    failure.to_ipc(lang)
}

/// Tauri runs a plain command on the main thread, where a slow one freezes the window; every
/// command here is async and does its work on the blocking pool instead (Yaak's `rpc_ext`).
async fn off_the_ui_thread<T: Send + 'static>(
    app: tauri::AppHandle,
    work: impl FnOnce(&AppState) -> Result<T, IpcError> + Send + 'static,
) -> Result<T, IpcError> {
    tauri::async_runtime::spawn_blocking(move || work(&app.state::<AppState>()))
        .await
        .map_err(|err| {
            // The panic itself, with its place, is in the log already (`panics_to_the_log`).
            log::error(&format!("a command's thread failed: {err}"));
            IpcError {
                code: "internal".into(),
                message: err.to_string(),
                field: None,
            }
        })?
}

/// The desktop's one reading of the clock.
#[allow(clippy::disallowed_methods)]
pub(crate) fn now() -> Result<Instant, Failure> {
    Instant::from_clock(chrono::Utc::now()).map_err(Failure::Internal)
}

#[tauri::command]
async fn store_status(app: tauri::AppHandle) -> Result<StoreStatus, IpcError> {
    off_the_ui_thread(app, |state| state.with(|open| open.desk.status())).await
}

/// Waits for the background `quick_check` and says what it found: `None` when the store is
/// sound, else what is wrong, for the person at the desk to see.
#[tauri::command]
async fn store_health(app: tauri::AppHandle) -> Result<Option<String>, IpcError> {
    off_the_ui_thread(app, |state| {
        let mut verdict = state
            .health
            .verdict
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        while verdict.is_none() {
            verdict = state
                .health
                .known
                .wait(verdict)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        Ok(verdict.clone().and_then(Result::err))
    })
    .await
}

#[tauri::command]
async fn create_first_account(
    app: tauri::AppHandle,
    organisation: String,
    login: String,
    password: String,
) -> Result<Session, IpcError> {
    off_the_ui_thread(app, move |state| {
        state.with(|open| {
            let session = open
                .desk
                .init(&organisation, &login, &password, "Asia/Tokyo", now()?)?;
            open.session = Some(session.clone());
            Ok(session)
        })
    })
    .await
}

#[tauri::command]
async fn login(
    app: tauri::AppHandle,
    login: String,
    password: String,
) -> Result<Session, IpcError> {
    off_the_ui_thread(app, move |state| {
        state.with(|open| {
            let session = open.desk.login(&login, &password, now()?)?;
            open.session = Some(session.clone());
            Ok(session)
        })
    })
    .await
}

#[tauri::command]
async fn change_password(
    app: tauri::AppHandle,
    current: String,
    new: String,
) -> Result<Session, IpcError> {
    off_the_ui_thread(app, move |state| {
        state.with(|open| {
            let session = signed_in(open)?;
            open.desk
                .change_password(&session, &current, &new, now()?)?;
            // Roles are re-read from the store on every call; only the flag changed.
            let renewed = Session {
                must_change_password: false,
                ..session
            };
            open.session = Some(renewed.clone());
            Ok(renewed)
        })
    })
    .await
}

#[tauri::command]
async fn logout(app: tauri::AppHandle) -> Result<(), IpcError> {
    off_the_ui_thread(app, |state| {
        state.with(|open| {
            open.session = None;
            Ok(())
        })
    })
    .await
}

#[tauri::command]
async fn set_lang(app: tauri::AppHandle, lang: Lang) -> Result<(), IpcError> {
    off_the_ui_thread(app, move |state| {
        state.with(|open| {
            open.lang = lang;
            Ok(())
        })
    })
    .await
}

#[tauri::command]
async fn asset_page(app: tauri::AppHandle, query: AssetQuery) -> Result<AssetPage, IpcError> {
    off_the_ui_thread(app, move |state| {
        state.with_session(|desk, session| desk.asset_page(session, &query))
    })
    .await
}

#[tauri::command]
async fn asset_detail(app: tauri::AppHandle, tag: String) -> Result<AssetDetail, IpcError> {
    off_the_ui_thread(app, move |state| {
        state.with_session(|desk, session| desk.asset(session, &tag))
    })
    .await
}

/// Renders a ledger and saves it in the user's Documents/Azukari folder. Rendering a large
/// ledger takes seconds: it runs on its own connection to the store, so the register and
/// every other command answer meanwhile, and reports progress on `on_progress`.
#[tauri::command]
async fn print_ledger(
    app: tauri::AppHandle,
    request: PrintRequest,
    on_progress: tauri::ipc::Channel<PrintProgress>,
) -> Result<PrintedFile, IpcError> {
    let font = std::env::var("AZUKARI_FONT").ok();
    off_the_ui_thread(app, move |state| {
        let (session, lang) = state.with(|open| Ok((signed_in(open)?, open.lang)))?;
        let printer = Desk::open(&state.path).map_err(|failure| shown(&failure, lang))?;
        let printed = printer
            .print(
                &session,
                &request,
                font.as_deref(),
                now().map_err(|failure| shown(&failure, lang))?,
                &mut |done, total| {
                    let _ = on_progress.send(PrintProgress {
                        done: done as u32,
                        total: total as u32,
                    });
                },
            )
            .map_err(|failure| shown(&failure, lang))?;
        save_printed(&printed).map_err(|why| {
            log::error(&format!("saving a ledger: {why}"));
            IpcError {
                code: "io_failed".into(),
                message: why,
                field: None,
            }
        })
    })
    .await
}

/// Writes beside the target and renames, so a failure leaves no half-written file, readable by
/// its owner only; never overwrites an earlier ledger.
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
    azukari_api::private::write_private(&target, &printed.bytes)
        .map_err(|err| format!("{}: {err}", target.display()))?;
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
    let dir = log::data_dir().ok_or("no data directory; pass --store")?;
    azukari_api::private::create_private_dir(&dir)
        .map_err(|err| format!("cannot create {}: {err}", dir.display()))?;
    Ok(azukari_platform::folders::default_store(&dir))
}

/// What to do when the web view the window is drawn with is missing.
fn missing_webview(lang: Lang, why: &str) -> String {
    match (lang, cfg!(windows)) {
        (Lang::Ja, true) => format!(
            "画面の表示に必要な Microsoft Edge WebView2 ランタイムが見つかりません。情報システム部門に導入を依頼してください（{why}）"
        ),
        (Lang::Ja, false) => {
            format!("画面の表示に必要な WebKitGTK が見つかりません（{why}）")
        }
        (Lang::En, true) => format!(
            "the Microsoft Edge WebView2 Runtime, which draws the window, is not installed; ask your IT department to install it ({why})"
        ),
        (Lang::En, false) => format!("WebKitGTK, which draws the window, is missing ({why})"),
    }
}

/// Whether the person's locale is Japanese: `LC_ALL`/`LC_MESSAGES`/`LANG` on Linux, the display
/// language on Windows.
fn japanese() -> bool {
    azukari_platform::locale::user_locale()
        .is_some_and(|tag| azukari_platform::locale::is_japanese(&tag))
}

fn main() {
    log::panics_to_the_log();
    let path = match store_path() {
        Ok(path) => path,
        Err(why) => log::fatal(&why, 2),
    };
    let lang = if japanese() { Lang::Ja } else { Lang::En };
    // Without a web view the window would fail inside Tauri's event loop, where the failure is a
    // panic the person never sees; asked first, it is told like any other reason not to start.
    if let Err(why) = tauri::webview_version() {
        log::fatal(&missing_webview(lang, &why.to_string()), 1);
    }
    let desk = match Desk::open(&path) {
        Ok(desk) => desk,
        Err(failure) => log::fatal(&failure.message(lang), 1),
    };
    // quick_check reads the whole file; on a large store it would hold up the first window,
    // so it runs beside it on its own connection, and the UI asks for its verdict.
    let health = Arc::new(Health::default());
    check_in_background(path.clone(), health.clone(), lang);
    tauri::Builder::default()
        .manage(AppState {
            open: Mutex::new(Open {
                desk,
                session: None,
                lang,
            }),
            path,
            health,
        })
        .invoke_handler(tauri::generate_handler![
            store_status,
            store_health,
            create_first_account,
            login,
            change_password,
            logout,
            set_lang,
            asset_page,
            asset_detail,
            print_ledger
        ])
        .run(tauri::generate_context!())
        .unwrap_or_else(|err| log::fatal(&format!("the window could not start: {err}"), 1));
}

fn check_in_background(path: PathBuf, health: Arc<Health>, lang: Lang) {
    std::thread::spawn(move || {
        // A check that panicked must still give a verdict, or `store_health` would wait for ever.
        let verdict = std::panic::catch_unwind(|| azukari_api::quick_check_file(&path))
            .unwrap_or_else(|_| {
                Err(Failure::Internal(
                    "the integrity check stopped unexpectedly".into(),
                ))
            })
            .map_err(|failure| {
                log::error(&format!(
                    "quick_check of {} failed: {}",
                    path.display(),
                    failure.message(Lang::En)
                ));
                failure.message(lang)
            });
        *health
            .verdict
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(verdict);
        health.known.notify_all();
    });
}
