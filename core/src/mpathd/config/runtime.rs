//! Runtime changes in the Solaris ifconfig spirit (`group`, `-group`,
//! `standby`, `-standby`, a test address). They change the configuration
//! in force, not the file: the next reload from the file undoes them, and
//! the reply carries the line that would make them persist.
//!
//! A change is applied to a copy of the configuration, which is written
//! out and parsed again, so that it passes exactly the checks a file
//! would (a data address homed on an interface leaving its group, a
//! duplicate test address, ...).

use std::str::FromStr;

use super::{InterfaceConfig, MpathdConfig, TestAddress};
use crate::addr::{Family, IpPrefix};

/// What to change on one interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// `group NAME` or `-group`.
    Group(Option<String>),
    /// `standby` or `-standby`.
    Standby(bool),
    /// `test ADDR/PLEN` or `test inet6`.
    SetTest(String),
    /// `-test inet` / `-test inet6`.
    ClearTest(String),
}

/// Why a change was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refused {
    /// The interface is not in the configuration (and the change cannot
    /// add it).
    UnknownInterface(String),
    /// The changed configuration would not pass the file's checks.
    Invalid(Vec<String>),
}

/// Applies `change` to `ifname` in a copy of `cfg`. Returns the checked
/// new configuration and the line to persist it, or why not.
pub fn apply(
    cfg: &MpathdConfig,
    ifname: &str,
    change: &Change,
) -> Result<(MpathdConfig, String), Refused> {
    let mut new = cfg.clone();
    let pos = match new.interfaces.iter().position(|i| i.name == ifname) {
        Some(p) => p,
        None => {
            if !matches!(change, Change::Group(Some(_)) | Change::SetTest(_)) {
                return Err(Refused::UnknownInterface(format!(
                    "{ifname}: not a physical interface or not in an IPMP \
                     group"
                )));
            }
            new.interfaces.push(InterfaceConfig {
                name: ifname.to_string(),
                group: None,
                standby: false,
                test_v4: None,
                test_v6: None,
                targets: Vec::new(),
                line: 0,
            });
            new.interfaces.len() - 1
        }
    };
    let i = &mut new.interfaces[pos];
    match change {
        Change::Group(g) => {
            i.group.clone_from(g);
            if g.is_none() {
                i.standby = false;
            }
        }
        Change::Standby(s) => i.standby = *s,
        Change::SetTest(t) => {
            if t == "inet6" {
                i.test_v6 = Some(TestAddress::V6Auto);
            } else {
                let p = IpPrefix::from_str(t)
                    .map_err(|e| Refused::Invalid(vec![e.to_string()]))?;
                match Family::of(p.addr()) {
                    Family::V4 => i.test_v4 = Some(p),
                    Family::V6 => i.test_v6 = Some(TestAddress::V6LinkLocal(p)),
                }
            }
        }
        Change::ClearTest(f) => {
            let family = match f.as_str() {
                "inet" => Family::V4,
                "inet6" => Family::V6,
                other => {
                    return Err(Refused::Invalid(vec![format!(
                        "unknown family `{other}` (inet or inet6)"
                    )]))
                }
            };
            match family {
                Family::V4 => i.test_v4 = None,
                Family::V6 => i.test_v6 = None,
            }
            // Targets of that family need its test address.
            i.targets.retain(|t| Family::of(*t) != family);
        }
    }
    let text = new.render();
    match super::parse("runtime change", &text) {
        Ok(p) => {
            let line = p
                .config
                .interface(ifname)
                .map(ToString::to_string)
                .unwrap_or_default();
            Ok((p.config, line))
        }
        Err(diags) => Err(Refused::Invalid(
            diags
                .iter()
                .filter(|d| d.is_error())
                .map(|d| d.message.clone())
                .collect(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> MpathdConfig {
        crate::mpathd::config::parse(
            "t",
            "interface em0 group web test 192.0.2.10/24\n\
             interface em1 group web test 192.0.2.11/24\n\
             address 192.0.2.100/24 on em0\n",
        )
        .unwrap()
        .config
    }

    #[test]
    fn standby_and_back() {
        let (c, line) = apply(&cfg(), "em1", &Change::Standby(true)).unwrap();
        assert!(c.interface("em1").unwrap().standby);
        assert!(line.contains("standby"), "{line}");
        assert!(line.starts_with("interface em1 group web"), "{line}");
    }

    #[test]
    fn leaving_the_group_with_a_data_address_is_refused() {
        let e = apply(&cfg(), "em0", &Change::Group(None)).unwrap_err();
        assert!(matches!(e, Refused::Invalid(v) if !v.is_empty()));
        let (c, _) = apply(&cfg(), "em1", &Change::Group(None)).unwrap();
        assert_eq!(c.interface("em1").unwrap().group, None);
    }

    #[test]
    fn new_interface_and_test_addresses() {
        let (c, line) =
            apply(&cfg(), "em2", &Change::Group(Some("web".into()))).unwrap();
        assert_eq!(c.group_of("em2"), Some("web"));
        assert_eq!(line, "interface em2 group web");
        let (c, _) =
            apply(&c, "em2", &Change::SetTest("192.0.2.12/24".into())).unwrap();
        assert!(c.interface("em2").unwrap().test_v4.is_some());
        let e = apply(&c, "em2", &Change::SetTest("192.0.2.10/24".into()));
        assert!(e.is_err(), "duplicate test address");
        let (c, _) =
            apply(&c, "em2", &Change::ClearTest("inet".into())).unwrap();
        assert!(c.interface("em2").unwrap().test_v4.is_none());
        assert!(matches!(
            apply(&c, "nosuch", &Change::Standby(true)),
            Err(Refused::UnknownInterface(_))
        ));
    }
}
