//! Export the meeting list of Feishu / Lark (导出会议明细) from a shell: start the export, wait
//! for it, and save the `.xlsx` file.
//!
//! ```text
//! cargo run --example export_meetings                       # the last 7 days, against a local fake
//! cargo run --example export_meetings -- --start 2024-05-01T00:00:00+08:00 --meeting-type video --out exports
//! FEISHU_APP_ID=cli_… FEISHU_APP_SECRET=… cargo run --example export_meetings -- --status ended
//! cargo run --example export_meetings -- --task-id 7111325589855797267   # resume an earlier export
//! ```
//!
//! With no credentials in the environment it starts the crate's fake Feishu
//! (`feishu_openapi::fake`) on 127.0.0.1 and talks to it, so it works with no setup. Every flag is
//! checked before anything is sent; the request is built through the typed layer, where two
//! filters cannot be expressed. Progress (a spinner while Feishu prepares the file, a byte bar
//! while it downloads) goes to stderr, as plain lines when stderr is not a terminal; stdout gets
//! only the results: the task id, then the saved file's path and size.

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use feishu_openapi::fake::FakeFeishu;
use feishu_openapi::vc::export::{
    DownloadProgress, ExportTask, MeetingListExport, SavedFile, TaskId, WaitOptions, WaitProgress,
};
use feishu_openapi::vc::types::ExportMeetingListRequest;
use feishu_openapi::vc::{ExportStatus, MeetingFilter, MeetingStatus, MeetingType};
use feishu_openapi::{AccessToken, Error, FeishuClient, UnixSeconds, UserIdType};
use indicatif::{HumanBytes, ProgressBar, ProgressStyle};

const USAGE: &str = "\
Export the meeting list of Feishu / Lark (导出会议明细): start the export, wait for Feishu to
prepare the file, and save the .xlsx workbook.

Usage: export_meetings [OPTIONS]

Options:
  --start TIME          start of the range: unix seconds, or RFC 3339 with a time zone
                        (2024-05-01T09:00:00+08:00, 2024-05-01T01:00:00Z); default: 7 days before --end
  --end TIME            end of the range, same forms; default: now
  --status STATUS       ongoing | ended | upcoming (or 1 | 2 | 3); Feishu's default: ended
  --user-id-type KIND   open_id | union_id | user_id: the kind of --user-id; Feishu's default: open_id
  --out DIR             the folder to save the file in (created if missing; an existing file there is
                        refused before anything is sent); default: the current folder
  --no-wait             only start the export and print its task id
  --task-id ID          resume an export started earlier (by --no-wait, or a run that timed out):
                        wait for it and save its file; takes none of the export's flags
  --deadline DURATION   how long to wait for Feishu to prepare the file (90s, 15m, 1h); default: 10m
  --timeout DURATION    how long one request may take, and the longest pause of a download
                        (30s, 2m); default: 60s
  -h, --help            print this help

Filters, at most one (Feishu answers 121003 param error otherwise):
  --meeting-no N        a 9-digit meeting number
  --user-id ID          meetings this user took part in (ou_…, on_… or a user_id)
  --room-id ID          meetings this Rooms device took part in (omm_…)
  --meeting-type TYPE   all | video | screencast (or 1 | 2 | 3)

Environment (one identity at most):
  FEISHU_APP_ID, FEISHU_APP_SECRET  a self-built app's credentials: tenant tokens are fetched and cached
  FEISHU_TENANT_ACCESS_TOKEN        or a tenant access token (t-…)
  FEISHU_USER_ACCESS_TOKEN          or a user access token (u-…)
  FEISHU_BASE_URL                   another base URL (default https://open.feishu.cn;
                                    https://open.larksuite.com for Lark, or a private deployment)
  With none of them set, it talks to a local fake Feishu that it starts on 127.0.0.1.

Output: stdout gets the task id, then `saved PATH (SIZE)`; progress goes to stderr.
Exit status: 0 saved (or started, with --no-wait); 1 Feishu or the file system failed;
2 bad flags or environment (nothing was sent); 3 the file was not ready by the deadline (the
export goes on at Feishu: resume it with --task-id); 130 interrupted (likewise).

The app or token needs the scope vc:export, and the app's creator or the user the admin right
\"meeting management\"; with a tenant token only the app's creator may download.";

/// The filter flags, in the doc's order.
const FILTER_FLAGS: [&str; 4] = ["--meeting-no", "--user-id", "--room-id", "--meeting-type"];

/// The exit code for bad flags or environment: nothing was sent.
const USAGE_ERROR: u8 = 2;
/// The exit code when the file was not ready by the deadline.
const STILL_PROCESSING: u8 = 3;
/// The exit code after Ctrl-C.
const INTERRUPTED: u8 = 130;

/// What the flags ask for.
#[derive(Debug, Default)]
struct Flags {
    start: Option<UnixSeconds>,
    end: Option<UnixSeconds>,
    status: Option<MeetingStatus>,
    /// The one filter, with the flag that set it.
    filter: Option<(&'static str, MeetingFilter)>,
    user_id_type: Option<UserIdType>,
    out: Option<PathBuf>,
    no_wait: bool,
    task_id: Option<TaskId>,
    deadline: Option<Duration>,
    timeout: Option<Duration>,
    /// The export's own flags, as given, to refuse them next to --task-id.
    export_flags: Vec<&'static str>,
}

enum Command {
    Help,
    Run(Box<Job>),
}

/// A checked job: ready to run.
struct Job {
    start: Start,
    /// Where to save the file; `None` with --no-wait.
    out: Option<PathBuf>,
    deadline: Duration,
    /// The client's request timeout (`None`: the crate's default).
    timeout: Option<Duration>,
}

/// How the job gets its task.
enum Start {
    /// A new export.
    Create(Box<Export>),
    /// An export started earlier.
    Resume(TaskId),
}

/// A checked export: ready to send.
struct Export {
    request: MeetingListExport,
    /// The filter flag and its value, for the summary line.
    filter: Option<(&'static str, String)>,
}

/// Who to call.
enum Target {
    /// Credentials from the environment: the real service, or `FEISHU_BASE_URL`.
    Feishu {
        base_url: Option<String>,
        identity: Identity,
    },
    /// Nothing configured: the embedded fake Feishu on 127.0.0.1.
    Fake { ignored_base_url: Option<String> },
}

enum Identity {
    App { id: String, secret: String },
    Token(AccessToken),
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let job = match parse_flags(std::env::args_os().skip(1)) {
        Ok(Command::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Command::Run(job)) => job,
        Err(message) => return usage_error(&message),
    };
    let target = match target_from_env() {
        Ok(target) => target,
        Err(message) => return usage_error(&message),
    };
    let is_fake = matches!(target, Target::Fake { .. });
    // The fake, when used, lives until the end of main.
    let (feishu, _fake) = match connect(target, job.timeout).await {
        Ok(connected) => connected,
        Err(e) => return usage_error(&e.to_string()),
    };
    if is_fake && matches!(job.start, Start::Resume(_)) {
        eprintln!(
            "Note: the embedded fake starts empty, so it knows no task from an earlier run; \
             resume against the service the task was created on."
        );
    }
    run(&feishu, *job).await
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("export_meetings: error: {message} (see --help)");
    ExitCode::from(USAGE_ERROR)
}

/// Parses and checks every flag; nothing is sent before this succeeds.
fn parse_flags(args: impl IntoIterator<Item = OsString>) -> Result<Command, String> {
    use lexopt::prelude::*;

    let mut flags = Flags::default();
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Short('h') | Long("help") => return Ok(Command::Help),
            Long("start") => {
                flags.export_flags.push("--start");
                once(&mut flags.start, "--start", time("--start", &mut parser)?)?
            }
            Long("end") => {
                flags.export_flags.push("--end");
                once(&mut flags.end, "--end", time("--end", &mut parser)?)?
            }
            Long("status") => {
                flags.export_flags.push("--status");
                once(
                    &mut flags.status,
                    "--status",
                    listed("--status", MeetingStatus::ALL, &mut parser)?,
                )?
            }
            Long("user-id-type") => {
                flags.export_flags.push("--user-id-type");
                once(
                    &mut flags.user_id_type,
                    "--user-id-type",
                    listed("--user-id-type", UserIdType::ALL, &mut parser)?,
                )?
            }
            Long("out") => {
                let value = parser.value().map_err(|_| "--out needs a value")?;
                if value.is_empty() {
                    return Err("--out: the folder must not be empty".into());
                }
                once(&mut flags.out, "--out", PathBuf::from(value))?
            }
            Long("no-wait") => {
                if flags.no_wait {
                    return Err("--no-wait is given twice".into());
                }
                flags.no_wait = true;
            }
            Long("task-id") => {
                let id = string_value("--task-id", &mut parser)?;
                let id = id
                    .parse::<TaskId>()
                    .map_err(|e| format!("--task-id: {e} (the digits a previous run printed)"))?;
                once(&mut flags.task_id, "--task-id", id)?
            }
            Long("deadline") => {
                let deadline = duration("--deadline", "90s, 15m or 1h", &mut parser)?;
                once(&mut flags.deadline, "--deadline", deadline)?
            }
            Long("timeout") => {
                let timeout = duration("--timeout", "30s or 2m", &mut parser)?;
                once(&mut flags.timeout, "--timeout", timeout)?
            }
            Long(name @ ("meeting-no" | "user-id" | "room-id" | "meeting-type")) => {
                let flag = FILTER_FLAGS
                    .into_iter()
                    .find(|f| f[2..] == *name)
                    .expect("a filter flag");
                flags.export_flags.push(flag);
                if let Some((first, _)) = &flags.filter {
                    return Err(if *first == flag {
                        format!("{flag} is given twice")
                    } else {
                        format!(
                            "{first} and {flag} cannot be combined: give at most one of {} \
                             (Feishu answers 121003 param error otherwise)",
                            FILTER_FLAGS.join(", ")
                        )
                    });
                }
                let filter = match flag {
                    "--meeting-no" => MeetingFilter::MeetingNo(parsed(flag, &mut parser)?),
                    "--user-id" => MeetingFilter::User(parsed(flag, &mut parser)?),
                    "--room-id" => MeetingFilter::Room(parsed(flag, &mut parser)?),
                    _ => MeetingFilter::MeetingType(listed(flag, MeetingType::ALL, &mut parser)?),
                };
                flags.filter = Some((flag, filter));
            }
            Long(name) => return Err(format!("unknown flag --{name}")),
            Short(c) => return Err(format!("unknown flag -{c}")),
            Value(value) => {
                return Err(format!(
                    "unexpected argument {:?}: every value follows its flag",
                    value
                ))
            }
        }
    }
    check(flags).map(|job| Command::Run(Box::new(job)))
}

/// Sets a flag's value, refusing a second one.
fn once<T>(slot: &mut Option<T>, flag: &str, value: T) -> Result<(), String> {
    if slot.replace(value).is_some() {
        return Err(format!("{flag} is given twice"));
    }
    Ok(())
}

/// The flag's value as a non-zero duration (`90s`, `15m`, `1h`).
fn duration(flag: &str, examples: &str, parser: &mut lexopt::Parser) -> Result<Duration, String> {
    let value = string_value(flag, parser)?;
    humantime::parse_duration(&value)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| format!("{flag} {value:?} is not a duration such as {examples}"))
}

/// The flag's value, parsed with the crate's `FromStr` (names or numbers for the enums).
fn parsed<T>(flag: &str, parser: &mut lexopt::Parser) -> Result<T, String>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let value = string_value(flag, parser)?;
    value.parse().map_err(|e| format!("{flag}: {e}"))
}

/// The flag's value, one of the enum's `listed` values (by name or number). The crate's enums
/// keep any other value too (`Other`, for values Feishu adds later); a command line takes only
/// the documented ones.
fn listed<T>(flag: &str, listed: &[T], parser: &mut lexopt::Parser) -> Result<T, String>
where
    T: std::str::FromStr + PartialEq + std::fmt::Display,
    T::Err: std::fmt::Display,
{
    let value: T = parsed(flag, parser)?;
    if listed.contains(&value) {
        return Ok(value);
    }
    let names: Vec<String> = listed.iter().map(ToString::to_string).collect();
    Err(format!(
        "{flag}: {value} is not one of {}",
        names.join(", ")
    ))
}

fn string_value(flag: &str, parser: &mut lexopt::Parser) -> Result<String, String> {
    let value = parser
        .value()
        .map_err(|_| format!("{flag} needs a value"))?;
    value
        .into_string()
        .map_err(|v| format!("{flag}: {v:?} is not valid Unicode"))
}

/// Unix seconds, or an RFC 3339 date-time with a time zone.
fn time(flag: &str, parser: &mut lexopt::Parser) -> Result<UnixSeconds, String> {
    let value = string_value(flag, parser)?;
    let bad = || {
        format!(
            "{flag}: {value:?} is neither unix seconds nor an RFC 3339 date-time with a time zone \
             (e.g. 1714525200, 2024-05-01T09:00:00+08:00, 2024-05-01T01:00:00Z)"
        )
    };
    if value.bytes().all(|b| b.is_ascii_digit()) {
        return value.parse().map_err(|_| bad());
    }
    let time = rfc3339(&value).ok_or_else(bad)?;
    UnixSeconds::try_from(time).map_err(|_| bad())
}

/// `YYYY-MM-DDTHH:MM:SS[.frac]` followed by `Z` or `±HH:MM`.
fn rfc3339(value: &str) -> Option<SystemTime> {
    if !value.is_ascii() || value.len() < 20 {
        return None;
    }
    let (local, offset_secs): (&str, i64) = if let Some(local) = value.strip_suffix(['Z', 'z']) {
        (local, 0)
    } else {
        let (local, offset) = value.split_at(value.len() - 6);
        let (sign, hh_mm) = offset.split_at(1);
        let (hh, mm) = hh_mm.split_once(':')?;
        if hh.len() != 2
            || mm.len() != 2
            || !(hh.bytes().chain(mm.bytes())).all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let (hh, mm): (i64, i64) = (hh.parse().ok()?, mm.parse().ok()?);
        if hh > 23 || mm > 59 {
            return None;
        }
        match sign {
            "+" => (local, hh * 3600 + mm * 60),
            "-" => (local, -(hh * 3600 + mm * 60)),
            _ => return None,
        }
    };
    if !matches!(local.as_bytes().get(10), Some(b'T' | b't')) {
        return None;
    }
    // humantime reads the local date-time as UTC; the offset then moves it to real UTC.
    let as_utc = humantime::parse_rfc3339_weak(local).ok()?;
    let shift = Duration::from_secs(offset_secs.unsigned_abs());
    if offset_secs >= 0 {
        as_utc.checked_sub(shift)
    } else {
        as_utc.checked_add(shift)
    }
}

/// The defaults, the range rule and the flags that exclude each other.
fn check(flags: Flags) -> Result<Job, String> {
    const WEEK: u64 = 7 * 24 * 3600;
    let deadline = flags.deadline.unwrap_or(Duration::from_secs(600));
    let timeout = flags.timeout;
    let out = Some(flags.out.clone().unwrap_or_else(|| PathBuf::from(".")));
    if let Some(out) = &flags.out {
        check_out(out)?;
    }
    if let Some(task_id) = flags.task_id {
        if let Some(flag) = flags.export_flags.first() {
            return Err(format!(
                "--task-id resumes an export started earlier, so {flag} cannot be given with it: \
                 the export's flags were fixed when it started"
            ));
        }
        if flags.no_wait {
            return Err("--task-id and --no-wait cannot be combined: --task-id waits for an export started earlier".into());
        }
        return Ok(Job {
            start: Start::Resume(task_id),
            out,
            deadline,
            timeout,
        });
    }
    if flags.no_wait {
        if flags.out.is_some() {
            return Err("--out and --no-wait cannot be combined: --no-wait saves no file".into());
        }
        if flags.deadline.is_some() {
            return Err(
                "--deadline and --no-wait cannot be combined: --no-wait does not wait".into(),
            );
        }
    }
    let end = flags.end.unwrap_or_else(UnixSeconds::now);
    let start = flags
        .start
        .unwrap_or_else(|| UnixSeconds::from(end.as_secs().saturating_sub(WEEK)));
    if start > end {
        let end_flag = if flags.end.is_some() {
            "--end"
        } else {
            "--end (default: now)"
        };
        return Err(format!(
            "--start {} is after {end_flag} {}: the range must satisfy --start <= --end",
            show(start),
            show(end)
        ));
    }
    let mut body = ExportMeetingListRequest::new(start, end);
    if let Some(status) = flags.status {
        body = body.with_status(status);
    }
    let mut shown_filter = None;
    if let Some((flag, filter)) = flags.filter {
        let value = match &filter {
            MeetingFilter::MeetingNo(no) => no.to_string(),
            MeetingFilter::User(id) => id.to_string(),
            MeetingFilter::Room(id) => id.to_string(),
            MeetingFilter::MeetingType(t) => t.to_string(),
        };
        shown_filter = Some((flag, value));
        body = body.with_filter(filter);
    }
    let mut request = MeetingListExport::new(body);
    if let Some(kind) = flags.user_id_type {
        request = request.user_id_type(kind);
    }
    Ok(Job {
        start: Start::Create(Box::new(Export {
            request,
            filter: shown_filter,
        })),
        out: if flags.no_wait { None } else { out },
        deadline,
        timeout,
    })
}

/// `--out` is a folder, or can be made one: neither it nor the nearest of its parents that exists
/// is anything but a folder. (Checked before anything is sent; the folder is made only once the
/// file is ready.)
fn check_out(out: &Path) -> Result<(), String> {
    let existing = out
        .ancestors()
        .find(|p| !p.as_os_str().is_empty() && std::fs::symlink_metadata(p).is_ok());
    match existing.map(|p| (p, std::fs::metadata(p))) {
        Some((p, Ok(meta))) if !meta.is_dir() => Err(if p == out {
            format!(
                "--out {}: exists and is not a folder; give a folder to save the file in",
                out.display()
            )
        } else {
            format!(
                "--out {}: {} is not a folder, so the folder cannot be made there",
                out.display(),
                p.display()
            )
        }),
        Some((p, Err(e))) => Err(format!("--out {}: {}: {e}", out.display(), p.display())),
        _ => Ok(()),
    }
}

/// A time as `2024-05-01T01:00:00Z (1714525200)`.
fn show(t: UnixSeconds) -> String {
    format!(
        "{} ({t})",
        humantime::format_rfc3339_seconds(t.to_system_time())
    )
}

/// Reads the identity from the environment; an empty variable counts as unset.
fn target_from_env() -> Result<Target, String> {
    let var = |name: &str| -> Result<Option<String>, String> {
        match std::env::var_os(name) {
            None => Ok(None),
            Some(v) if v.is_empty() => Ok(None),
            Some(v) => v
                .into_string()
                .map(Some)
                .map_err(|_| format!("{name} is not valid Unicode")),
        }
    };
    let base_url = var("FEISHU_BASE_URL")?;
    let app_id = var("FEISHU_APP_ID")?;
    let app_secret = var("FEISHU_APP_SECRET")?;
    let tenant = var("FEISHU_TENANT_ACCESS_TOKEN")?;
    let user = var("FEISHU_USER_ACCESS_TOKEN")?;
    let token = match (tenant, user) {
        (Some(_), Some(_)) => {
            return Err(
                "set only one of FEISHU_TENANT_ACCESS_TOKEN and FEISHU_USER_ACCESS_TOKEN".into(),
            )
        }
        (Some(t), None) => Some(AccessToken::tenant(t)),
        (None, Some(u)) => Some(AccessToken::user(u)),
        (None, None) => None,
    };
    let app = match (app_id, app_secret) {
        (Some(id), Some(secret)) => Some(Identity::App { id, secret }),
        (Some(_), None) => {
            return Err("FEISHU_APP_ID is set but FEISHU_APP_SECRET is not: set both".into())
        }
        (None, Some(_)) => {
            return Err("FEISHU_APP_SECRET is set but FEISHU_APP_ID is not: set both".into())
        }
        (None, None) => None,
    };
    let identity = match (app, token) {
        (Some(_), Some(_)) => {
            return Err(
                "set either FEISHU_APP_ID and FEISHU_APP_SECRET, or one access token \
                 (FEISHU_TENANT_ACCESS_TOKEN or FEISHU_USER_ACCESS_TOKEN), not both"
                    .into(),
            )
        }
        (Some(app), None) => app,
        (None, Some(token)) => Identity::Token(token),
        (None, None) => {
            return Ok(Target::Fake {
                ignored_base_url: base_url,
            })
        }
    };
    Ok(Target::Feishu { base_url, identity })
}

/// A client for the target; for the fake, also the running fake.
async fn connect(
    target: Target,
    timeout: Option<Duration>,
) -> Result<(FeishuClient, Option<FakeFeishu>), Error> {
    let with_timeout = |builder: feishu_openapi::FeishuClientBuilder| match timeout {
        Some(timeout) => builder.timeout(timeout),
        None => builder,
    };
    match target {
        Target::Feishu { base_url, identity } => {
            let mut builder = match identity {
                Identity::App { id, secret } => FeishuClient::builder().app_credentials(id, secret),
                Identity::Token(token) => FeishuClient::builder().access_token(token),
            };
            if let Some(url) = base_url {
                builder = builder.base_url(url);
            }
            Ok((with_timeout(builder).build()?, None))
        }
        Target::Fake { ignored_base_url } => {
            let fake = FakeFeishu::start().await;
            eprintln!(
                "No credentials are set, so this talks to a local fake Feishu at {} that it just \
                 started: nothing leaves this machine, and the task and the file are not real.",
                fake.base_url()
            );
            eprintln!(
                "To call the real service, set FEISHU_APP_ID and FEISHU_APP_SECRET (or \
                 FEISHU_TENANT_ACCESS_TOKEN=t-… or FEISHU_USER_ACCESS_TOKEN=u-…), and \
                 FEISHU_BASE_URL=https://open.larksuite.com for Lark."
            );
            if let Some(url) = ignored_base_url {
                eprintln!("FEISHU_BASE_URL={url} is ignored without credentials.");
            }
            let client = FeishuClient::builder()
                .base_url(fake.base_url())
                .access_token(AccessToken::tenant(fake.tenant_access_token()));
            Ok((with_timeout(client).build()?, Some(fake)))
        }
    }
}

/// What ended a run, and its exit code.
enum Outcome {
    Done,
    Failed(Error),
    Interrupted(Option<String>),
}

/// Runs the job; Ctrl-C stops it cleanly (a download in progress leaves no file behind).
async fn run(feishu: &FeishuClient, job: Job) -> ExitCode {
    let task_id = Mutex::new(None);
    let outcome = tokio::select! {
        result = job_steps(feishu, job, &task_id) => match result {
            Ok(()) => Outcome::Done,
            Err(e) => Outcome::Failed(e),
        },
        _ = tokio::signal::ctrl_c() => Outcome::Interrupted(task_id.lock().unwrap().clone()),
    };
    match outcome {
        Outcome::Done => ExitCode::SUCCESS,
        Outcome::Interrupted(task_id) => {
            eprintln!("\nInterrupted: no file was saved.");
            if let Some(id) = task_id {
                eprintln!("The export goes on at Feishu; resume it with --task-id {id}");
            }
            ExitCode::from(INTERRUPTED)
        }
        Outcome::Failed(e) => {
            eprintln!("export_meetings: {e}");
            match &e {
                Error::TaskDeadline { task_id, .. } => {
                    eprintln!(
                        "Resume it later with: export_meetings --task-id {task_id} \
                         (and a longer --deadline if need be)"
                    );
                    ExitCode::from(STILL_PROCESSING)
                }
                _ => ExitCode::FAILURE,
            }
        }
    }
}

/// Create (or resume), wait, download.
async fn job_steps(
    feishu: &FeishuClient,
    job: Job,
    task_id: &Mutex<Option<String>>,
) -> Result<(), Error> {
    let task = match job.start {
        Start::Create(export) => {
            let body = export.request.body();
            let status = body
                .meeting_status
                .map_or("ended (Feishu's default)".to_string(), |s| s.to_string());
            let filter = export
                .filter
                .as_ref()
                .map_or(String::new(), |(flag, value)| format!(", {flag} {value}"));
            eprintln!(
                "Exporting meetings from {} to {}: status {status}{filter}, via {}",
                show(body.start_time),
                show(body.end_time),
                feishu.base_url()
            );
            let task = export.request.create(feishu).await?;
            if job.out.is_none() {
                eprintln!(
                    "Export task created; resume it with --task-id to wait for it and save the \
                     file. Task id:"
                );
            }
            task
        }
        Start::Resume(id) => {
            eprintln!("Resuming export task {id} via {}", feishu.base_url());
            ExportTask::resume(feishu, id)
        }
    };
    *task_id.lock().unwrap() = Some(task.task_id().to_string());
    println!("{}", task.task_id());
    let Some(out) = job.out else {
        return Ok(());
    };
    let fancy = std::io::stderr().is_terminal();

    let spinner = WaitDisplay::new(fancy, task.task_id());
    let options = WaitOptions::default()
        .deadline(job.deadline)
        .on_progress(move |p| spinner.update(p));
    let file = task.wait(&options).await?;

    make_folder(&out)?;
    let bar = DownloadDisplay::new(fancy);
    let saved = file
        .download()
        .on_progress(|p| bar.update(p))
        .save_in(&out)
        .await;
    bar.finish();
    let saved = saved?;
    report(&saved);
    Ok(())
}

/// Creates `--out` (and its parents) if missing.
fn make_folder(out: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(out).map_err(|source| Error::Io {
        path: Some(out.to_path_buf()),
        source,
    })
}

/// The saved file's path and size on stdout.
fn report(saved: &SavedFile) {
    let path = std::path::absolute(&saved.path).unwrap_or_else(|_| saved.path.clone());
    println!(
        "saved {} ({}, {} bytes)",
        path.display(),
        HumanBytes(saved.bytes),
        saved.bytes
    );
}

/// The wait's progress: a spinner with the status and the time elapsed, or a plain line per poll.
struct WaitDisplay {
    task_id: String,
    spinner: Option<ProgressBar>,
}

impl WaitDisplay {
    fn new(fancy: bool, task_id: &str) -> Self {
        let spinner = fancy.then(|| {
            let spinner = ProgressBar::new_spinner();
            spinner.set_style(
                ProgressStyle::with_template(
                    "{spinner} Export task {prefix}: {msg}, {elapsed} elapsed",
                )
                .expect("a valid template")
                .tick_chars("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏✓"),
            );
            spinner.set_prefix(task_id.to_string());
            spinner.set_message("waiting for Feishu");
            spinner.enable_steady_tick(Duration::from_millis(100));
            spinner
        });
        Self {
            task_id: task_id.to_string(),
            spinner,
        }
    }

    fn update(&self, p: &WaitProgress) {
        let status = match p.status {
            Some(ExportStatus::Other(value)) => format!("status {value} (new to this client)"),
            // processing, failed, done
            Some(status) => status.to_string(),
            None => "waiting for Feishu".to_string(),
        };
        let limited = if p.rate_limited {
            " (rate limited: slowing down)"
        } else {
            ""
        };
        let message = format!("{status}, poll {}{limited}", p.polls);
        match &self.spinner {
            Some(spinner) if p.next_poll_in.is_none() => spinner.finish_with_message(message),
            Some(spinner) => spinner.set_message(message),
            None => eprintln!(
                "Export task {}: {message}, {} s elapsed",
                self.task_id,
                p.elapsed.as_secs()
            ),
        }
    }
}

/// The download's progress: a byte bar, or a plain line at most every second.
struct DownloadDisplay {
    bar: Option<ProgressBar>,
    plain: Mutex<PlainProgress>,
}

struct PlainProgress {
    started: Instant,
    last_line: Option<Instant>,
    last: Option<DownloadProgress>,
}

impl DownloadDisplay {
    fn new(fancy: bool) -> Self {
        let bar = fancy.then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_message("Downloading");
            bar
        });
        Self {
            bar,
            plain: Mutex::new(PlainProgress {
                started: Instant::now(),
                last_line: None,
                last: None,
            }),
        }
    }

    fn update(&self, p: DownloadProgress) {
        if let Some(bar) = &self.bar {
            if bar.length().is_none() {
                match p.total {
                    Some(total) => {
                        bar.set_length(total);
                        bar.set_style(
                            ProgressStyle::with_template(
                                "{msg} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} {eta}",
                            )
                            .expect("a valid template")
                            .progress_chars("=> "),
                        );
                    }
                    None => bar.set_style(
                        ProgressStyle::with_template(
                            "{spinner} {msg} {bytes} {binary_bytes_per_sec}",
                        )
                        .expect("a valid template"),
                    ),
                }
            }
            bar.set_position(p.bytes);
            return;
        }
        let mut plain = self.plain.lock().unwrap();
        plain.last = Some(p);
        let now = Instant::now();
        if plain
            .last_line
            .is_none_or(|t| now - t >= Duration::from_secs(1))
        {
            plain.last_line = Some(now);
            eprintln!("Downloading: {}", amount(p));
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
            return;
        }
        let plain = self.plain.lock().unwrap();
        if let Some(p) = plain.last {
            eprintln!(
                "Downloaded {} in {:.1} s",
                amount(p),
                plain.started.elapsed().as_secs_f64()
            );
        }
    }
}

fn amount(p: DownloadProgress) -> String {
    match p.total {
        Some(total) => format!("{} of {}", HumanBytes(p.bytes), HumanBytes(total)),
        None => HumanBytes(p.bytes).to_string(),
    }
}
