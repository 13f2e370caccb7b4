//! The completeness check: no FreeBSD ABI number escapes the tables.
//!
//! The header check (`check`) covers what the macros recorded.
//! This scan makes sure that is everything: it reads every `.rs` file
//! under `sys/src/freebsd/` and fails on
//!
//! * a `#[repr(C)]` (or `packed`, `align`) type outside an
//!   `abi_struct!` invocation;
//! * in a declaration module of `abi/`, any `const` or `static` outside
//!   an `abi_consts!` invocation;
//! * elsewhere, a `const` or `static` initialised from a numeric literal,
//!   an enum discriminant set from a literal, or a hex literal of 5
//!   digits or more (an ioctl number or flag word written inline), unless
//!   a `// not ABI: <why>` comment marks it;
//! * a file in `abi/` that is not a module listed in `MODULES`
//!   (its tables would not be checked).
//!
//! It reads source text line by line, after blanking comments, string
//! and character literals; it is a lint, not a parser, and the rules are
//! written so that real declarations cannot slip between its cracks
//! without also looking odd in review.

use std::fs;
use std::path::{Path, PathBuf};

use super::MODULES;

/// The files of `abi/` that hold the framework and its tests, not
/// declarations; they follow the rules for code outside `abi/`.
const FRAMEWORK: &[&str] = &["mod.rs", "check.rs", "scan.rs"];

/// The comment that marks a number as ours, not the kernel's.
const MARKER: &str = "not ABI:";

/// A broken rule.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Violation {
    /// The file, relative to `sys/src/freebsd/`.
    file: String,
    /// The line, from 1.
    line: usize,
    /// The rule.
    rule: &'static str,
}

/// Where a file sits, which decides the rules it follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    /// A declaration module of `abi/`.
    Abi,
    /// Anywhere else (the framework files of `abi/` included).
    Code,
}

/// The place of `file` (relative to `sys/src/freebsd/`).
fn place(file: &str) -> Place {
    match file.strip_prefix("abi/") {
        Some(name) if !FRAMEWORK.contains(&name) => Place::Abi,
        _ => Place::Code,
    }
}

/// `source` with comments, string and character literals blanked
/// (replaced by spaces), line structure kept. Strings and block comments
/// may run over several lines; raw strings (`r"..."`, `r#"..."#`) are
/// blanked too.
fn blank(source: &str) -> Vec<String> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Code,
        LineComment,
        BlockComment,
        Str,
        /// A raw string closed by `"` and this many `#`.
        RawStr(usize),
        Char,
    }
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut state = State::Code;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let at = |k: usize| chars.get(i + k).copied();
        if c == '\n' {
            if state == State::LineComment {
                state = State::Code;
            }
            out.push('\n');
            i += 1;
            continue;
        }
        match state {
            State::Code => {
                let prev = i.checked_sub(1).map(|p| chars[p]);
                let ident_before =
                    prev.is_some_and(|p| p.is_alphanumeric() || p == '_');
                if c == '/' && at(1) == Some('/') {
                    state = State::LineComment;
                    out.push(' ');
                } else if c == '/' && at(1) == Some('*') {
                    state = State::BlockComment;
                    out.push_str("  ");
                    i += 1;
                } else if c == '"' {
                    state = State::Str;
                    out.push(' ');
                } else if c == 'r'
                    && !ident_before
                    && matches!(at(1), Some('"' | '#'))
                {
                    let hashes = chars[i + 1..]
                        .iter()
                        .take_while(|&&h| h == '#')
                        .count();
                    if chars.get(i + 1 + hashes) == Some(&'"') {
                        state = State::RawStr(hashes);
                        out.extend(std::iter::repeat_n(' ', hashes + 2));
                        i += hashes + 1;
                    } else {
                        out.push(c);
                    }
                } else if c == '\''
                    && (at(1) == Some('\\') || at(2) == Some('\''))
                {
                    // A character literal, not a lifetime.
                    state = State::Char;
                    out.push(' ');
                } else {
                    out.push(c);
                }
            }
            State::LineComment => out.push(' '),
            State::BlockComment => {
                if c == '*' && at(1) == Some('/') {
                    state = State::Code;
                    out.push(' ');
                    i += 1;
                }
                out.push(' ');
            }
            State::Str | State::Char => {
                let close = if state == State::Str { '"' } else { '\'' };
                if c == '\\' && at(1).is_some_and(|n| n != '\n') {
                    out.push(' ');
                    i += 1;
                } else if c == close {
                    state = State::Code;
                }
                out.push(' ');
            }
            State::RawStr(hashes) => {
                let closes =
                    c == '"' && (1..=hashes).all(|k| at(k) == Some('#'));
                if closes {
                    state = State::Code;
                    out.extend(std::iter::repeat_n(' ', hashes));
                    i += hashes;
                }
                out.push(' ');
            }
        }
        i += 1;
    }
    out.lines().map(str::to_owned).collect()
}

/// For each line, whether it lies inside an invocation of one of
/// `macros` (`abi_consts!`, ...), by brace depth from the invocation.
fn inside(lines: &[String], macros: &[&str]) -> Vec<bool> {
    let mut result = Vec::with_capacity(lines.len());
    let mut depth: i64 = 0;
    let mut active = false;
    for line in lines {
        if !active && macros.iter().any(|m| line.contains(m)) {
            active = true;
            depth = 0;
        }
        result.push(active);
        if active {
            for c in line.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
            }
            if depth <= 0 && line.contains('}') {
                active = false;
            }
        }
    }
    result
}

/// Whether line `at` carries the marker, or the comments and attributes
/// right above it do.
fn marked(raw: &[&str], at: usize) -> bool {
    if raw[at].contains(MARKER) {
        return true;
    }
    for line in raw[..at].iter().rev() {
        let line = line.trim_start();
        if line.starts_with("//") || line.starts_with("#[") {
            if line.contains(MARKER) {
                return true;
            }
        } else {
            return false;
        }
    }
    false
}

/// Whether `text` holds a numeric literal: a digit that does not
/// continue an identifier (`u8`, `x2`).
fn has_number(text: &str) -> bool {
    let mut prev = ' ';
    for c in text.chars() {
        if c.is_ascii_digit() && !(prev.is_alphanumeric() || prev == '_') {
            return true;
        }
        prev = c;
    }
    false
}

/// Whether `text` holds a hex literal with 5 digits or more.
fn has_long_hex(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i + 1 < bytes.len() {
        let starts = bytes[i] == b'0'
            && (bytes[i + 1] == b'x' || bytes[i + 1] == b'X')
            && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric()));
        if starts {
            let digits = bytes[i + 2..]
                .iter()
                .take_while(|b| b.is_ascii_hexdigit() || **b == b'_')
                .filter(|b| b.is_ascii_hexdigit())
                .count();
            if digits >= 5 {
                return true;
            }
        }
        i += 1;
    }
    false
}

/// The name a `const` or `static` item declares on this line, if any
/// (not `const fn`, not `const _`).
fn declares_item(line: &str) -> bool {
    for keyword in ["const ", "static "] {
        let mut rest = line;
        while let Some(at) = rest.find(keyword) {
            let before = rest[..at].chars().next_back();
            let after = rest[at + keyword.len()..].trim_start();
            let name: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let word_start =
                before.is_none_or(|c| !c.is_alphanumeric() && c != '_');
            let tail = after[name.len()..].trim_start();
            if word_start
                && name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                && tail.starts_with(':')
            {
                return true;
            }
            rest = &rest[at + keyword.len()..];
        }
    }
    false
}

/// Whether the line sets an enum discriminant from a literal
/// (`Arrival = 0,`).
fn sets_discriminant(line: &str) -> bool {
    let line = line.trim();
    let Some((name, value)) = line.split_once('=') else {
        return false;
    };
    let name = name.trim();
    let value = value.trim_start();
    !name.is_empty()
        && name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_alphanumeric() || c == '_')
        && !value.starts_with('=')
        && value
            .trim_start_matches('-')
            .starts_with(|c: char| c.is_ascii_digit())
        && line.ends_with(',')
}

/// The broken rules in one file.
fn scan_file(file: &str, source: &str) -> Vec<Violation> {
    let raw: Vec<&str> = source.lines().collect();
    let lines = blank(source);
    let in_consts = inside(&lines, &["abi_consts! {", "macro_rules!"]);
    let in_structs = inside(&lines, &["abi_struct! {", "macro_rules!"]);
    let place = place(file);
    let mut found = Vec::new();
    let mut report = |line: usize, rule: &'static str| {
        found.push(Violation {
            file: file.to_owned(),
            line: line + 1,
            rule,
        });
    };
    for (i, line) in lines.iter().enumerate() {
        let repr = line.contains("#[repr(")
            && ["C", "packed", "align"].iter().any(|r| line.contains(r));
        if repr && !in_structs[i] {
            report(i, "#[repr(C)] outside abi_struct!");
        }
        if declares_item(line) {
            match place {
                Place::Abi if !in_consts[i] => {
                    report(i, "const outside abi_consts! in abi/");
                }
                Place::Abi => {}
                Place::Code => {
                    // The initialiser may run over several lines.
                    let statement: String = lines[i..]
                        .iter()
                        .scan(false, |done, l| {
                            (!*done).then(|| {
                                *done = l.contains(';');
                                l.as_str()
                            })
                        })
                        .collect();
                    if has_number(&statement) && !marked(&raw, i) {
                        report(i, "const from a numeric literal outside abi/");
                    }
                }
            }
        }
        if place == Place::Code && !marked(&raw, i) {
            if has_long_hex(line) {
                report(i, "long hex literal outside abi/");
            }
            if sets_discriminant(line) {
                report(i, "enum discriminant from a literal outside abi/");
            }
        }
    }
    found
}

/// Every `.rs` file under `dir`, relative to `root`, sorted.
fn rust_files(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .expect("read a source directory")
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path
                .strip_prefix(root)
                .expect("under the root")
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, path));
        }
    }
}

#[test]
fn every_freebsd_abi_number_goes_through_the_macros() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/freebsd");
    let mut files = Vec::new();
    rust_files(&root, &root, &mut files);
    assert!(files.iter().any(|(f, _)| f == "abi/mod.rs"), "{files:?}");
    let mut violations = Vec::new();
    for (file, path) in &files {
        let source = fs::read_to_string(path).expect("read a source file");
        violations.extend(scan_file(file, &source));
        if place(file) == Place::Abi {
            let module = file
                .strip_prefix("abi/")
                .and_then(|f| f.strip_suffix(".rs"))
                .unwrap_or_default();
            if !MODULES.iter().any(|m| m.name == module) {
                violations.push(Violation {
                    file: file.clone(),
                    line: 1,
                    rule: "abi/ file not listed in abi_modules!",
                });
            }
        }
    }
    assert!(
        violations.is_empty(),
        "ABI declarations outside the checked tables (see the rules in \
         sys/src/freebsd/abi/mod.rs):\n{violations:#?}"
    );
}

#[test]
fn the_scan_finds_each_kind_of_escape() {
    let code = "\
use std::ffi::c_ulong;
const RETRIES: usize = 5;
// not ABI: our buffer size.
const BUF: usize = 1 << 16;
const LEN: usize = size_of::<u64>();
pub(crate) const SPLIT: u32 =
    42;
static TABLE: [u8; 2] = [1, 2];
#[repr(C)]
struct Raw { a: u32 }
enum What {
    Arrival = 0,
    Departure = THAT,
}
fn f() {
    let x = 3; // a local, fine
    ioctl(fd, 0xc0206911, &mut req);
    let s = \"0x12345678 const X: u8 = 1;\";
    let c = b'7';
    let mask = 0xff;
}
";
    let found: Vec<_> = scan_file("rtsock/x.rs", code)
        .into_iter()
        .map(|v| (v.line, v.rule))
        .collect();
    assert_eq!(
        found,
        [
            (2, "const from a numeric literal outside abi/"),
            (6, "const from a numeric literal outside abi/"),
            (8, "const from a numeric literal outside abi/"),
            (9, "#[repr(C)] outside abi_struct!"),
            (12, "enum discriminant from a literal outside abi/"),
            (17, "long hex literal outside abi/"),
        ]
    );

    let abi = "\
abi_consts! {
    headers: [\"net/route.h\"];
    /// `RTM_VERSION`.
    pub(crate) const RTM_VERSION: u8 = 5;
}
pub(crate) const RTM_ADD: u8 = 1;
const HIDDEN: u8 = 2;
abi_struct! {
    headers: [\"net/route.h\"];
    pub(crate) struct rt_metrics {
        pub(crate) rmx_locks: u64,
    }
}
#[repr(C)]
pub(crate) struct rt_other { x: u32 }
pub(crate) const fn _IOW(g: u8) -> u64 { 0 }
";
    let found: Vec<_> = scan_file("abi/route.rs", abi)
        .into_iter()
        .map(|v| (v.line, v.rule))
        .collect();
    assert_eq!(
        found,
        [
            (6, "const outside abi_consts! in abi/"),
            (7, "const outside abi_consts! in abi/"),
            (14, "#[repr(C)] outside abi_struct!"),
        ]
    );
    // The framework files follow the rules for code.
    assert_eq!(place("abi/mod.rs"), Place::Code);
    assert_eq!(place("abi/route.rs"), Place::Abi);
    assert_eq!(place("rtsock/msg/mod.rs"), Place::Code);
}
