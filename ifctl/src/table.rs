//! Column output with ipmpstat's rules (illumos libofmt).
//!
//! Human form: a header of field names, then one line per row. Each
//! field is left-justified in its width, except the last, which is
//! printed as is. A value that does not fit is followed by one space,
//! and the columns after it give back the overflow from their padding
//! as soon as they can, so that a long name shifts a line only
//! locally. An empty value prints as `--`.
//!
//! Parsable form (`-P`): no header, fields separated by `:`, an empty
//! value prints nothing, and when more than one field is printed a `:`
//! or `\` inside a value is escaped with `\`.

/// One column: its name (the header, and the `-o` name in any case) and
/// its default width in characters.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Field {
    /// Upper-case name, as in the header.
    pub name: &'static str,
    /// Width, separating space included.
    pub width: usize,
}

/// How rows are printed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Style {
    /// Header and aligned columns.
    Human,
    /// `-P`: colon-separated, no header.
    Parsable,
}

/// The header line (human form only).
pub fn header(fields: &[Field]) -> String {
    let names: Vec<&str> = fields.iter().map(|f| f.name).collect();
    human(fields, &names)
}

/// One row; `values` are in the order of `fields`.
pub fn row<S: AsRef<str>>(
    fields: &[Field],
    values: &[S],
    style: Style,
) -> String {
    match style {
        Style::Human => human(fields, values),
        Style::Parsable => parsable(values),
    }
}

fn human<S: AsRef<str>>(fields: &[Field], values: &[S]) -> String {
    let mut line = String::new();
    let mut overflow = 0usize;
    let n = fields.len().min(values.len());
    for (k, (f, v)) in fields.iter().zip(values).enumerate() {
        let v = match v.as_ref() {
            "" => "--",
            v => v,
        };
        if k + 1 == n {
            line.push_str(v);
            break;
        }
        let len = v.chars().count();
        let mut width = f.width;
        if len + overflow >= width {
            // Too long: one space, and remember how far we are off.
            overflow = overflow + len + 1 - width;
            line.push_str(v);
            line.push(' ');
            continue;
        }
        if overflow > 0 {
            let give = overflow.min(width - len);
            overflow -= give;
            width -= give;
        }
        line.push_str(v);
        line.extend(std::iter::repeat_n(' ', width - len));
    }
    line
}

fn parsable<S: AsRef<str>>(values: &[S]) -> String {
    if let [only] = values {
        return only.as_ref().to_string();
    }
    let mut line = String::new();
    for (k, v) in values.iter().enumerate() {
        if k > 0 {
            line.push(':');
        }
        for c in v.as_ref().chars() {
            if c == ':' || c == '\\' {
                line.push('\\');
            }
            line.push(c);
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    const F: [Field; 3] = [
        Field {
            name: "GROUP",
            width: 12,
        },
        Field {
            name: "STATE",
            width: 10,
        },
        Field {
            name: "INTERFACES",
            width: 30,
        },
    ];

    #[test]
    fn header_pads_every_field_but_the_last() {
        assert_eq!(header(&F), "GROUP       STATE     INTERFACES");
    }

    #[test]
    fn empty_values_are_dashes_in_human_form_only() {
        assert_eq!(
            row(&F, &["", "ok", ""], Style::Human),
            "--          ok        --"
        );
        assert_eq!(row(&F, &["", "ok", ""], Style::Parsable), ":ok:");
    }

    #[test]
    fn a_long_value_shifts_the_line_until_padding_absorbs_it() {
        // 14 characters in a 12-wide column: 3 over (one space added).
        let line = row(&F, &["averylonggroup", "ok", "em0"], Style::Human);
        assert_eq!(line, "averylonggroup ok     em0");
        // The next column gave back 3 of its padding: INTERFACES starts
        // where it would have.
        assert_eq!(line.find("em0"), Some(22));
        // A value exactly as wide as its column also takes a space.
        let line = row(&F, &["exactly12chr", "ok", "em0"], Style::Human);
        assert_eq!(line, "exactly12chr ok       em0");
        assert_eq!(line.find("em0"), Some(22));
    }

    #[test]
    fn overflow_carries_over_several_columns() {
        let f = [
            Field {
                name: "A",
                width: 4,
            },
            Field {
                name: "B",
                width: 4,
            },
            Field {
                name: "C",
                width: 4,
            },
            Field {
                name: "D",
                width: 4,
            },
        ];
        // 9 over after A; B, C and D are too narrow to give any back.
        let line = row(&f, &["abcdefghijkl", "xyz", "c", "d"], Style::Human);
        assert_eq!(line, "abcdefghijkl xyz c d");
    }

    #[test]
    fn parsable_escapes_separators_only_with_several_fields() {
        assert_eq!(
            row(&F, &["fe80::1", "a\\b", "x"], Style::Parsable),
            "fe80\\:\\:1:a\\\\b:x"
        );
        assert_eq!(row(&F[..1], &["fe80::1"], Style::Parsable), "fe80::1");
    }
}
