//! ifctl without a daemon: help, usage errors and an absent daemon,
//! with their exit statuses. No root needed.

use std::process::{Command, Output};

fn ifctl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ifctl"))
        .args(args)
        .output()
        .expect("run ifctl")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn help_goes_to_stdout() {
    let o = ifctl(&["-h"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o.stdout)
        .starts_with("usage: ifctl [-s socket] [-S socket] [-j]\n"));
    assert!(o.stderr.is_empty());
}

#[test]
fn usage_errors_exit_64_with_the_usage() {
    for args in [
        &["-x"][..],
        &["-i", "-g"],
        &["-P", "-i"],
        &["-i", "-o", "bogus"],
        &["em0", "ofline"],
        &["--libxo", "xml"],
        &["-L", "-T"],
        &["-T", "-o", "state"],
        &["-L", "-j", "-o", "state"],
        &["-S", ""],
        &["watch", "lagd"],
    ] {
        let o = ifctl(args);
        assert_eq!(o.status.code(), Some(64), "{args:?}");
        let err = text(&o.stderr);
        assert!(err.starts_with("ifctl: "), "{args:?}: {err}");
        assert!(err.contains("\nusage: ifctl "), "{args:?}: {err}");
        assert!(o.stdout.is_empty());
    }
}

/// No daemon: ipmpstat's advice, EX_UNAVAILABLE.
#[test]
fn no_daemon_is_unavailable() {
    let o = ifctl(&["-s", "/nonexistent/mpathd.sock", "-i"]);
    assert_eq!(o.status.code(), Some(69));
    assert_eq!(
        text(&o.stderr),
        "ifctl: cannot contact mpathd at /nonexistent/mpathd.sock -- is it \
         running?\n"
    );
    assert!(o.stdout.is_empty());
}

/// The usage of `-h` and the SYNOPSIS of ifctl(8) say the same, and
/// every option `-h` lists has its entry in the manual.
#[test]
fn help_and_manual_agree() {
    let help = text(&ifctl(&["-h"]).stdout);
    let usage: Vec<String> = help
        .lines()
        .take_while(|l| !l.is_empty())
        .map(|l| l.trim_start_matches("usage:").trim().to_string())
        .collect();
    let page = concat!(env!("CARGO_MANIFEST_DIR"), "/../man/ifctl.8");
    let source = std::fs::read_to_string(page).expect("man/ifctl.8");
    for line in help.lines().skip_while(|l| !l.is_empty()) {
        let Some(opt) = line.split_whitespace().next() else {
            continue;
        };
        if let Some(long) = opt.strip_prefix("--") {
            assert!(source.contains(&format!(".It Fl j , Fl \\-{long}")));
        } else if let Some(short) = opt.strip_prefix('-') {
            assert!(
                source.contains(&format!(".It Fl {short}\n"))
                    || source.contains(&format!(".It Fl {short} ")),
                "no entry for -{short} in ifctl(8)"
            );
        }
    }
    // The rendered SYNOPSIS needs mandoc (tests/setup installs it).
    let Ok(out) = Command::new("mandoc")
        .args(["-Tascii", "-O", "width=200", page])
        .output()
    else {
        assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "no mandoc");
        return;
    };
    let page = text(&out.stdout);
    // Drop the overstrike of bold and underlined characters.
    let mut plain = String::new();
    for c in page.chars() {
        if c == '\u{8}' {
            plain.pop();
        } else {
            plain.push(c);
        }
    }
    let synopsis: Vec<String> = plain
        .lines()
        .skip_while(|l| *l != "SYNOPSIS")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .map(|l| l.trim().to_string())
        .collect();
    assert_eq!(synopsis, usage);
}
