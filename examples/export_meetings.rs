//! Export the meeting list of Feishu / Lark (导出会议明细) from a shell, and print the task id.
//!
//! ```text
//! cargo run --example export_meetings                       # the last 7 days, against a local fake
//! cargo run --example export_meetings -- --start 2024-05-01T00:00:00+08:00 --meeting-type video
//! FEISHU_TENANT_ACCESS_TOKEN=t-… cargo run --example export_meetings -- --status ended
//! ```
//!
//! With no token in the environment it starts the crate's fake Feishu (`feishu_openapi::fake`)
//! on 127.0.0.1 and talks to it, so it works with no setup. Every flag is checked before anything
//! is sent; the request is built through the typed layer, where two filters cannot be expressed.

use std::ffi::OsString;
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use feishu_openapi::fake::FakeFeishu;
use feishu_openapi::vc::types::ExportMeetingListRequest;
use feishu_openapi::vc::{MeetingFilter, MeetingStatus};
use feishu_openapi::{AccessToken, Error, FeishuClient, UnixSeconds, UserIdType};

const USAGE: &str = "\
Export the meeting list of Feishu / Lark (导出会议明细) and print the export task id.

Usage: export_meetings [OPTIONS]

Options:
  --start TIME          start of the range: unix seconds, or RFC 3339 with a time zone
                        (2024-05-01T09:00:00+08:00, 2024-05-01T01:00:00Z); default: 7 days before --end
  --end TIME            end of the range, same forms; default: now
  --status STATUS       ongoing | ended | upcoming (or 1 | 2 | 3); Feishu's default: ended
  --user-id-type KIND   open_id | union_id | user_id: the kind of --user-id; Feishu's default: open_id
  -h, --help            print this help

Filters, at most one (Feishu answers 121003 param error otherwise):
  --meeting-no N        a 9-digit meeting number
  --user-id ID          meetings this user took part in (ou_…, on_… or a user_id)
  --room-id ID          meetings this Rooms device took part in (omm_…)
  --meeting-type TYPE   all | video | screencast (or 1 | 2 | 3)

Environment:
  FEISHU_TENANT_ACCESS_TOKEN  a tenant access token (t-…) to call the real service with
  FEISHU_USER_ACCESS_TOKEN    or a user access token (u-…)
  FEISHU_BASE_URL             another base URL (default https://open.feishu.cn;
                              https://open.larksuite.com for Lark, or a private deployment)
  With no token set, it talks to a local fake Feishu that it starts on 127.0.0.1.

The token needs the scope vc:export, and its user or the app's creator the admin right
\"meeting management\".";

/// The filter flags, in the doc's order.
const FILTER_FLAGS: [&str; 4] = ["--meeting-no", "--user-id", "--room-id", "--meeting-type"];

/// The exit code for bad flags or environment: nothing was sent.
const USAGE_ERROR: u8 = 2;

/// What the flags ask for.
#[derive(Debug, Default)]
struct Flags {
    start: Option<UnixSeconds>,
    end: Option<UnixSeconds>,
    status: Option<MeetingStatus>,
    /// The one filter, with the flag that set it.
    filter: Option<(&'static str, MeetingFilter)>,
    user_id_type: Option<UserIdType>,
}

enum Command {
    Help,
    Export(Box<Export>),
}

/// A checked export: ready to send.
struct Export {
    body: ExportMeetingListRequest,
    user_id_type: Option<UserIdType>,
    /// The filter flag and its value, for the summary line.
    filter: Option<(&'static str, String)>,
}

/// Who to call.
enum Target {
    /// A token from the environment: the real service, or `FEISHU_BASE_URL`.
    Feishu {
        base_url: Option<String>,
        token: AccessToken,
    },
    // App credentials (FEISHU_APP_ID / FEISHU_APP_SECRET) belong here, as a third kind of target:
    // the client fetches and caches tenant tokens itself, the example only passes them on.
    /// Nothing configured: the embedded fake Feishu on 127.0.0.1.
    Fake { ignored_base_url: Option<String> },
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let export = match parse_flags(std::env::args_os().skip(1)) {
        Ok(Command::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Command::Export(export)) => export,
        Err(message) => return usage_error(&message),
    };
    let target = match target_from_env() {
        Ok(target) => target,
        Err(message) => return usage_error(&message),
    };
    // The fake, when used, lives until the end of main.
    let (feishu, _fake) = match connect(target).await {
        Ok(connected) => connected,
        Err(e) => return usage_error(&e.to_string()),
    };
    run(&feishu, *export).await
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
            Long("start") => once(&mut flags.start, "--start", time("--start", &mut parser)?)?,
            Long("end") => once(&mut flags.end, "--end", time("--end", &mut parser)?)?,
            Long("status") => once(
                &mut flags.status,
                "--status",
                parsed("--status", &mut parser)?,
            )?,
            Long("user-id-type") => once(
                &mut flags.user_id_type,
                "--user-id-type",
                parsed("--user-id-type", &mut parser)?,
            )?,
            Long(name @ ("meeting-no" | "user-id" | "room-id" | "meeting-type")) => {
                let flag = FILTER_FLAGS
                    .into_iter()
                    .find(|f| f[2..] == *name)
                    .expect("a filter flag");
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
                    _ => MeetingFilter::MeetingType(parsed(flag, &mut parser)?),
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
    check(flags).map(|export| Command::Export(Box::new(export)))
}

/// Sets a flag's value, refusing a second one.
fn once<T>(slot: &mut Option<T>, flag: &str, value: T) -> Result<(), String> {
    if slot.replace(value).is_some() {
        return Err(format!("{flag} is given twice"));
    }
    Ok(())
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

/// The defaults and the range rule.
fn check(flags: Flags) -> Result<Export, String> {
    const WEEK: u64 = 7 * 24 * 3600;
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
    Ok(Export {
        body,
        user_id_type: flags.user_id_type,
        filter: shown_filter,
    })
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
    let tenant = var("FEISHU_TENANT_ACCESS_TOKEN")?;
    let user = var("FEISHU_USER_ACCESS_TOKEN")?;
    let token = match (tenant, user) {
        (Some(_), Some(_)) => {
            return Err(
                "set only one of FEISHU_TENANT_ACCESS_TOKEN and FEISHU_USER_ACCESS_TOKEN".into(),
            )
        }
        (Some(t), None) => AccessToken::tenant(t),
        (None, Some(u)) => AccessToken::user(u),
        (None, None) => {
            return Ok(Target::Fake {
                ignored_base_url: base_url,
            })
        }
    };
    Ok(Target::Feishu { base_url, token })
}

/// A client for the target; for the fake, also the running fake.
async fn connect(target: Target) -> Result<(FeishuClient, Option<FakeFeishu>), Error> {
    match target {
        Target::Feishu { base_url, token } => {
            let mut builder = FeishuClient::builder().access_token(token);
            if let Some(url) = base_url {
                builder = builder.base_url(url);
            }
            Ok((builder.build()?, None))
        }
        Target::Fake { ignored_base_url } => {
            let fake = FakeFeishu::start().await;
            eprintln!(
                "No FEISHU_TENANT_ACCESS_TOKEN or FEISHU_USER_ACCESS_TOKEN is set, so this talks to a local \
                 fake Feishu at {} that it just started: nothing leaves this machine and the task id is not real.",
                fake.base_url()
            );
            eprintln!(
                "To call the real service, set FEISHU_TENANT_ACCESS_TOKEN=t-… (or FEISHU_USER_ACCESS_TOKEN=u-…), \
                 and FEISHU_BASE_URL=https://open.larksuite.com for Lark."
            );
            if let Some(url) = ignored_base_url {
                eprintln!("FEISHU_BASE_URL={url} is ignored without a token.");
            }
            Ok((fake.client(), Some(fake)))
        }
    }
}

/// Sends the export and prints the task id on stdout.
async fn run(feishu: &FeishuClient, export: Export) -> ExitCode {
    let status = export
        .body
        .meeting_status
        .map_or("ended (Feishu's default)".to_string(), |s| s.to_string());
    let filter = export
        .filter
        .map_or(String::new(), |(flag, value)| format!(", {flag} {value}"));
    eprintln!(
        "Exporting meetings from {} to {}: status {status}{filter}, via {}",
        show(export.body.start_time),
        show(export.body.end_time),
        feishu.base_url()
    );
    let vc = feishu.vc();
    let mut request = vc.export_meeting_list();
    if let Some(kind) = export.user_id_type {
        request = request.user_id_type(kind);
    }
    match request.body(export.body).send().await.map_err(Error::from) {
        Ok(created) => {
            let task_id = created.into_inner().data.task_id;
            eprintln!(
                "Export task created; poll GET /open-apis/vc/v1/exports/{{task_id}} until it is done, \
                 then download the file. Task id:"
            );
            println!("{task_id}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("export_meetings: {e}");
            ExitCode::FAILURE
        }
    }
}
