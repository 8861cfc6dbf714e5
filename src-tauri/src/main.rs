//! The Azukari desktop shell. Tauri commands here are one-line adapters over the api; what only
//! the desktop needs (the open store and session in app state, the language of messages, the
//! background integrity check) lives here and nowhere else.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use azukari_api::domain::Instant;
use azukari_api::domain::journal::Head;
use azukari_api::domain::rules::Lang;
use azukari_api::domain::rules::Refusal;
use azukari_api::domain::view::{AssetPage, AssetQuery};
use azukari_api::{
    Acknowledged, AssetDetail, Call, Clock, Desk, Failure, ImportKind, ImportOptions,
    ImportSummary, IpcError, Local, Office, PrintProgress, PrintRequest, PrintedFile, Reachability,
    SavedStore, Session, StoreStatus, Verified,
};
use seat::{Chosen, Seat};
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex};
use tauri::Manager;

mod log;
mod seat;

struct Open {
    seat: Seat,
    lang: Lang,
}

#[derive(Default)]
struct Health {
    verdict: Mutex<Option<Result<(), String>>>,
    known: Condvar,
}

struct AppState {
    open: Mutex<Open>,
    health: Arc<Health>,
}

impl AppState {
    fn with<T>(&self, work: impl FnOnce(&mut Open) -> Result<T, Failure>) -> Result<T, IpcError> {
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let lang = open.lang;
        work(&mut open).map_err(|failure| shown(&failure, lang))
    }

    /// Work for the logged-in person, wherever the register is.
    fn with_office<T>(
        &self,
        work: impl FnOnce(&mut dyn Office) -> Result<T, Failure>,
    ) -> Result<T, IpcError> {
        self.with(|open| work(open.seat.office().ok_or(Refusal::NotLoggedIn)?))
    }
}

fn shown(failure: &Failure, lang: Lang) -> IpcError {
    if failure.code() == "internal" {
        log::error(&format!("internal error: {failure:?}"));
    }
    failure.to_ipc(lang)
}

async fn off_the_ui_thread<T: Send + 'static>(
    app: tauri::AppHandle,
    work: impl FnOnce(&AppState) -> Result<T, IpcError> + Send + 'static,
) -> Result<T, IpcError> {
    tauri::async_runtime::spawn_blocking(move || work(&app.state::<AppState>()))
        .await
        .map_err(|err| {
            log::error(&format!("a command's thread failed: {err}"));
            IpcError {
                code: "internal".into(),
                message: err.to_string(),
                field: None,
            }
        })?
}

/// The one place the desktop reads the clock (for a store on this computer; an office server
/// uses its own).
#[allow(clippy::disallowed_methods)]
pub(crate) fn now() -> Result<Instant, Failure> {
    Instant::from_clock(chrono::Utc::now()).map_err(Failure::Internal)
}

fn clock() -> Clock {
    Arc::new(now)
}

fn status_of(seat: &Seat) -> Result<StoreStatus, Failure> {
    match seat {
        Seat::Unchosen => Ok(StoreStatus {
            place: None,
            path: String::new(),
            needs_first_account: false,
            time_zone: None,
        }),
        Seat::Local {
            desk: Some(desk), ..
        } => desk.status(),
        Seat::Local {
            office: Some(office),
            ..
        } => office.desk().status(),
        Seat::Local { .. } => Err(Failure::Internal("the store is not open".into())),
        Seat::Server { url, .. } => {
            let status = seat.connection()?.status()?;
            Ok(StoreStatus {
                place: seat.place(),
                path: url.clone(),
                needs_first_account: false,
                time_zone: status.time_zone,
            })
        }
    }
}

#[tauri::command]
async fn store_status(app: tauri::AppHandle) -> Result<StoreStatus, IpcError> {
    off_the_ui_thread(app, |state| state.with(|open| status_of(&open.seat))).await
}

/// The first-run choice: this computer only, or an office server (its address, and the
/// certificate to trust when the system does not). A server is asked before it is kept.
#[tauri::command]
async fn choose_place(
    app: tauri::AppHandle,
    server: Option<String>,
    ca: Option<String>,
) -> Result<StoreStatus, IpcError> {
    off_the_ui_thread(app, move |state| {
        state.with(|open| {
            let chosen = match server.as_deref().map(str::trim) {
                None => Chosen::Local {
                    path: default_store_path().map_err(Failure::Internal)?,
                },
                Some(url) => Chosen::Server {
                    url: url.to_string(),
                    ca: ca.filter(|c| !c.trim().is_empty()).map(PathBuf::from),
                },
            };
            let seat = Seat::open(chosen.clone()).map_err(on_server_field)?;
            let status = status_of(&seat).map_err(on_server_field)?;
            seat::save(&chosen)?;
            if let Some(path) = seat.local_path() {
                check_in_background(path.to_path_buf(), state.health.clone(), open.lang);
            } else {
                settle_health(&state.health, Ok(()));
            }
            open.seat = seat;
            Ok(status)
        })
    })
    .await
}

/// A server that does not answer, or an address that is not one, is the server field's fault.
fn on_server_field(failure: Failure) -> Failure {
    match failure {
        Failure::Unreachable { .. } => Failure::Answered(azukari_api::Answered {
            field: Some("server".into()),
            ..failure.to_answered()
        }),
        other => other,
    }
}

#[tauri::command]
async fn reachability(app: tauri::AppHandle) -> Result<Reachability, IpcError> {
    off_the_ui_thread(app, |state| {
        // The server is asked outside the lock: an address that does not answer takes seconds
        // to give up on, and the person's own commands must not wait for that.
        let asked = state.with(|open| match &open.seat {
            Seat::Server { .. } => Ok(Some((open.seat.connection()?, open.lang))),
            _ => Ok(None),
        })?;
        let Some((connection, lang)) = asked else {
            // A store on this computer is always there; its journal still moves when another
            // program (the CLI, another desktop) writes the same file.
            return state.with(|open| {
                Ok(Reachability {
                    reachable: true,
                    problem: None,
                    waiting: 0,
                    refused: Vec::new(),
                    journal_seq: journal_seq_of(&mut open.seat),
                })
            });
        };
        let answer = connection.status();
        state.with(|open| {
            let journal_seq = if answer.is_ok() {
                journal_seq_of(&mut open.seat)
            } else {
                None
            };
            let Seat::Server {
                office: Some(remote),
                ..
            } = &mut open.seat
            else {
                return Ok(Reachability {
                    reachable: answer.is_ok(),
                    problem: answer.err().map(|failure| failure.message(lang)),
                    waiting: 0,
                    refused: Vec::new(),
                    journal_seq,
                });
            };
            if answer.is_ok() {
                // Back: what waited goes now.
                if let Err(failure) = seat::send_outbox(remote) {
                    log::error(&format!(
                        "sending the outbox: {}",
                        failure.message(Lang::En)
                    ));
                }
            }
            let (waiting, refused) = seat::outbox_state(remote, lang);
            Ok(Reachability {
                reachable: answer.is_ok(),
                problem: answer.err().map(|failure| failure.message(lang)),
                waiting,
                refused,
                journal_seq,
            })
        })
    })
    .await
}

/// The journal's last entry as the logged-in person's place has it. On a server this is also
/// the client's check that the server's chain extends what it saw, every few seconds rather
/// than only at the next write; a failure of it is the next command's to report. A refusal
/// or the server's answered error (the session ended there) is not logged: asked every 5 s,
/// it would fill the log.
fn journal_seq_of(seat: &mut Seat) -> Option<i64> {
    let office = seat.office()?;
    match office.journal_head() {
        Ok(head) => Some(head.seq),
        Err(Failure::Refused(_) | Failure::Answered(_)) => None,
        Err(failure) => {
            log::error(&format!(
                "reading the journal's head: {}",
                failure.message(Lang::En)
            ));
            None
        }
    }
}

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
            let Seat::Local { desk, office, .. } = &mut open.seat else {
                return Err(azukari_api::not_over_the_network("init"));
            };
            let mut first = desk
                .take()
                .ok_or_else(|| Failure::Internal("the store is not open".into()))?;
            let made = first.init(&organisation, &login, &password, "Asia/Tokyo", now()?);
            let session = match made {
                Ok(session) => session,
                Err(failure) => {
                    *desk = Some(first);
                    return Err(failure);
                }
            };
            match Local::login(first, &login, &password, clock()) {
                Ok(local) => *office = Some(local),
                Err(failure) => return Err(failure),
            }
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
            let connection = match &open.seat {
                Seat::Server { .. } => Some(open.seat.connection()?),
                _ => None,
            };
            match (&mut open.seat, connection) {
                (Seat::Local { path, desk, office }, _) => {
                    let ready = match desk.take() {
                        Some(ready) => ready,
                        None => Desk::open(path)?,
                    };
                    // A refused login gives the store back for the next try.
                    let path = path.clone();
                    match Local::login(ready, &login, &password, clock()) {
                        Ok(local) => {
                            let session = local.session().clone();
                            *office = Some(local);
                            Ok(session)
                        }
                        Err(failure) => {
                            *desk = Some(Desk::open(&path)?);
                            Err(failure)
                        }
                    }
                }
                (Seat::Server { url, office, .. }, Some(connection)) => {
                    let mut remote = connection.login(&login, &password)?;
                    let kept = remote.connection().kept().clone();
                    if let Err(err) = kept.keep_token(url, &login, remote.token()) {
                        log::error(&format!("keeping the session: {err}"));
                    }
                    let _ = seat::send_outbox(&mut remote);
                    let session = remote.session().clone();
                    *office = Some(remote);
                    Ok(session)
                }
                _ => Err(Refusal::NotLoggedIn.into()),
            }
        })
    })
    .await
}

/// At start, connected to a server: the session kept by the last login, if it still holds.
#[tauri::command]
async fn resume_session(app: tauri::AppHandle) -> Result<Option<Session>, IpcError> {
    off_the_ui_thread(app, move |state| {
        state.with(|open| {
            let Seat::Server { url, .. } = &open.seat else {
                return Ok(None);
            };
            let kept = seat::kept();
            let Some(login) = kept.last_login(url) else {
                return Ok(None);
            };
            let Some(token) = kept.token(url, &login) else {
                return Ok(None);
            };
            let connection = open.seat.connection()?;
            let Seat::Server { url, office, .. } = &mut open.seat else {
                unreachable!("a server, matched above")
            };
            match connection.resume(token) {
                Ok(mut remote) => {
                    let _ = seat::send_outbox(&mut remote);
                    let session = remote.session().clone();
                    *office = Some(remote);
                    Ok(Some(session))
                }
                Err(failure) if failure.session_gone() => {
                    kept.forget_token(url, &login);
                    Ok(None)
                }
                Err(failure) => Err(failure),
            }
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
        state.with_office(|office| {
            office.change_password(&current, &new)?;
            Ok(Session {
                must_change_password: false,
                ..office.session().clone()
            })
        })
    })
    .await
}

#[tauri::command]
async fn logout(app: tauri::AppHandle) -> Result<(), IpcError> {
    off_the_ui_thread(app, |state| {
        state.with(|open| {
            match &mut open.seat {
                Seat::Local { desk, office, .. } => {
                    if let Some(local) = office.take() {
                        *desk = Some(local.into_desk());
                    }
                }
                Seat::Server { url, office, .. } => {
                    if let Some(remote) = office.take() {
                        let login = remote.session().login.clone();
                        seat::kept().forget_token(url, &login);
                        // Ended on the server too; unreachable, it ends at its idle limit.
                        let _ = remote.logout();
                    }
                }
                Seat::Unchosen => {}
            }
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
        state.with_office(|office| office.asset_page(query))
    })
    .await
}

#[tauri::command]
async fn asset_detail(app: tauri::AppHandle, tag: String) -> Result<AssetDetail, IpcError> {
    off_the_ui_thread(app, move |state| {
        state.with_office(|office| office.asset(&tag))
    })
    .await
}

/// The custodian acknowledges receipt. Connected to a server that cannot be reached, it waits
/// in the outbox (with its idempotency key) and is sent when the server answers again.
#[tauri::command]
async fn acknowledge_loan(app: tauri::AppHandle, tag: String) -> Result<Acknowledged, IpcError> {
    off_the_ui_thread(app, move |state| {
        state.with(|open| match &mut open.seat {
            Seat::Server {
                office: Some(remote),
                ..
            } => {
                let key = azukari_client::outbox::new_key();
                match remote.acknowledge_loan_once(&key, &tag) {
                    Ok(_) => Ok(Acknowledged { waiting: false }),
                    Err(Failure::Unreachable { .. }) => {
                        seat::keep_for_later(remote, &key, &tag, now()?)?;
                        Ok(Acknowledged { waiting: true })
                    }
                    Err(failure) => Err(failure),
                }
            }
            seat => {
                let office = seat.office().ok_or(Refusal::NotLoggedIn)?;
                office.acknowledge_loan(&tag)?;
                Ok(Acknowledged { waiting: false })
            }
        })
    })
    .await
}

/// Any use-case of the api, as the same [`Call`] value the office server answers: the screens
/// for register work, people, sites, accounts and the overview reach the backend through here,
/// and the backend decides what the session may do. Answers the call's JSON.
#[tauri::command]
async fn office_call(app: tauri::AppHandle, call: Call) -> Result<serde_json::Value, IpcError> {
    off_the_ui_thread(app, move |state| {
        state.with_office(|office| match call {
            // The session is renewed by its own command.
            Call::ChangePassword { .. } => Err(Failure::Internal(
                "a password is changed through change_password".into(),
            )),
            call => office.call(call),
        })
    })
    .await
}

/// The header a raw request carries `name` in; a file's name is percent-encoded (headers are
/// ASCII, and offices name their files in Japanese).
fn header(request: &tauri::ipc::Request<'_>, name: &str) -> Result<String, Failure> {
    let value = request
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    Ok(percent_encoding::percent_decode_str(value)
        .decode_utf8()
        .map_err(|err| Failure::Internal(format!("header {name}: {err}")))?
        .into_owned())
}

/// Imports a register file the person chose: its bytes as the request's body (never a path
/// the web view could make up), its name and the options in headers. A dry run is the preview.
#[tauri::command]
async fn import_register(
    app: tauri::AppHandle,
    request: tauri::ipc::Request<'_>,
) -> Result<ImportSummary, IpcError> {
    let parsed = (|| -> Result<_, Failure> {
        let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
            return Err(Failure::UnreadableFile(
                "no file came with the request".into(),
            ));
        };
        let kind = match header(&request, "azukari-kind")?.as_str() {
            "people" => ImportKind::People,
            _ => ImportKind::Assets,
        };
        let options = ImportOptions {
            dry_run: header(&request, "azukari-dry-run")? == "true",
            add_organisations: header(&request, "azukari-add-organisations")? == "true",
        };
        Ok((
            bytes.clone(),
            header(&request, "azukari-file-name")?,
            kind,
            options,
        ))
    })();
    off_the_ui_thread(app, move |state| {
        state.with_office(|office| {
            let (bytes, name, kind, options) = parsed?;
            office.import(kind, &name, &bytes, options)
        })
    })
    .await
}

/// This computer's checkpoint signer, for the ledgers of a store of its own: the key in the
/// configuration folder (or AZUKARI_CHECKPOINT_KEY), made on first use, and the checkpoints
/// it signed kept beside it. One for the process, so it remembers the last head it signed.
fn checkpoint_signer() -> Result<std::sync::Arc<azukari_api::checkpoint::CheckpointSigner>, Failure>
{
    static SIGNER: std::sync::OnceLock<std::sync::Arc<azukari_api::checkpoint::CheckpointSigner>> =
        std::sync::OnceLock::new();
    if let Some(signer) = SIGNER.get() {
        return Ok(signer.clone());
    }
    let key = azukari_platform::folders::checkpoint_key_file().ok_or_else(|| {
        Failure::Internal("no configuration folder for the checkpoint key".into())
    })?;
    let signer = std::sync::Arc::new(azukari_api::checkpoint::CheckpointSigner::beside_key(&key)?);
    Ok(SIGNER.get_or_init(|| signer).clone())
}

#[tauri::command]
async fn print_ledger(
    app: tauri::AppHandle,
    request: PrintRequest,
    on_progress: tauri::ipc::Channel<PrintProgress>,
) -> Result<PrintedFile, IpcError> {
    let font = std::env::var("AZUKARI_FONT").ok();
    off_the_ui_thread(app, move |state| {
        // Printing runs on its own connection (a second store connection, or a second session
        // of the same login), so the register stays usable meanwhile.
        let (mut printer, lang) = state.with(|open| Ok((beside(open)?, open.lang)))?;
        let printed = printer
            .print(&request, font.as_deref(), &mut |done, total| {
                let _ = on_progress.send(PrintProgress {
                    done: done as u32,
                    total: total as u32,
                });
            })
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

/// The logged-in person's office on a connection of its own (a second store connection, or a
/// second session of the same login): long work (a ledger, verifying) runs there, and the
/// register stays usable meanwhile.
fn beside(open: &Open) -> Result<Box<dyn Office + Send>, Failure> {
    Ok(match &open.seat {
        Seat::Local {
            path,
            office: Some(local),
            ..
        } => {
            // A ledger of a store of one's own is signed with this computer's key.
            let mut desk = Desk::open(path)?;
            desk.set_checkpoint_signer(Some(checkpoint_signer()?));
            Box::new(local.beside(desk))
        }
        Seat::Server {
            office: Some(remote),
            ..
        } => Box::new(remote.beside()?),
        _ => return Err(Refusal::NotLoggedIn.into()),
    })
}

/// Verifies the store (the office server verifies its own): every entry checked and replayed,
/// every record compared; with `expect` (`SEQ:HASH` from a ledger's foot), also that this head
/// is still in the chain. Progress arrives on the channel.
#[tauri::command]
async fn verify_store(
    app: tauri::AppHandle,
    expect: Option<String>,
    on_progress: tauri::ipc::Channel<PrintProgress>,
) -> Result<Verified, IpcError> {
    off_the_ui_thread(app, move |state| {
        let (mut verifier, lang) = state.with(|open| Ok((beside(open)?, open.lang)))?;
        let expect = match expect.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
            None => None,
            Some(text) => Some(text.parse::<Head>().map_err(|expected| {
                shown(
                    &Refusal::InvalidValue {
                        field: "expect",
                        value: text.to_string(),
                        expected,
                    }
                    .into(),
                    lang,
                )
            })?),
        };
        let report = verifier
            .verify_with_progress(expect, &mut |done, total| {
                let _ = on_progress.send(PrintProgress {
                    done: done as u32,
                    total: total as u32,
                });
            })
            .map_err(|failure| shown(&failure, lang))?;
        Ok(Verified::from(&report))
    })
    .await
}

/// Where the person chooses to save a file, with the system's save dialog: none when they
/// cancel. Asked before the store is touched, so the app's lock is not held while they choose.
fn save_as(app: &tauri::AppHandle, title: &str, name: &str) -> Option<PathBuf> {
    use tauri_plugin_dialog::DialogExt;
    let mut dialog = app.dialog().file().set_title(title).set_file_name(name);
    if let Some(documents) = dirs::document_dir().or_else(dirs::home_dir) {
        dialog = dialog.set_directory(documents);
    }
    dialog.blocking_save_file()?.into_path().ok()
}

/// The minute now, for a file name the save dialog suggests.
fn stamp() -> String {
    now()
        .map(|at| at.utc().format("%Y%m%d-%H%M").to_string())
        .unwrap_or_default()
}

/// Backs the store up to a file the person chooses (an office server sends its backup here).
/// Answers none when they cancelled the dialog.
#[tauri::command]
async fn backup_store(app: tauri::AppHandle) -> Result<Option<SavedStore>, IpcError> {
    let handle = app.clone();
    off_the_ui_thread(app, move |state| {
        let lang = state.with(|open| Ok(open.lang))?;
        let stamp = stamp();
        let (title, name) = if lang == Lang::Ja {
            (
                "バックアップの保存先",
                format!("azukari-バックアップ-{stamp}.db"),
            )
        } else {
            ("Save the backup as", format!("azukari-backup-{stamp}.db"))
        };
        let Some(path) = save_as(&handle, title, &name) else {
            return Ok(None);
        };
        state.with_office(|office| office.backup(&path))?;
        Ok(Some(SavedStore {
            path: path.display().to_string(),
            head: None,
        }))
    })
    .await
}

/// Restores a backup the person chooses into a new store they name: the backup verifies first,
/// and the store open now is left as it is. The security office's (the backup's file alone
/// would let anyone with it do the same with the CLI; the app keeps to the roles).
#[tauri::command]
async fn restore_store(app: tauri::AppHandle) -> Result<Option<SavedStore>, IpcError> {
    use tauri_plugin_dialog::DialogExt;
    let handle = app.clone();
    off_the_ui_thread(app, move |state| {
        let lang = state.with(|open| {
            let lang = open.lang;
            let local = open.seat.local_path().is_some();
            let office = open.seat.office().ok_or(Refusal::NotLoggedIn)?;
            let session: Session = azukari_api::typed(office.call(Call::Session))?;
            if !session
                .roles
                .contains(&azukari_api::domain::Role::SecurityOffice)
                || !local
            {
                return Err(Refusal::Forbidden {
                    use_case: "restore a backup",
                }
                .into());
            }
            Ok(lang)
        })?;
        let ja = lang == Lang::Ja;
        let Some(backup) = handle
            .dialog()
            .file()
            .set_title(if ja {
                "復元するバックアップ"
            } else {
                "The backup to restore"
            })
            .blocking_pick_file()
            .and_then(|file| file.into_path().ok())
        else {
            return Ok(None);
        };
        let name = format!("azukari-restored-{}.db", stamp());
        let title = if ja {
            "復元先（新しいデータ保存先）"
        } else {
            "The new store to restore into"
        };
        let Some(target) = save_as(&handle, title, &name) else {
            return Ok(None);
        };
        let desk = Desk::restore(&backup, &target).map_err(|failure| shown(&failure, lang))?;
        let (seq, hash) = desk
            .store()
            .read()
            .journal_head()
            .map_err(|err| shown(&Failure::from(err), lang))?;
        Ok(Some(SavedStore {
            path: target.display().to_string(),
            head: Some(format!("{seq}:{hash}")),
        }))
    })
    .await
}

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

/// What this start works on: `--store PATH` or `--server URL [--ca FILE]` (or AZUKARI_STORE,
/// AZUKARI_SERVER, AZUKARI_SERVER_CA), else the saved choice, else nothing yet (first run).
fn chosen_at_start() -> Result<Option<Chosen>, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| -> Result<Option<String>, String> {
        let mut found = None;
        for (i, arg) in args.iter().enumerate() {
            if arg == name {
                found = Some(
                    args.get(i + 1)
                        .cloned()
                        .ok_or_else(|| format!("{name} needs a value"))?,
                );
            } else if let Some(value) = arg.strip_prefix(&format!("{name}=")) {
                found = Some(value.to_string());
            }
        }
        Ok(found)
    };
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    if let Some(path) = value("--store")? {
        return Ok(Some(Chosen::Local {
            path: PathBuf::from(path),
        }));
    }
    if let Some(url) = value("--server")?.or_else(|| env("AZUKARI_SERVER")) {
        let ca = value("--ca")?.or_else(|| env("AZUKARI_SERVER_CA"));
        return Ok(Some(Chosen::Server {
            url,
            ca: ca.map(PathBuf::from),
        }));
    }
    if let Some(path) = env("AZUKARI_STORE") {
        return Ok(Some(Chosen::Local {
            path: PathBuf::from(path),
        }));
    }
    Ok(seat::saved())
}

/// The store "this computer only" uses: azukari.db in the data folder.
fn default_store_path() -> Result<PathBuf, String> {
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
    let chosen = match chosen_at_start() {
        Ok(chosen) => chosen,
        Err(why) => log::fatal(&why, 2),
    };
    let lang = if japanese() { Lang::Ja } else { Lang::En };
    // Without a web view the window would fail inside Tauri's event loop, where the failure is a
    // panic the person never sees; asked first, it is told like any other reason not to start.
    if let Err(why) = tauri::webview_version() {
        log::fatal(&missing_webview(lang, &why.to_string()), 1);
    }
    let seat = match chosen {
        None => Seat::Unchosen,
        Some(chosen) => match Seat::open(chosen) {
            Ok(seat) => seat,
            Err(failure) => log::fatal(&failure.message(lang), 1),
        },
    };
    // quick_check reads the whole file; on a large store it would hold up the first window,
    // so it runs beside it on its own connection, and the UI asks for its verdict. A server
    // checks its own store.
    let health = Arc::new(Health::default());
    match seat.local_path() {
        Some(path) => check_in_background(path.to_path_buf(), health.clone(), lang),
        None if matches!(seat, Seat::Server { .. }) => settle_health(&health, Ok(())),
        None => {}
    }
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(AppState {
            open: Mutex::new(Open { seat, lang }),
            health,
        })
        .invoke_handler(tauri::generate_handler![
            store_status,
            choose_place,
            reachability,
            store_health,
            create_first_account,
            login,
            resume_session,
            change_password,
            logout,
            set_lang,
            asset_page,
            asset_detail,
            acknowledge_loan,
            office_call,
            import_register,
            verify_store,
            backup_store,
            restore_store,
            print_ledger
        ])
        .run(tauri::generate_context!())
        .unwrap_or_else(|err| log::fatal(&format!("the window could not start: {err}"), 1));
}

fn settle_health(health: &Health, verdict: Result<(), String>) {
    *health
        .verdict
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(verdict);
    health.known.notify_all();
}

fn check_in_background(path: PathBuf, health: Arc<Health>, lang: Lang) {
    std::thread::spawn(move || {
        // It reads the whole file while the window starts and the person logs in: on a busy
        // or small machine it yields the cores to them (nice 10; below normal on Windows).
        if let Err(why) = azukari_platform::priority::lower_this_thread() {
            log::error(&format!(
                "the integrity check runs at normal priority: {why}"
            ));
        }
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
        settle_health(&health, verdict);
    });
}
