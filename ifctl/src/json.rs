//! JSON output (`-j`, `--libxo json`); the shapes are documented in
//! ifctl(8) and only ever grow.
//!
//! - summary: `{"version":1,"groups":[...],"interfaces":[...],
//!   "addresses":[...]}`, the daemon's status objects as they are;
//! - `ifctl IF`: the interface's status object;
//! - listings: `{"version":1,"groups":[{"group":...,...}]}` (key
//!   `interfaces`, `addresses` or `targets` for `-i`, `-a`, `-t`), one
//!   object per row whose keys are the selected field names in lower
//!   case and whose values are the strings `-P` would print, `null` where
//!   `-P` prints nothing;
//! - `-p`: one such row object per line; `watch`: one event object per
//!   line;
//! - `offline`, `online`, `track-group`: `{"version":1,"daemon":"laggd",
//!   "done":true,"changed":[...]}`, laggd's log lines of what changed
//!   (mpathd's reply has no `changed`);
//! - laggd's part: in the summary, its whole status under `"lagg"` (and
//!   mpathd's keys only when mpathd answers); `-L`, `-R`, `-T`:
//!   `{"version":1,"aggregates":[...]}` (`redundancy`, `tracking`), its
//!   objects as they are (`-T group`: that group's alone); `ifctl lagg0`: the aggregate's object;
//!   `ifctl p0`: the port's object with its aggregate's name first,
//!   `{"aggregate":"lagg0","name":"p0",...}`.
//!
//! Objects are written by hand, rather than through a map, so that keys
//! keep the order of the fields.

use mpath_proto::laggd::{AggregateStatus, LaggStatus, PortStatus};
use mpath_proto::mpathd::{InterfaceStatus, Status};
use mpath_proto::Event;

use crate::lagg::listings::LaggMode;
use crate::listings::Mode;
use crate::table::Field;

/// The JSON version of the documented shapes.
pub const VERSION: u32 = 1;

fn string(s: &str) -> String {
    // A string always serialises; the fallback is never used.
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn value<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// The summary: the whole status of each daemon that answered, with
/// the version; mpathd's keys as they always were, laggd's status under
/// `lagg`.
pub fn summary(mpathd: Option<&Status>, laggd: Option<&LaggStatus>) -> String {
    let mut members = vec![format!("\"version\":{VERSION}")];
    if let Some(st) = mpathd {
        members.push(format!(
            "\"groups\":{},\"interfaces\":{},\"addresses\":{}",
            value(&st.groups),
            value(&st.interfaces),
            value(&st.addresses)
        ));
    }
    if let Some(st) = laggd {
        members.push(format!("\"lagg\":{}", value(st)));
    }
    format!("{{{}}}", members.join(","))
}

/// A maintenance request done (`offline`, `online`, `track-group`):
/// the daemon, and laggd's lines of what changed (mpathd tells none).
pub fn done(daemon: &str, changed: Option<&[String]>) -> String {
    let mut members = vec![
        format!("\"version\":{VERSION}"),
        format!("\"daemon\":{}", string(daemon)),
        "\"done\":true".to_string(),
    ];
    if let Some(lines) = changed {
        members.push(format!("\"changed\":{}", value(&lines)));
    }
    format!("{{{}}}", members.join(","))
}

/// A listing of laggd's: its objects as they are.
pub fn lagg_listing(mode: LaggMode, st: &LaggStatus) -> String {
    let objects = match mode {
        LaggMode::Aggregates => value(&st.aggregates),
        LaggMode::Redundancy => value(&st.redundancy),
        LaggMode::Tracking => value(&st.tracking),
    };
    format!(
        "{{\"version\":{VERSION},\"{}\":{objects}}}",
        mode.json_key()
    )
}

/// One aggregate's status object.
pub fn aggregate(a: &AggregateStatus) -> String {
    value(a)
}

/// One port's status object, its aggregate's name first.
pub fn port(a: &AggregateStatus, p: &PortStatus) -> String {
    let object = value(p);
    // A struct with fields always serialises as `{"name":...}`.
    let rest = object.strip_prefix('{').unwrap_or("\"\":null}");
    format!("{{\"aggregate\":{},{rest}", string(&a.name))
}

/// One interface's status object.
pub fn interface(i: &InterfaceStatus) -> String {
    value(i)
}

/// One listing row as an object.
pub fn row<S: AsRef<str>>(fields: &[Field], values: &[S]) -> String {
    let members: Vec<String> = fields
        .iter()
        .zip(values)
        .map(|(f, v)| {
            let v = match v.as_ref() {
                "" => "null".to_string(),
                v => string(v),
            };
            format!("{}:{v}", string(&f.name.to_lowercase()))
        })
        .collect();
    format!("{{{}}}", members.join(","))
}

/// A whole snapshot listing.
pub fn listing<S: AsRef<str>>(
    mode: Mode,
    fields: &[Field],
    rows: &[Vec<S>],
) -> String {
    let rows: Vec<String> = rows.iter().map(|r| row(fields, r)).collect();
    format!(
        "{{\"version\":{VERSION},\"{}\":[{}]}}",
        mode.json_key(),
        rows.join(",")
    )
}

/// A watch event as the daemon sent it.
pub fn event(e: &Event) -> String {
    value(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::listings::{pick, pick_fields, rows, select};
    use crate::testdata::lagg::lagg_status;
    use crate::testdata::status as sample;
    use serde_json::Value;

    #[test]
    fn listing_objects_keep_field_order_and_use_null_for_empty() {
        let sel = select(Mode::Groups, Some("groupname,fdt,state")).unwrap();
        let fields = pick_fields(Mode::Groups, &sel);
        let rows: Vec<Vec<String>> = rows(Mode::Groups, &sample())
            .iter()
            .map(|r| pick(r, &sel))
            .collect();
        let text = listing(Mode::Groups, &fields, &rows);
        assert_eq!(
            text,
            "{\"version\":1,\"groups\":[\
             {\"groupname\":\"ipmp0\",\"fdt\":\"1.00s\",\"state\":\"degraded\"},\
             {\"groupname\":null,\"fdt\":null,\"state\":\"ok\"}]}"
        );
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["groups"][0]["state"], "degraded");
    }

    #[test]
    fn strings_are_escaped() {
        let f = [Field {
            name: "ADDRESS",
            width: 26,
        }];
        let text = row(&f, &["a\"b\\c"]);
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["address"], "a\"b\\c");
    }

    #[test]
    fn summary_and_interface_are_the_status_objects() {
        let st = sample();
        let text = summary(Some(&st), None);
        assert!(text.starts_with("{\"version\":1,\"groups\":[{"), "{text}");
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v.as_object().map(|o| o.len()), Some(4), "no lagg key");
        assert_eq!(v["version"], 1);
        assert_eq!(v["groups"][0]["state"], "degraded");
        assert_eq!(v["interfaces"][1]["hosted"][0], "192.0.2.10/24");
        assert_eq!(v["addresses"][2]["host"], Value::Null);
        let v: Value =
            serde_json::from_str(&interface(&st.interfaces[2])).unwrap();
        assert_eq!(v["name"], "em2");
        assert_eq!(v["standby"], true);
        assert_eq!(v["paths"][0]["targets"][0]["rtt_avg_us"], 400);
    }

    #[test]
    fn laggd_objects_as_they_are() {
        let (m, l) = (sample(), lagg_status());
        let v: Value =
            serde_json::from_str(&summary(Some(&m), Some(&l))).unwrap();
        assert_eq!(v["groups"][0]["state"], "degraded");
        assert_eq!(v["lagg"]["aggregates"][0]["name"], "bond0");
        assert_eq!(v["lagg"]["tracking"][2]["state"], "disabled");
        assert_eq!(v["lagg"]["redundancy"][1]["applied_demotion"], Value::Null);
        let back: LaggStatus =
            serde_json::from_value(v["lagg"].clone()).unwrap();
        assert_eq!(back, l, "laggd's status, whole");
        let text = summary(None, Some(&l));
        assert!(text.starts_with("{\"version\":1,\"lagg\":{"), "{text}");
        assert_eq!(summary(None, None), "{\"version\":1}");

        for (mode, key, n) in [
            (LaggMode::Aggregates, "aggregates", 3),
            (LaggMode::Redundancy, "redundancy", 2),
            (LaggMode::Tracking, "tracking", 3),
        ] {
            let v: Value =
                serde_json::from_str(&lagg_listing(mode, &l)).unwrap();
            assert_eq!(v["version"], 1);
            assert_eq!(v[key].as_array().map(Vec::len), Some(n), "{key}");
            assert_eq!(
                v[key],
                serde_json::to_value(
                    match mode {
                        LaggMode::Aggregates =>
                            serde_json::to_value(&l.aggregates),
                        LaggMode::Redundancy =>
                            serde_json::to_value(&l.redundancy),
                        LaggMode::Tracking => serde_json::to_value(&l.tracking),
                    }
                    .unwrap()
                )
                .unwrap()
            );
        }

        let bond0 = &l.aggregates[0];
        let v: Value = serde_json::from_str(&aggregate(bond0)).unwrap();
        assert_eq!(v["active_port"], "p1");
        assert_eq!(v["ports"][0]["reason"], "probes lost");
        let text = port(bond0, &bond0.ports[1]);
        assert!(
            text.starts_with("{\"aggregate\":\"bond0\",\"name\":\"p1\","),
            "{text}"
        );
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["targets"][1]["rtt_avg_us"], 420);
    }
}
