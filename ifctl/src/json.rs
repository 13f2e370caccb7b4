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
//!   line.
//!
//! Objects are written by hand, rather than through a map, so that keys
//! keep the order of the fields.

use mpath_core::engine::{InterfaceStatus, Status};
use mpath_proto::Event;

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

/// The summary: the whole status with its version.
pub fn status(st: &Status) -> String {
    format!(
        "{{\"version\":{VERSION},\"groups\":{},\"interfaces\":{},\
         \"addresses\":{}}}",
        value(&st.groups),
        value(&st.interfaces),
        value(&st.addresses)
    )
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
        let v: Value = serde_json::from_str(&status(&st)).unwrap();
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
}
