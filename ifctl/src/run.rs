//! Carrying out a parsed command: ask the daemon, print the answer. The
//! summary and `ifctl IF`, which ask both daemons, are in `both`;
//! offline, online and track-group in `maintain`.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use mpath_proto::laggd::LaggStatus;
use mpath_proto::mpathd::Status;
use mpath_proto::{Payload, RequestBody};

use crate::args::{self, Cli, Command, Output};
use crate::client::{self, protocol, Daemon};
use crate::events::{watch_line, Anchor};
use crate::lagg::listings::{self as lagg_listings, LaggMode};
use crate::lagg::tracking;
use crate::listings::{self, Mode};
use crate::out::{say_raw, Out};
use crate::table::{self, Field, Style};
use crate::{both, json, maintain, Failure, EX_NOUSER, EX_UNAVAILABLE};

/// Does what `cli` asks; `started` is when ifctl started (the zero of
/// `-p` and `watch` times).
pub fn run<W: Write>(
    cli: &Cli,
    out: &mut Out<W>,
    started: Instant,
) -> Result<(), Failure> {
    let sock = |d: Daemon| Path::new(cli.socket_of(d));
    match &cli.command {
        Command::Help => out.line(&args::help()),
        Command::Summary { json } => both::summary(cli, *json, out),
        Command::List {
            mode: Mode::Probes,
            fields,
            output,
        } => probes(sock(Daemon::Mpathd), fields, *output, out, started),
        Command::List {
            mode,
            fields,
            output,
        } => {
            let st = status(sock(Daemon::Mpathd), mode.needs_paths())?;
            listing(&st, *mode, fields, *output, out)
        }
        Command::Lagg {
            mode,
            fields,
            output,
        } => {
            let st = lagg_status(sock(Daemon::Laggd))?;
            lagg_listing(&st, *mode, fields, *output, out)
        }
        Command::Tracking {
            group,
            brief,
            output,
        } => {
            let st = lagg_status(sock(Daemon::Laggd))?;
            tracking_listing(st, group.as_deref(), *brief, *output, out)
        }
        Command::Service {
            interface,
            offline,
            force,
            json,
        } => maintain::service(cli, interface, *offline, *force, *json, out),
        Command::TrackGroup {
            group,
            enabled,
            json,
        } => maintain::track_group(cli, group, *enabled, *json, out),
        Command::Show { interface, json } => {
            both::show(cli, interface, *json, out)
        }
        Command::Admin(daemon, body) => {
            admin(*daemon, sock(*daemon), body, out)
        }
        Command::Watch { daemon, json } => {
            watch(*daemon, sock(*daemon), *json, out, started)
        }
        Command::Metrics { file } => {
            crate::metrics::metrics(cli, file.as_deref(), out)
        }
    }
}

fn lagg_status(sock: &Path) -> Result<LaggStatus, Failure> {
    client::laggd_status(client::request(
        Daemon::Laggd,
        sock,
        RequestBody::Status,
    )?)
}

/// mpathd's status; without the members' probe paths unless `paths`.
fn status(sock: &Path, paths: bool) -> Result<Status, Failure> {
    let body = if paths {
        RequestBody::Status
    } else {
        RequestBody::StatusBrief
    };
    client::mpathd_status(client::request(Daemon::Mpathd, sock, body)?)
}

/// Rows in the human form (with the header) or the parsable form.
fn table<W: Write>(
    fields: &[Field],
    rows: &[Vec<String>],
    output: Output,
    out: &mut Out<W>,
) -> Result<(), Failure> {
    if output == Output::Human {
        out.line(&table::header(fields))?;
    }
    for r in rows {
        out.line(&table::row(fields, r, style(output)))?;
    }
    Ok(())
}

fn listing<W: Write>(
    st: &Status,
    mode: Mode,
    sel: &[usize],
    output: Output,
    out: &mut Out<W>,
) -> Result<(), Failure> {
    let fields = listings::pick_fields(mode, sel);
    let rows: Vec<Vec<String>> = listings::rows(mode, st)
        .iter()
        .map(|r| listings::pick(r, sel))
        .collect();
    match output {
        Output::Json => out.line(&json::listing(mode, &fields, &rows)),
        Output::Human | Output::Parsable => table(&fields, &rows, output, out),
    }
}

/// `-T [group]`, `-bT`; in JSON, laggd's objects as they are.
fn tracking_listing<W: Write>(
    mut st: LaggStatus,
    group: Option<&str>,
    brief: bool,
    output: Output,
    out: &mut Out<W>,
) -> Result<(), Failure> {
    if let Some(name) = group {
        st.tracking.retain(|g| g.name == name);
        if st.tracking.is_empty() {
            return Err(Failure::new(
                EX_NOUSER,
                format!("no link-state group {name} in laggd"),
            ));
        }
    }
    match output {
        Output::Json => out.line(&json::lagg_listing(LaggMode::Tracking, &st)),
        Output::Human | Output::Parsable if brief => {
            out.lines(&tracking::brief(&st.tracking))
        }
        Output::Human | Output::Parsable => {
            out.lines(&tracking::detail(&st.tracking))
        }
    }
}

/// `-L` and `-R`; in JSON, laggd's objects as they are.
fn lagg_listing<W: Write>(
    st: &LaggStatus,
    mode: LaggMode,
    sel: &[usize],
    output: Output,
    out: &mut Out<W>,
) -> Result<(), Failure> {
    if output == Output::Json {
        return out.line(&json::lagg_listing(mode, st));
    }
    let fields = listings::pick_from(mode.fields(), sel);
    let rows: Vec<Vec<String>> = lagg_listings::rows(mode, st)
        .iter()
        .map(|r| listings::pick(r, sel))
        .collect();
    table(&fields, &rows, output, out)
}

fn style(output: Output) -> Style {
    match output {
        Output::Parsable => Style::Parsable,
        Output::Human | Output::Json => Style::Human,
    }
}

fn elapsed_ms(started: Instant) -> i64 {
    i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX)
}

/// `-p`: a row per probe result, until interrupted.
fn probes<W: Write>(
    sock: &Path,
    sel: &[usize],
    output: Output,
    out: &mut Out<W>,
    started: Instant,
) -> Result<(), Failure> {
    // ipmpstat -p refuses when nothing probes: there would be no rows.
    let st = client::mpathd_status(client::request_not_last(
        Daemon::Mpathd,
        sock,
        RequestBody::Status,
    )?)?;
    let probing = st
        .interfaces
        .iter()
        .any(|i| i.paths.iter().any(|p| p.mode != "disabled"));
    if !probing {
        return Err(Failure::new(
            EX_UNAVAILABLE,
            "probe-based failure detection is disabled",
        ));
    }
    let mut stream = client::watch(Daemon::Mpathd, sock)?;
    let fields: Vec<Field> = listings::pick_fields(Mode::Probes, sel);
    if output == Output::Human {
        out.line(&table::header(&fields))?;
        out.flush()?;
    }
    let mut anchor = Anchor::default();
    loop {
        let ev = stream.next_event()?;
        let offset = anchor.offset(elapsed_ms(started), ev.time_ms);
        if ev.kind != "probe" {
            continue;
        }
        let Some(row) = listings::probe_row(&ev, offset) else {
            continue;
        };
        let row = listings::pick(&row, sel);
        out.line(&match output {
            Output::Json => json::row(&fields, &row),
            Output::Human | Output::Parsable => {
                table::row(&fields, &row, style(output))
            }
        })?;
        out.flush()?;
    }
}

/// `watch`: every event but probe results (those are `-p`'s, several a
/// second per path), until interrupted.
fn watch<W: Write>(
    daemon: Daemon,
    sock: &Path,
    json: bool,
    out: &mut Out<W>,
    started: Instant,
) -> Result<(), Failure> {
    let mut stream = client::watch(daemon, sock)?;
    let mut anchor = Anchor::default();
    loop {
        let ev = stream.next_event()?;
        let offset = anchor.offset(elapsed_ms(started), ev.time_ms);
        if ev.kind == "probe" {
            continue;
        }
        out.line(&if json {
            json::event(&ev)
        } else {
            watch_line(&ev, offset)
        })?;
        out.flush()?;
    }
}

/// reload, mpathd's runtime changes and laggd's switchover.
fn admin<W: Write>(
    daemon: Daemon,
    sock: &Path,
    body: &RequestBody,
    out: &mut Out<W>,
) -> Result<(), Failure> {
    let change_of = match body {
        RequestBody::SetGroup { interface, .. }
        | RequestBody::SetStandby { interface, .. }
        | RequestBody::SetTest { interface, .. } => Some(interface.as_str()),
        _ => None,
    };
    let reply =
        client::request(daemon, sock, body.clone()).map_err(|f| match f {
            // A refused change says every problem in its message already.
            Failure::Exit { code, message, .. } if change_of.is_some() => {
                Failure::Exit {
                    code,
                    message,
                    details: Vec::new(),
                }
            }
            f => f,
        })?;
    match (body, reply, change_of) {
        (RequestBody::Switchover { group, cancel }, Payload::Done, _) => out
            .line(&if *cancel {
                format!("ifctl: {group}: switchover cancelled")
            } else {
                format!(
                    "ifctl: {group}: this chassis gives up the active role \
                     until `ifctl switchover {group} cancel`"
                )
            }),
        (RequestBody::Reload, Payload::Reloaded { warnings }, _) => {
            for w in &warnings {
                say_raw(w);
            }
            out.line(&format!(
                "ifctl: {} reloaded its configuration",
                daemon.name()
            ))
        }
        (_, Payload::Changed { persist }, Some(interface)) => {
            if persist.is_empty() {
                return out.line(&format!(
                    "ifctl: {interface}: changed until the next reload; \
                     to keep it, remove its interface line from mpathd.conf"
                ));
            }
            out.line(&format!(
                "ifctl: {interface}: changed until the next reload; \
                 to keep it, put this line in mpathd.conf:"
            ))?;
            out.line(&persist)
        }
        _ => Err(protocol(daemon, "an unexpected reply")),
    }
}
