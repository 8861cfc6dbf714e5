//! `azukari`: the command line over the api. Parses arguments, asks for passwords, prints
//! results; every decision is the api's. Exit status: 0 done, 1 refused or failed (the reason
//! on stderr), 2 usage error.

use anyhow::Context;
use azukari_api::checkpoint;
use azukari_api::domain::import::{parse_date, parse_kind};
use azukari_api::domain::journal::Head;
use azukari_api::domain::rules::Lang;
use azukari_api::domain::view::{AssetQuery, AssetSort};
use azukari_api::domain::*;
use azukari_api::*;
use azukari_client::outbox::Outbox;
use azukari_platform::console;
use clap::{Parser, Subcommand, ValueEnum};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// A line on standard output, in the encoding of wherever it goes: a console shows Japanese
/// whatever its code page; redirected, it is CP932 on a Japanese Windows and UTF-8 elsewhere
/// (`azukari_platform::console`).
macro_rules! say {
    ($($arg:tt)*) => { console::out().line(&format!($($arg)*)) };
}

/// A line on standard error, encoded as `say!` encodes.
macro_rules! tell {
    ($($arg:tt)*) => { console::err().line(&format!($($arg)*)) };
}

#[derive(Parser)]
#[command(
    name = "azukari",
    version,
    about = "Custody of loaned PCs, phones, badges and media (預かり)"
)]
struct Cli {
    /// The store file; defaults to azukari.db in the user's data directory.
    #[arg(long, global = true, env = "AZUKARI_STORE")]
    store: Option<PathBuf>,
    /// The login to act as; its password comes from AZUKARI_PASSWORD or a prompt (or, with
    /// --server, the session of an earlier `azukari login`).
    #[arg(long, global = true, env = "AZUKARI_USER")]
    user: Option<String>,
    /// An office server to work on instead of a store on this computer (https://host:port).
    #[arg(long, global = true, env = "AZUKARI_SERVER", conflicts_with = "store")]
    server: Option<String>,
    /// A PEM certificate to trust for --server when the system does not (a self-signed one).
    #[arg(long, global = true, env = "AZUKARI_SERVER_CA")]
    ca: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Makes a new store: our organisation and the first security-office account.
    Init {
        #[arg(long)]
        org: String,
        #[arg(long)]
        admin: String,
        /// The zone bare dates are read in.
        #[arg(long, default_value = "Asia/Tokyo")]
        time_zone: String,
    },
    #[command(subcommand)]
    Org(OrgCommand),
    #[command(subcommand)]
    Site(SiteCommand),
    #[command(subcommand)]
    Account(AccountCommand),
    #[command(subcommand)]
    Person(PersonCommand),
    #[command(subcommand)]
    Asset(AssetCommand),
    #[command(subcommand)]
    Loan(LoanCommand),
    /// Imports a register exported from Excel (.xlsx, or .csv in UTF-8 or Shift_JIS).
    Import {
        what: ImportWhat,
        file: PathBuf,
        /// Check everything, write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Add the organisations the file names that the register lacks (owners as customers,
        /// people's organisations as partners) instead of stopping at them.
        #[arg(long)]
        add_organisations: bool,
        /// Print what was (or would be) added as JSON.
        #[arg(long)]
        json: bool,
        /// The largest file to read, in MB.
        #[arg(long, env = "AZUKARI_IMPORT_LIMIT_MB", default_value_t = DEFAULT_IMPORT_LIMIT_BYTES / (1024 * 1024))]
        max_mb: u64,
    },
    /// Prints ledgers: the custody ledger (貸与物管理台帳) and asset labels.
    #[command(subcommand)]
    Ledger(LedgerCommand),
    /// Checks the journal's chain, replays it and compares the result with the live tables.
    Verify {
        /// A journal head kept outside the store (printed at the foot of every ledger, or by an
        /// earlier verify), as SEQ:HASH: it must still be in the chain as it was.
        #[arg(long, value_parser = parse_word::<Head>, conflicts_with = "checkpoint")]
        expect: Option<Head>,
        /// A signed checkpoint (made by `azukari checkpoint`): its signature must hold and its
        /// head must still be in the chain as it was.
        #[arg(long)]
        checkpoint: Option<PathBuf>,
        /// The public key the checkpoint must be signed with (as `azukari serve --print-key`
        /// or `azukari checkpoint` show it); without it, the key the checkpoint names is shown
        /// to be compared.
        #[arg(long, requires = "checkpoint")]
        public_key: Option<String>,
    },
    /// Verifies the store and signs its journal head: with the office server's key when
    /// connected to one, otherwise with this computer's (made on first use, kept apart from
    /// any store). A checkpoint to file or send away; a copy is kept beside the key.
    Checkpoint {
        #[arg(long)]
        out: PathBuf,
        /// This computer's key file; by default `checkpoint.key` in the configuration folder.
        #[arg(long, env = "AZUKARI_CHECKPOINT_KEY")]
        key: Option<PathBuf>,
    },
    /// Copies the store into one SQLite file that verifies on its own: SQLite's online backup
    /// of a file store, a copy in one snapshot of a PostgreSQL store.
    Backup {
        #[arg(long)]
        out: PathBuf,
    },
    /// Makes the store named by --store from a backup, after verifying the backup.
    Restore { file: PathBuf },
    /// Copies a store into a new, empty one, of either engine (a file, or postgres://…), by
    /// replaying its journal; both verify and show the same head.
    Migrate {
        #[arg(long)]
        from: PathBuf,
        #[arg(long)]
        to: PathBuf,
    },
    /// Serves the store to every desk of the office (see the README's "Office server").
    Serve {
        /// The address to listen on; plain HTTP only on a loopback address.
        #[arg(long, default_value = "127.0.0.1:8443")]
        listen: std::net::SocketAddr,
        /// The server's certificate chain (PEM).
        #[arg(long, requires = "key")]
        cert: Option<PathBuf>,
        /// The certificate's private key (PEM).
        #[arg(long, requires = "cert")]
        key: Option<PathBuf>,
        /// A session ends after this many days without a request.
        #[arg(long, default_value_t = 14)]
        idle_days: i64,
        /// A session ends this many days after its login, whatever its use.
        #[arg(long, default_value_t = 30)]
        session_days: i64,
        /// The largest register file an import takes, in MB.
        #[arg(long, env = "AZUKARI_IMPORT_LIMIT_MB", default_value_t = DEFAULT_IMPORT_LIMIT_BYTES / (1024 * 1024))]
        max_import_mb: u64,
        #[arg(long, env = "AZUKARI_FONT")]
        font: Option<String>,
        /// Prints the public key of this computer's checkpoint key (made on first use) and
        /// stops: what the office publishes for auditors.
        #[arg(long)]
        print_key: bool,
        /// The checkpoint key file; by default `checkpoint.key` in the configuration folder.
        /// The checkpoints signed are kept in `checkpoints` beside it.
        #[arg(long, env = "AZUKARI_CHECKPOINT_KEY")]
        checkpoint_key: Option<PathBuf>,
        /// Every this many minutes the store is verified and its head signed, when it moved
        /// (the first time at start); 0 signs only on request and on ledgers.
        #[arg(long, default_value_t = 60)]
        checkpoint_every: u64,
    },
    /// Logs in to the office server named by --server and keeps the session on this computer,
    /// so later commands need no password.
    Login,
    /// Ends the session kept by `azukari login`.
    Logout,
    /// A custodian's actions kept on this computer while the office server could not be
    /// reached, and those it refused.
    #[command(subcommand)]
    Outbox(OutboxCommand),
}

#[derive(Subcommand)]
enum OutboxCommand {
    /// What waits to be sent, and what the server refused with its reason.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Sends what waits now.
    Send,
    /// Forgets the refused actions after reading them.
    Dismiss,
}

#[derive(Subcommand)]
enum LedgerCommand {
    /// Who holds which item, as of an instant.
    Custody {
        #[arg(long)]
        out: PathBuf,
        /// RFC 3339, or a date meaning its start in the store's time zone; now when left out.
        #[arg(long)]
        as_of: Option<String>,
        #[arg(long, default_value = "none", value_parser = parse_word::<LedgerGrouping>)]
        group_by: LedgerGrouping,
        /// pdf, csv or xlsx; taken from the file name when left out.
        #[arg(long, value_parser = parse_word::<LedgerFormat>)]
        format: Option<LedgerFormat>,
        #[arg(long, default_value = "ja", value_parser = parse_word::<Lang>)]
        lang: Lang,
        /// For CSV: utf8 (with BOM, as Excel expects) or cp932.
        #[arg(long, default_value = "utf8", value_parser = parse_csv_text)]
        encoding: CsvText,
        /// A font to use first: PATH, PATH#INDEX or PATH#FAMILY (meiryo.ttc#Meiryo UI); the
        /// system's Japanese fonts fill in.
        #[arg(long, env = "AZUKARI_FONT")]
        font: Option<String>,
    },
    /// A4 sheets of labels with the tag, name and a QR code of the tag.
    Labels {
        #[arg(long)]
        out: PathBuf,
        /// The assets to label; every asset when left out.
        #[arg(long = "tag")]
        tags: Vec<String>,
        #[arg(long, env = "AZUKARI_FONT")]
        font: Option<String>,
    },
}

fn parse_csv_text(text: &str) -> Result<CsvText, String> {
    match text {
        "utf8" | "utf-8" => Ok(CsvText::Utf8),
        "cp932" | "sjis" | "shift_jis" => Ok(CsvText::Cp932),
        _ => Err(format!("'{text}' is not an encoding: utf8 or cp932")),
    }
}

fn parse_word<T: std::str::FromStr<Err = String>>(text: &str) -> Result<T, String> {
    text.parse()
}

#[derive(Clone, Copy, ValueEnum)]
enum ImportWhat {
    Assets,
    People,
}

#[derive(Subcommand)]
enum OrgCommand {
    Add {
        name: String,
        #[arg(long, default_value = "customer")]
        kind: String,
    },
    /// Renames an organisation or changes its kind (customer or partner).
    Edit {
        name: String,
        /// The new name.
        #[arg(long = "name")]
        new_name: Option<String>,
        #[arg(long)]
        kind: Option<String>,
    },
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum SiteCommand {
    Add {
        /// The customer organisation the site belongs to.
        #[arg(long)]
        org: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        address: Option<String>,
        /// A site responsible, by name; repeat for several.
        #[arg(long = "responsible")]
        responsibles: Vec<String>,
    },
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum AccountCommand {
    /// Adds an account; its password comes from AZUKARI_NEW_PASSWORD or a prompt.
    Add {
        login: String,
        /// custodian, site_responsible, security_office or auditor; repeat for several.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// The person the account belongs to, by name.
        #[arg(long)]
        person: Option<String>,
        #[arg(long)]
        person_id: Option<i64>,
    },
    List {
        #[arg(long)]
        json: bool,
    },
    Disable {
        login: String,
    },
    /// Enables a disabled account again.
    Enable {
        login: String,
    },
    /// Lifts a login lock at once.
    Unlock {
        login: String,
    },
    /// Sets a new password for someone who lost theirs (from AZUKARI_NEW_PASSWORD or a
    /// prompt); they must choose their own at the next login.
    Reset {
        login: String,
    },
    /// Changes your own password: the current one from AZUKARI_PASSWORD or a prompt, the new
    /// one from AZUKARI_NEW_PASSWORD or a prompt.
    Passwd,
    /// Ends every session of an account on the office server (a lost laptop, a leaver).
    EndSessions {
        login: String,
    },
}

#[derive(Subcommand)]
enum PersonCommand {
    Add {
        name: String,
        #[arg(long)]
        kana: Option<String>,
        /// Organisation name; our own company when left out.
        #[arg(long)]
        org: Option<String>,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        employee_number: Option<String>,
    },
    /// Changes what is given of a person's record; an empty value clears a field.
    Edit {
        #[command(flatten)]
        who: PersonNamed,
        /// The new name.
        #[arg(long = "name")]
        new_name: Option<String>,
        #[arg(long)]
        kana: Option<String>,
        #[arg(long)]
        org: Option<String>,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        employee_number: Option<String>,
    },
    /// A person who left: kept in the register and the journal, issued nothing more. Only
    /// once they hold nothing.
    Deactivate {
        #[command(flatten)]
        who: PersonNamed,
    },
    Activate {
        #[command(flatten)]
        who: PersonNamed,
    },
    List {
        #[arg(long)]
        json: bool,
    },
}

/// A person by name, or by id where names repeat.
#[derive(clap::Args)]
struct PersonNamed {
    #[arg(required_unless_present = "person_id")]
    name: Option<String>,
    #[arg(long)]
    person_id: Option<i64>,
}

impl PersonNamed {
    fn person_ref(&self) -> PersonRef {
        match (self.person_id, &self.name) {
            (Some(id), _) => PersonRef::Id(PersonId(id)),
            (None, name) => PersonRef::Name(name.clone().unwrap_or_default()),
        }
    }
}

/// Edits a person: their record as it is, with `change` made to it.
fn edit_person(
    office: &mut dyn Office,
    who: &PersonNamed,
    active: Option<bool>,
    change: impl FnOnce(&mut NewPerson),
) -> Result<Vec<String>, Failure> {
    let person = who.person_ref();
    let id = office.person_id(person.clone())?;
    let row = office
        .people()?
        .into_iter()
        .find(|row| row.id == id)
        .ok_or_else(|| rules::Refusal::NotFound {
            what: "person",
            key: format!("#{id}"),
        })?;
    let mut edit = NewPerson {
        name: row.name,
        kana: row.kana,
        organisation: Some(row.organisation),
        email: row.email,
        employee_number: row.employee_number,
    };
    change(&mut edit);
    office.edit_person(EditPerson {
        person: PersonRef::Id(id),
        edit,
        active: active.unwrap_or(row.active),
    })
}

/// An edit's optional fields: each one given on the command line replaces the record's (an
/// empty value clears it, as the api reads empty text as absent); the rest stay as they are.
fn set_given<const N: usize>(fields: [(&mut Option<String>, Option<String>); N]) {
    for (field, given) in fields {
        if let Some(value) = given {
            *field = Some(value);
        }
    }
}

/// When a period or a loan ended, or "-" while it lasts.
fn ended(at: Option<Instant>) -> String {
    at.map(|at| at.to_string()).unwrap_or_else(|| "-".into())
}

fn said_changed(what: &str, changed: &[String]) -> String {
    if changed.is_empty() {
        format!("{what}: nothing changed")
    } else {
        format!("{what}: changed {}", changed.join(", "))
    }
}

#[derive(Subcommand)]
enum AssetCommand {
    Add {
        #[arg(long)]
        tag: String,
        #[arg(long)]
        kind: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        model: Option<String>,
        #[arg(long)]
        serial: Option<String>,
        /// The organisation that lent it; our own company when left out.
        #[arg(long)]
        owner: Option<String>,
        #[arg(long, default_value = "internal")]
        classification: String,
        #[arg(long)]
        encrypted: bool,
        #[arg(long)]
        note: Option<String>,
    },
    List {
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        kind: Option<String>,
        /// Only what this person holds now.
        #[arg(long)]
        holder: Option<String>,
        #[arg(long)]
        search: Option<String>,
        /// Only items whose custodian has not acknowledged receipt.
        #[arg(long)]
        unacknowledged: bool,
        /// Only items on loan due before this day (today: returns overdue).
        #[arg(long)]
        due_before: Option<String>,
        #[arg(long, default_value_t = 1000)]
        limit: u32,
        #[arg(long, default_value_t = 0)]
        offset: u32,
        #[arg(long)]
        json: bool,
    },
    Show {
        tag: String,
        #[arg(long)]
        json: bool,
    },
    /// Changes what is given of an asset's record (journaled with the fields that changed);
    /// an empty value clears an optional field.
    Edit {
        tag: String,
        /// A new tag (relabelled).
        #[arg(long = "tag")]
        new_tag: Option<String>,
        #[arg(long)]
        kind: Option<String>,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        model: Option<String>,
        #[arg(long)]
        serial: Option<String>,
        #[arg(long)]
        owner: Option<String>,
        #[arg(long)]
        classification: Option<String>,
        /// yes or no.
        #[arg(long)]
        encrypted: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
    /// Marks an asset lost, in repair or retired, or available again (found, repaired, back
    /// in service); each is a period on the asset's history and on as-of ledgers.
    Mark {
        tag: String,
        /// lost, in_repair, available or retired.
        #[arg(long)]
        status: String,
        #[arg(long)]
        note: Option<String>,
    },
}

#[derive(Subcommand)]
enum LoanCommand {
    Issue(HandOver),
    Return {
        #[arg(long)]
        asset: String,
        #[arg(long, default_value = "ok")]
        condition: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Hands an item on to the next custodian in one step.
    Transfer(HandOver),
    /// The custodian acknowledges receipt of an item issued to them.
    Ack {
        #[arg(long)]
        asset: String,
    },
    List {
        /// Only loans not yet returned.
        #[arg(long)]
        open: bool,
        #[arg(long)]
        holder: Option<String>,
        /// Custody as of this instant (RFC 3339, or a date meaning its start).
        #[arg(long)]
        as_of: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

/// Who gets an item, until when, and where it is kept: for issue and transfer alike.
#[derive(clap::Args)]
struct HandOver {
    #[arg(long)]
    asset: String,
    #[arg(long, required_unless_present = "person_id")]
    to: Option<String>,
    /// Names the custodian by id where names repeat.
    #[arg(long)]
    person_id: Option<i64>,
    #[arg(long)]
    due: Option<String>,
    /// The fixed place of keeping (定位置).
    #[arg(long)]
    place: Option<String>,
    /// The customer site the item is lent for.
    #[arg(long)]
    site: Option<String>,
}

impl HandOver {
    fn loan(self) -> Result<IssueLoan, Failure> {
        Ok(IssueLoan {
            tag: self.asset,
            to: person_ref(self.to, self.person_id).expect("clap requires --to or --person-id"),
            due: date("due", self.due.as_deref())?,
            place: self.place,
            site: self.site,
        })
    }
}

fn format_of(path: &std::path::Path) -> Option<LedgerFormat> {
    let extension = path.extension()?.to_str()?.to_lowercase();
    extension.parse().ok()
}

/// Renders, then writes through `OUT.partial` beside the target (private, like every file
/// holding the register) and renames, so a failure never leaves a half-written ledger; an
/// unwritable target is found before any work.
fn write_out(
    out: &std::path::Path,
    render: impl FnOnce(&mut dyn FnMut(usize, usize)) -> Result<Printed, Failure>,
) -> anyhow::Result<()> {
    let partial = private::partial_path_of(out).context("--out names no file")?;
    private::create_private_file(&partial)
        .with_context(|| format!("cannot write {}", out.display()))?;
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} pages")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    bar.set_message(out.display().to_string());
    let result = render(&mut |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    });
    bar.finish_and_clear();
    let _ = std::fs::remove_file(&partial);
    let printed = result?;
    private::write_private(out, &printed.bytes)
        .with_context(|| format!("cannot write {}", out.display()))?;
    say!(
        "wrote {} ({} rows, {} bytes)",
        out.display(),
        printed.rows,
        printed.bytes.len()
    );
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let lang = lang_from_env();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            match err.downcast_ref::<Failure>() {
                Some(failure) => tell!("azukari: {}", failure.message(lang)),
                None => tell!("azukari: {err:#}"),
            }
            ExitCode::from(1)
        }
    }
}

/// Japanese when the user's locale is (`LANG=ja_JP.UTF-8`, or a Japanese Windows), else English.
fn lang_from_env() -> Lang {
    match azukari_platform::locale::user_locale() {
        Some(tag) if azukari_platform::locale::is_japanese(&tag) => Lang::Ja,
        _ => Lang::En,
    }
}

/// The one place the command line reads the clock. In debug builds (tests) `AZUKARI_NOW` fixes
/// it, for tests of dated records; a release build has no such door: anyone could otherwise
/// date a write in the past, step past a login lock, or return a loan before it went out.
#[allow(clippy::disallowed_methods)]
fn now() -> anyhow::Result<Instant> {
    #[cfg(debug_assertions)]
    if let Ok(text) = std::env::var("AZUKARI_NOW") {
        return text
            .parse()
            .map_err(|err: String| anyhow::anyhow!("AZUKARI_NOW: {err}"));
    }
    Instant::from_clock(chrono::Utc::now()).map_err(anyhow::Error::msg)
}

fn default_store() -> anyhow::Result<PathBuf> {
    let dir = azukari_platform::folders::data_dir().context("no data directory; pass --store")?;
    private::create_private_dir(&dir)
        .with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(azukari_platform::folders::default_store(&dir))
}

fn password(variable: &str, prompt: &str) -> anyhow::Result<String> {
    match std::env::var(variable) {
        Ok(password) => Ok(password),
        Err(_) => rpassword::prompt_password(prompt)
            .with_context(|| format!("no password: set {variable} or run in a terminal")),
    }
}

/// JSON is UTF-8 wherever it goes (RFC 8259), so it is written as it is, never re-encoded.
fn print_json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", serde_json::to_string(value)?);
    Ok(())
}

fn word<T: std::str::FromStr<Err = String>>(field: &'static str, text: &str) -> Result<T, Failure> {
    text.parse().map_err(|expected| {
        Failure::Refused(rules::Refusal::InvalidValue {
            field,
            value: text.to_string(),
            expected,
        })
    })
}

fn date(field: &'static str, text: Option<&str>) -> Result<Option<chrono::NaiveDate>, Failure> {
    text.map(|text| {
        parse_date(text).ok_or_else(|| {
            Failure::Refused(rules::Refusal::InvalidValue {
                field,
                value: text.to_string(),
                expected: "a date from 1900 to 9999, like 2026-04-01".into(),
            })
        })
    })
    .transpose()
}

fn person_ref(name: Option<String>, id: Option<i64>) -> Option<PersonRef> {
    id.map(|id| PersonRef::Id(PersonId(id)))
        .or(name.map(PersonRef::Name))
}

fn run(cli: Cli) -> anyhow::Result<()> {
    if let Some(server) = &cli.server {
        return run_on_server(server, cli.ca.as_deref(), cli.user, cli.command);
    }
    let store = match cli.store {
        Some(path) => path,
        None => default_store()?,
    };
    if let Command::Serve {
        listen,
        cert,
        key,
        idle_days,
        session_days,
        max_import_mb,
        font,
        print_key,
        checkpoint_key,
        checkpoint_every,
    } = cli.command
    {
        // Made on first start, before anything is served.
        let signer =
            checkpoint::CheckpointSigner::beside_key(&checkpoint_key_path(checkpoint_key)?)?;
        if print_key {
            say!("{}", signer.public_key());
            return Ok(());
        }
        let config = azukari_server::Config {
            listen,
            store,
            tls: cert.zip(key),
            sessions: SessionLimits {
                idle: chrono::Duration::days(idle_days.clamp(1, 3650)),
                absolute: chrono::Duration::days(session_days.clamp(1, 3650)),
            },
            request_timeout: std::time::Duration::from_secs(600),
            import_limit: max_import_mb.saturating_mul(1024 * 1024),
            font,
            clock: std::sync::Arc::new(|| now().map_err(|err| Failure::Internal(err.to_string()))),
            readers: 4,
            checkpoints: Some(std::sync::Arc::new(signer)),
            checkpoint_every: (checkpoint_every > 0)
                .then(|| std::time::Duration::from_secs(checkpoint_every.saturating_mul(60))),
        };
        return serve(config);
    }
    if matches!(
        cli.command,
        Command::Login | Command::Logout | Command::Outbox(_)
    ) {
        anyhow::bail!(
            "login, logout and the outbox are for an office server: give --server or AZUKARI_SERVER"
        );
    }
    if let Command::Migrate { from, to } = &cli.command {
        let report = azukari_api::migrate(from, to)?;
        let shown = |path: &std::path::Path| azukari_api::Location::of(path).shown();
        say!(
            "copied {} to {}: {} journal entries, {} records; head {}:{} on both",
            shown(from),
            shown(to),
            report.entries,
            report.records,
            report.entries,
            report.head
        );
        return Ok(());
    }
    if let Command::Restore { file } = &cli.command {
        let desk = Desk::restore(file, &store)?;
        let (entries, head) = desk.store().read().journal_head().map_err(Failure::from)?;
        say!(
            "restored {} ({entries} journal entries, head {entries}:{head})",
            // A connection string without its password.
            desk.store().path().display()
        );
        return Ok(());
    }
    let mut desk = Desk::open(&store)?;
    desk.quick_check()?;
    if let Command::Init {
        org,
        admin,
        time_zone,
    } = &cli.command
    {
        let password = password("AZUKARI_PASSWORD", &format!("password for {admin}: "))?;
        desk.init(org, admin, &password, time_zone, now()?)?;
        say!(
            "initialised {} for {org}; security office account {admin}",
            desk.store().path().display()
        );
        return Ok(());
    }
    desk.require_initialised()?;
    let login = cli
        .user
        .context("name the account with --user or AZUKARI_USER")?;
    let current = password("AZUKARI_PASSWORD", &format!("password for {login}: "))?;
    let clock: Clock =
        std::sync::Arc::new(|| now().map_err(|err| Failure::Internal(err.to_string())));
    // Ledgers and checkpoints of a store of one's own are signed with this computer's key;
    // only these commands make it on first use.
    if let Command::Ledger(LedgerCommand::Custody { .. }) | Command::Checkpoint { .. } =
        &cli.command
    {
        let given = match &cli.command {
            Command::Checkpoint { key, .. } => key.clone(),
            _ => None,
        };
        desk.set_checkpoint_signer(Some(std::sync::Arc::new(
            checkpoint::CheckpointSigner::beside_key(&checkpoint_key_path(given)?)?,
        )));
    }
    let mut office = Local::login(desk, &login, &current, clock)?;
    if let Command::Import { max_mb, .. } = &cli.command {
        office.set_import_limit(max_mb.saturating_mul(1024 * 1024));
    }
    run_command(&mut office, &login, Some(current), cli.command)
}

/// Runs the server until Ctrl+C (or SIGTERM from systemd), then lets requests in flight end.
/// The checkpoint key file: as given, or `checkpoint.key` in the configuration folder (apart
/// from the data folder the default store is in).
fn checkpoint_key_path(given: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    match given {
        Some(path) => Ok(path),
        None => azukari_platform::folders::checkpoint_key_file()
            .context("no configuration folder to keep the checkpoint key in: give --key"),
    }
}

fn serve(config: azukari_server::Config) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("AZUKARI_LOG")
                // Migrations and PostgreSQL's notices say at info level what every start says
                // again (each reading connection checks the schema): only their warnings.
                .unwrap_or_else(|_| {
                    tracing_subscriber::EnvFilter::new(
                        "info,refinery_core=warn,postgres=warn,tokio_postgres=warn",
                    )
                }),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = tokio::runtime::Runtime::new().context("cannot start the server's runtime")?;
    runtime.block_on(async {
        azukari_server::serve(
            config,
            |bound, tls| {
                let scheme = if tls { "https" } else { "http" };
                say!("serving on {scheme}://{bound}");
            },
            stop_signal(),
        )
        .await
    })?;
    Ok(())
}

async fn stop_signal() {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("a SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

/// Every command against an office server: the same commands, output and exit codes as
/// against a store on this computer.
fn run_on_server(
    server: &str,
    ca: Option<&std::path::Path>,
    user: Option<String>,
    command: Command,
) -> anyhow::Result<()> {
    match &command {
        Command::Init { .. } => return Err(not_over_the_network("init").into()),
        Command::Restore { .. } => return Err(not_over_the_network("restore").into()),
        Command::Migrate { .. } => return Err(not_over_the_network("migrate").into()),
        Command::Serve { .. } => return Err(not_over_the_network("serve").into()),
        _ => {}
    }
    let kept = || match azukari_platform::folders::data_dir() {
        Some(dir) => azukari_client::Kept::for_this_user(&dir),
        None => azukari_client::Kept::in_memory(),
    };
    let connection = azukari_client::Connection::new(server, ca, kept())?;
    let url = connection.url().to_string();
    let login = user.context("name the account with --user or AZUKARI_USER")?;
    if let Command::Logout = command {
        if let Some(token) = connection.kept().token(&url, &login) {
            connection.kept().forget_token(&url, &login);
            connection
                .resume(token)
                .and_then(|remote| remote.logout())
                .ok();
        }
        say!("logged out of {url} as {login}");
        return Ok(());
    }
    let outbox = Outbox::of(connection.kept(), &url, &login);
    if let Command::Outbox(OutboxCommand::List { json }) = command {
        return list_outbox(&outbox, json);
    }
    if let Command::Outbox(OutboxCommand::Dismiss) = command {
        say!("{} refused actions dismissed", outbox.dismiss_refused()?);
        return Ok(());
    }
    // An acknowledgement made while the server cannot be reached waits in the outbox.
    let waits = match &command {
        Command::Loan(LoanCommand::Ack { asset }) => Some(Call::AcknowledgeLoan {
            tag: asset.trim().to_string(),
        }),
        _ => None,
    };
    // An action that was sent and not answered keeps the key it was sent with.
    let keep_for_later = |call: Call, key: Option<&str>| -> anyhow::Result<()> {
        let tag = match &call {
            Call::AcknowledgeLoan { tag } => tag.clone(),
            _ => String::new(),
        };
        match key {
            Some(key) => outbox.put_with_key(key, call, now()?)?,
            None => outbox.put(call, now()?)?,
        };
        tell!(
            "the office server {url} cannot be reached: the acknowledgement of {tag} waits in this computer's outbox and is sent by the next command that reaches the server"
        );
        Ok(())
    };
    let kept_token = connection.kept().token(&url, &login);
    let reached = match kept_token {
        Some(token) if !matches!(command, Command::Login) => match connection.resume(token) {
            Ok(remote) => Ok((remote, None, false)),
            Err(failure) if failure.session_gone() => {
                let connection = azukari_client::Connection::new(server, ca, kept())?;
                connection.kept().forget_token(&url, &login);
                let current = password("AZUKARI_PASSWORD", &format!("password for {login}: "))?;
                connection
                    .login(&login, &current)
                    .map(|remote| (remote, Some(current), true))
            }
            Err(failure) => Err(failure),
        },
        _ => {
            let current = password("AZUKARI_PASSWORD", &format!("password for {login}: "))?;
            let one_off = !matches!(command, Command::Login);
            connection
                .login(&login, &current)
                .map(|remote| (remote, Some(current), one_off))
        }
    };
    let (mut remote, current, one_off) = match (reached, waits.clone()) {
        (Ok(reached), _) => reached,
        (Err(Failure::Unreachable { .. }), Some(call)) => return keep_for_later(call, None),
        (Err(failure), _) => return Err(failure.into()),
    };
    if let Command::Login = command {
        let place = remote
            .connection()
            .kept()
            .keep_token(&url, &login, remote.token())
            .context("cannot keep the session on this computer")?;
        say!(
            "logged in to {url} as {login}; the session is kept {}",
            place.describe()
        );
        return send_outbox(&outbox, &mut remote);
    }
    let result = send_outbox(&outbox, &mut remote).and_then(|()| match (command, waits) {
        (Command::Outbox(OutboxCommand::Send), _) => Ok(()),
        (_, Some(call)) => {
            let key = azukari_client::outbox::new_key();
            match remote.call_once(&key, call.clone()) {
                Ok(_) => {
                    if let Call::AcknowledgeLoan { tag } = &call {
                        say!("acknowledged {tag}");
                    }
                    Ok(())
                }
                Err(Failure::Unreachable { .. }) => keep_for_later(call, Some(&key)),
                Err(failure) => Err(failure.into()),
            }
        }
        (command, None) => run_command(&mut remote, &login, current, command),
    });
    // A session made for this one command ends with it: nothing is left open on the server.
    if one_off {
        let _ = remote.logout();
    }
    result
}

/// Sends what waits in the outbox and says what happened to each; a refusal is shown with the
/// server's reason and kept until dismissed.
fn send_outbox(outbox: &Outbox, remote: &mut azukari_client::Remote) -> anyhow::Result<()> {
    if outbox.waiting()?.is_empty() {
        return Ok(());
    }
    let sent = outbox.send(remote)?;
    let lang = lang_from_env();
    for waiting in &sent.applied {
        tell!("sent from the outbox: {}", describe(&waiting.call));
    }
    for refused in &sent.refused {
        let reason = refused.reason.message(lang);
        tell!(
            "refused by the office server: {} ({reason}); see `azukari outbox list`",
            describe(&refused.waiting.call)
        );
    }
    if sent.left > 0 {
        tell!("{} actions still wait in the outbox", sent.left);
    }
    Ok(())
}

fn describe(call: &Call) -> String {
    match call {
        Call::AcknowledgeLoan { tag } => format!("acknowledgement of {tag}"),
        other => format!("{other:?}"),
    }
}

fn list_outbox(outbox: &Outbox, json: bool) -> anyhow::Result<()> {
    let waiting = outbox.waiting()?;
    let refused = outbox.refused()?;
    if json {
        return print_json(&serde_json::json!({ "waiting": waiting, "refused": refused }));
    }
    for w in &waiting {
        say!("waiting\t{}\t{}", w.made_at, describe(&w.call));
    }
    let lang = lang_from_env();
    for r in &refused {
        let reason = r.reason.message(lang);
        say!(
            "refused\t{}\t{}\t{reason}",
            r.waiting.made_at,
            describe(&r.waiting.call)
        );
    }
    Ok(())
}

/// One command of the contract, wherever the register is.
fn run_command(
    office: &mut dyn Office,
    login: &str,
    current: Option<String>,
    command: Command,
) -> anyhow::Result<()> {
    // The one command a session with a reset password may give.
    if let Command::Account(AccountCommand::Passwd) = command {
        let current = match current {
            Some(current) => current,
            None => password("AZUKARI_PASSWORD", &format!("password for {login}: "))?,
        };
        let new = password(
            "AZUKARI_NEW_PASSWORD",
            &format!("new password for {login}: "),
        )?;
        office.change_password(&current, &new)?;
        say!("password of {login} changed");
        return Ok(());
    }
    match command {
        Command::Init { .. }
        | Command::Restore { .. }
        | Command::Migrate { .. }
        | Command::Serve { .. }
        | Command::Login
        | Command::Logout
        | Command::Outbox(_) => unreachable!("handled above"),
        Command::Org(OrgCommand::Add { name, kind }) => {
            let id = office.add_organisation(&name, word("kind", &kind)?)?;
            say!("organisation {id}: {name}");
        }
        Command::Org(OrgCommand::Edit {
            name,
            new_name,
            kind,
        }) => {
            let current = office
                .organisations()?
                .into_iter()
                .find(|o| o.name == name.trim())
                .ok_or_else(|| rules::Refusal::NotFound {
                    what: "organisation",
                    key: name.clone(),
                })?;
            let edit = EditOrganisation {
                name: current.name.clone(),
                new_name: new_name.unwrap_or(current.name),
                kind: kind
                    .as_deref()
                    .map(|k| word("kind", k))
                    .transpose()?
                    .unwrap_or(current.kind),
            };
            let changed = office.edit_organisation(edit)?;
            say!("{}", said_changed(&name, &changed));
        }
        Command::Org(OrgCommand::List { json }) => {
            let rows = office.organisations()?;
            if json {
                print_json(&rows)?;
            } else {
                rows.iter()
                    .for_each(|o| say!("{}\t{}\t{}", o.id, o.kind, o.name));
            }
        }
        Command::Site(SiteCommand::Add {
            org,
            name,
            address,
            responsibles,
        }) => {
            let responsibles = responsibles.into_iter().map(PersonRef::Name).collect();
            let site = NewSite {
                organisation: org,
                name: name.clone(),
                address,
                responsibles,
            };
            let id = office.add_site(site)?;
            say!("site {id}: {name}");
        }
        Command::Site(SiteCommand::List { json }) => {
            let rows = office.sites()?;
            if json {
                print_json(&rows)?;
            } else {
                rows.iter().for_each(|s| {
                    say!(
                        "{}\t{}\t{}\t{}",
                        s.id,
                        s.organisation,
                        s.name,
                        s.responsibles.join(", ")
                    )
                });
            }
        }
        Command::Account(AccountCommand::Add {
            login,
            roles,
            person,
            person_id,
        }) => {
            let roles = roles
                .iter()
                .map(|r| word("role", r))
                .collect::<Result<Vec<Role>, _>>()?;
            let password = password(
                "AZUKARI_NEW_PASSWORD",
                &format!("new password for {login}: "),
            )?;
            let account = NewAccount {
                login: login.clone(),
                password,
                roles,
                person: person_ref(person, person_id),
            };
            let id = office.add_account(account)?;
            say!("account {id}: {login}");
        }
        Command::Account(AccountCommand::List { json }) => {
            let rows = office.accounts()?;
            if json {
                print_json(&rows)?;
            } else {
                for a in rows {
                    let roles: Vec<&str> = a.roles.iter().map(|r| r.as_str()).collect();
                    let state = if a.active { "active" } else { "disabled" };
                    say!(
                        "{}\t{}\t{}\t{}",
                        a.login,
                        roles.join(","),
                        state,
                        a.person.unwrap_or_default()
                    );
                }
            }
        }
        Command::Account(AccountCommand::Disable { login }) => {
            office.disable_account(&login)?;
            say!("account {login} disabled");
        }
        Command::Account(AccountCommand::Enable { login }) => {
            office.enable_account(&login)?;
            say!("account {login} enabled");
        }
        Command::Account(AccountCommand::Unlock { login }) => {
            office.unlock_account(&login)?;
            say!("account {login} unlocked");
        }
        Command::Account(AccountCommand::Reset { login }) => {
            let new = password(
                "AZUKARI_NEW_PASSWORD",
                &format!("new password for {login}: "),
            )?;
            office.reset_password(&login, &new)?;
            say!("password of {login} reset; it must be changed at the next login");
        }
        Command::Account(AccountCommand::EndSessions { login }) => {
            let ended = office.end_sessions(&login)?;
            say!("{ended} sessions of {login} ended");
        }
        Command::Account(AccountCommand::Passwd) => {
            unreachable!("handled before the session's other commands")
        }
        Command::Person(PersonCommand::Edit {
            who,
            new_name,
            kana,
            org,
            email,
            employee_number,
        }) => {
            let changed = edit_person(office, &who, None, |person| {
                if let Some(name) = new_name {
                    person.name = name;
                }
                set_given([
                    (&mut person.kana, kana),
                    (&mut person.organisation, org),
                    (&mut person.email, email),
                    (&mut person.employee_number, employee_number),
                ]);
            })?;
            say!("{}", said_changed("person", &changed));
        }
        Command::Person(PersonCommand::Deactivate { who }) => {
            let changed = edit_person(office, &who, Some(false), |_| {})?;
            say!("{}", said_changed("person", &changed));
        }
        Command::Person(PersonCommand::Activate { who }) => {
            let changed = edit_person(office, &who, Some(true), |_| {})?;
            say!("{}", said_changed("person", &changed));
        }
        Command::Person(PersonCommand::Add {
            name,
            kana,
            org,
            email,
            employee_number,
        }) => {
            let person = NewPerson {
                name: name.clone(),
                kana,
                organisation: org,
                email,
                employee_number,
            };
            let id = office.add_person(person)?;
            say!("person {id}: {name}");
        }
        Command::Person(PersonCommand::List { json }) => {
            let rows = office.people()?;
            if json {
                print_json(&rows)?;
            } else {
                rows.iter()
                    .for_each(|p| say!("{}\t{}\t{}", p.id, p.name, p.organisation));
            }
        }
        Command::Asset(AssetCommand::Add {
            tag,
            kind,
            name,
            model,
            serial,
            owner,
            classification,
            encrypted,
            note,
        }) => {
            let asset = NewAsset {
                tag: tag.clone(),
                kind: Some(word("kind", &kind).or_else(|_| {
                    parse_kind(&kind).ok_or_else(|| word::<AssetKind>("kind", &kind).unwrap_err())
                })?),
                name,
                model,
                serial,
                owner,
                classification: Some(word("classification", &classification)?),
                encrypted,
                note,
            };
            office.add_asset(asset)?;
            say!("asset {}", tag.trim());
        }
        Command::Asset(AssetCommand::List {
            status,
            kind,
            holder,
            search,
            unacknowledged,
            due_before,
            limit,
            offset,
            json,
        }) => {
            let holder = holder
                .map(|name| office.person_id(PersonRef::Name(name)))
                .transpose()?;
            let query = AssetQuery {
                status: status.as_deref().map(|s| word("status", s)).transpose()?,
                kind: kind.as_deref().map(|k| word("kind", k)).transpose()?,
                holder,
                search,
                unacknowledged,
                due_before: date("due_before", due_before.as_deref())?,
                sort: AssetSort::Tag,
                descending: false,
                offset,
                limit,
            };
            let page = office.asset_page(query)?;
            if json {
                print_json(&page.rows)?;
            } else {
                for a in &page.rows {
                    let holder = a.loan.as_ref().map(|l| l.custodian.as_str()).unwrap_or("");
                    say!(
                        "{}\t{}\t{}\t{}\t{}",
                        a.tag,
                        a.kind,
                        a.status,
                        a.name,
                        holder
                    );
                }
                tell!("{} of {}", page.rows.len(), page.total);
            }
        }
        Command::Asset(AssetCommand::Show { tag, json }) => {
            let detail = office.asset(&tag)?;
            if json {
                print_json(&detail)?;
            } else {
                let a = &detail.asset;
                say!("{}  {}  {}  {}", a.tag, a.kind, a.status, a.name);
                for period in &detail.statuses {
                    say!(
                        "  [{}]  {} → {}  {}",
                        period.status,
                        period.began_at,
                        ended(period.ended_at),
                        period.note.clone().unwrap_or_default()
                    );
                }
                for l in &detail.history {
                    say!(
                        "  {}  {} → {}  {}",
                        l.custodian,
                        l.issued_at,
                        ended(l.returned_at),
                        l.place.clone().unwrap_or_default()
                    );
                }
            }
        }
        Command::Asset(AssetCommand::Edit {
            tag,
            new_tag,
            kind,
            name,
            model,
            serial,
            owner,
            classification,
            encrypted,
            note,
        }) => {
            let current = office.asset(&tag)?.asset;
            let mut asset = NewAsset {
                tag: new_tag.unwrap_or_else(|| current.tag.clone()),
                kind: Some(match kind {
                    Some(kind) => parse_kind(&kind).ok_or_else(|| rules::Refusal::InvalidValue {
                        field: "kind",
                        value: kind.clone(),
                        expected: "pc, phone, entry_badge, id_card, usb_media, external_disk, optical_media, other".into(),
                    })?,
                    None => current.kind,
                }),
                name: name.unwrap_or(current.name),
                model: current.model,
                serial: current.serial,
                owner: Some(owner.unwrap_or(current.owner)),
                classification: Some(match classification {
                    Some(c) => word("classification", &c)?,
                    None => current.classification,
                }),
                encrypted: match encrypted.as_deref() {
                    Some("yes" | "有" | "true") => true,
                    Some("no" | "無" | "false") => false,
                    Some(other) => {
                        return Err(rules::Refusal::InvalidValue {
                            field: "encrypted",
                            value: other.to_string(),
                            expected: "yes or no".into(),
                        }
                        .into());
                    }
                    None => current.encrypted,
                },
                note: current.note,
            };
            set_given([
                (&mut asset.model, model),
                (&mut asset.serial, serial),
                (&mut asset.note, note),
            ]);
            let changed = office.edit_asset(EditAsset {
                tag: current.tag.clone(),
                asset,
            })?;
            say!("{}", said_changed(&current.tag, &changed));
        }
        Command::Asset(AssetCommand::Mark { tag, status, note }) => {
            let mark = MarkAsset {
                tag: tag.trim().to_string(),
                status: word("status", &status)?,
                note,
            };
            let tag = mark.tag.clone();
            let now = office.mark_asset(mark)?;
            say!("{tag} is {now}");
        }
        Command::Loan(LoanCommand::Issue(hand_over)) => {
            let loan = hand_over.loan()?;
            let tag = loan.tag.trim().to_string();
            office.issue_loan(loan)?;
            say!("issued {tag}");
        }
        Command::Loan(LoanCommand::Transfer(hand_over)) => {
            let loan = hand_over.loan()?;
            let tag = loan.tag.trim().to_string();
            office.transfer_loan(loan)?;
            say!("transferred {tag}");
        }
        Command::Loan(LoanCommand::Return {
            asset,
            condition,
            note,
        }) => {
            let loan = ReturnLoan {
                tag: asset.clone(),
                condition: word("condition", &condition)?,
                note,
            };
            office.return_loan(loan)?;
            say!("returned {}", asset.trim());
        }
        Command::Loan(LoanCommand::Ack { asset }) => {
            office.acknowledge_loan(&asset)?;
            say!("acknowledged {}", asset.trim());
        }
        Command::Loan(LoanCommand::List {
            open,
            holder,
            as_of,
            json,
        }) => {
            let holder = holder.map(PersonRef::Name);
            let rows = match as_of {
                Some(at) => office.custody_as_of(&at, holder)?,
                None => office.loans(open, holder)?,
            };
            if json {
                print_json(&rows)?;
            } else {
                for l in rows {
                    let returned = l.returned_at.map(|r| r.to_string()).unwrap_or_default();
                    say!("{}\t{}\t{}\t{}", l.tag, l.custodian, l.issued_at, returned);
                }
            }
        }
        Command::Import {
            what,
            file,
            dry_run,
            add_organisations,
            json,
            max_mb,
        } => {
            let kind = match what {
                ImportWhat::Assets => ImportKind::Assets,
                ImportWhat::People => ImportKind::People,
            };
            let (name, bytes) =
                azukari_api::import::read_file(&file, max_mb.saturating_mul(1024 * 1024))?;
            let options = ImportOptions {
                dry_run,
                add_organisations,
            };
            let summary = office.import(kind, &name, &bytes, options)?;
            if json {
                print_json(&summary)?;
                return Ok(());
            }
            let verb = if dry_run { "would import" } else { "imported" };
            let organisations = match summary.organisations.as_slice() {
                [] => String::new(),
                added => format!(
                    "; organisations added: {}",
                    added
                        .iter()
                        .map(|o| format!("{} ({})", o.name, o.kind))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            say!(
                "{verb} {} rows: {} assets, {} people added, {} loans issued{organisations}",
                summary.rows,
                summary.assets_added,
                summary.people_added,
                summary.loans_issued
            );
        }
        Command::Ledger(LedgerCommand::Custody {
            out,
            as_of,
            group_by,
            format,
            lang,
            encoding,
            font,
        }) => {
            let format = format
                .or_else(|| format_of(&out))
                .unwrap_or(LedgerFormat::Pdf);
            let request = PrintRequest {
                ledger: LedgerKind::Custody,
                as_of,
                group_by,
                format,
                lang,
                encoding,
                tags: Vec::new(),
            };
            write_out(&out, |progress| {
                office.print(&request, font.as_deref(), progress)
            })?;
        }
        Command::Ledger(LedgerCommand::Labels { out, tags, font }) => {
            let request = PrintRequest {
                ledger: LedgerKind::Labels,
                tags,
                ..Default::default()
            };
            write_out(&out, |progress| {
                office.print(&request, font.as_deref(), progress)
            })?;
        }
        Command::Checkpoint { out, key: _ } => {
            let signed = office.checkpoint()?;
            azukari_api::private::write_private(&out, signed.to_text().as_bytes())
                .with_context(|| format!("cannot write {}", out.display()))?;
            say!(
                "checkpoint of head {} written to {}, signed by key {}",
                signed.head,
                out.display(),
                signed.public_key
            );
        }
        Command::Verify {
            expect,
            checkpoint,
            public_key,
        } => {
            let signed = match &checkpoint {
                Some(file) => {
                    let text = std::fs::read_to_string(file)
                        .with_context(|| format!("cannot read {}", file.display()))?;
                    let signed = checkpoint::Checkpoint::parse(&text)
                        .and_then(|signed| {
                            signed.check_signature(public_key.as_deref())?;
                            Ok(signed)
                        })
                        .map_err(|why| {
                            anyhow::anyhow!("the checkpoint {}: {why}", file.display())
                        })?;
                    Some(signed)
                }
                None => None,
            };
            let expect = expect.or_else(|| signed.as_ref().map(|signed| signed.head.clone()));
            let report = office.verify_with_progress(expect, &mut |done, total| {
                if total > 100_000 {
                    eprint!("\rverify: {done} / {total}");
                }
            })?;
            say!(
                "ok: {} journal entries, {} records, head {}:{}",
                report.entries,
                report.records,
                report.entries,
                report.head
            );
            if let Some(signed) = signed {
                say!(
                    "the checkpoint of {} ({}) holds, signed by key {}{}",
                    signed.head,
                    signed.at,
                    signed.public_key,
                    if public_key.is_some() {
                        ""
                    } else {
                        ": compare it with the key the office published"
                    }
                );
            }
        }
        Command::Backup { out } => {
            office.backup(&out)?;
            say!("backed up to {}", out.display());
        }
    }
    Ok(())
}
