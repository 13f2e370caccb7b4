//! C `strtol(value, NULL, 0)`, which in.mpathd uses to read
//! `FAILURE_DETECTION_TIME`.
//!
//! The rules, as the C standard gives them for base 0 with a `long` of
//! 64 bits (LP64, as on illumos, FreeBSD and Linux amd64):
//!
//! 1. Leading white space (`isspace` in the C locale: space, `\t`, `\n`,
//!    `\v`, `\f`, `\r`) is skipped.
//! 2. One optional `+` or `-`.
//! 3. The base follows from the prefix: `0x` or `0X` followed by a hex
//!    digit is hexadecimal, any other leading `0` is octal (the `0` is
//!    itself a digit), anything else is decimal.
//! 4. Digits of that base are taken up to the first character that is
//!    not one; the rest is ignored (`1500ms` is 1500, `08` is 0).
//! 5. No digits at all gives 0.
//! 6. A value out of range gives `i64::MAX` or `i64::MIN` (C's
//!    `LONG_MAX`/`LONG_MIN` with `ERANGE`).

/// Parses `s` exactly as C `strtol(s, NULL, 0)` with a 64-bit `long`.
pub fn strtol(s: &str) -> i64 {
    let b = s.as_bytes();
    let mut i = 0;
    while b.get(i).is_some_and(|&c| is_c_space(c)) {
        i += 1;
    }
    let negative = match b.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let radix = if b.get(i) == Some(&b'0')
        && matches!(b.get(i + 1), Some(b'x' | b'X'))
        && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
    {
        i += 2;
        16
    } else if b.get(i) == Some(&b'0') {
        8
    } else {
        10
    };
    let mut magnitude: u64 = 0;
    let mut overflow = false;
    while let Some(d) = b.get(i).and_then(|&c| char::from(c).to_digit(radix)) {
        match magnitude
            .checked_mul(u64::from(radix))
            .and_then(|m| m.checked_add(u64::from(d)))
        {
            Some(m) => magnitude = m,
            None => overflow = true,
        }
        i += 1;
    }
    if negative {
        if overflow || magnitude > i64::MIN.unsigned_abs() {
            i64::MIN
        } else {
            // |i64::MIN| itself does not fit an i64: it is i64::MIN.
            i64::try_from(magnitude).map_or(i64::MIN, |m| -m)
        }
    } else if overflow {
        i64::MAX
    } else {
        i64::try_from(magnitude).unwrap_or(i64::MAX)
    }
}

fn is_c_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

#[cfg(test)]
mod tests {
    use super::strtol;

    #[test]
    fn table() {
        let cases: &[(&str, i64)] = &[
            ("10000", 10000),
            (" 0x3e8", 1000),
            ("0X3E8", 1000),
            ("0100", 64),
            ("-5", -5),
            ("+7", 7),
            ("abc", 0),
            ("99", 99),
            ("100", 100),
            ("1500ms", 1500),
            ("", 0),
            ("   ", 0),
            ("\t\n\x0b\x0c\r 42", 42),
            ("0", 0),
            ("08", 0),
            ("0779", 63),
            ("0x", 0),
            ("0xg", 0),
            ("-0x10", -16),
            ("- 5", 0),
            ("+-5", 0),
            ("12 34", 12),
            ("99999999999999999999", i64::MAX),
            ("9223372036854775807", i64::MAX),
            ("9223372036854775808", i64::MAX),
            ("-9223372036854775808", i64::MIN),
            ("-9223372036854775809", i64::MIN),
            ("-99999999999999999999", i64::MIN),
            ("0xffffffffffffffffffff", i64::MAX),
            ("0777777777777777777777777", i64::MAX),
            ("１２", 0), // full-width digits are not C digits
        ];
        for &(input, want) in cases {
            assert_eq!(strtol(input), want, "strtol({input:?})");
        }
    }
}
