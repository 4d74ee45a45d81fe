//! YAML 1.2 core-schema resolution of plain scalars.
//!
//! Only `true`/`false` (and their capitalised forms) are booleans, so `on`,
//! `off`, `yes` and `no` stay strings, as format v1 requires.

/// What a scalar means under the core schema.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Resolved<'s> {
    Null,
    Bool(bool),
    /// An integer; `None` when it does not fit in 64 bits.
    Int(Option<i128>),
    Float(f64),
    Str(&'s str),
}

impl Resolved<'_> {
    /// How a person would name this kind of value in a message.
    pub(crate) fn kind_name(&self) -> &'static str {
        match self {
            Resolved::Null => "null",
            Resolved::Bool(_) => "a boolean",
            Resolved::Int(_) => "an integer",
            Resolved::Float(_) => "a number",
            Resolved::Str(_) => "a string",
        }
    }
}

/// Resolves a scalar written with `plain` style (unquoted) or quoted.
/// A `tag` such as `!!str` overrides the plain-style guess.
pub(crate) fn resolve<'s>(text: &'s str, plain: bool, tag: Option<&str>) -> Resolved<'s> {
    match tag {
        Some("str") => return Resolved::Str(text),
        Some("null") => return Resolved::Null,
        Some("bool") | Some("int") | Some("float") => {}
        _ if !plain => return Resolved::Str(text),
        _ => {}
    }
    // Ids and names mostly start with a letter, and only null, true and
    // false among the core schema's other values do (ints and floats start
    // with a digit, a sign or a dot): most scalars stop here.
    if let Some(first) = text.bytes().next() {
        if first.is_ascii_alphabetic() && !matches!(first, b'n' | b'N' | b't' | b'T' | b'f' | b'F')
        {
            return Resolved::Str(text);
        }
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        "true" | "True" | "TRUE" => return Resolved::Bool(true),
        "false" | "False" | "FALSE" => return Resolved::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Resolved::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Resolved::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Resolved::Float(f64::NAN),
        _ => {}
    }
    if let Some(int) = resolve_int(text) {
        return int;
    }
    if is_core_float(text) {
        if let Ok(f) = text.parse::<f64>() {
            return Resolved::Float(f);
        }
    }
    Resolved::Str(text)
}

fn resolve_int(text: &str) -> Option<Resolved<'static>> {
    let (radix, digits, negative) = if let Some(hex) = text.strip_prefix("0x") {
        (16, hex, false)
    } else if let Some(oct) = text.strip_prefix("0o") {
        (8, oct, false)
    } else if let Some(rest) = text.strip_prefix('-') {
        (10, rest, true)
    } else {
        (10, text.strip_prefix('+').unwrap_or(text), false)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let value = i128::from_str_radix(digits, radix)
        .ok()
        .map(|v| if negative { -v } else { v });
    Some(Resolved::Int(value))
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
fn is_core_float(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = i - int_start;
    let mut frac_digits = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        frac_digits = i - s;
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == s {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_1_1_booleans_are_strings() {
        for word in ["on", "off", "yes", "no", "y", "n", "On", "NO"] {
            assert_eq!(resolve(word, true, None), Resolved::Str(word));
        }
        assert_eq!(resolve("true", true, None), Resolved::Bool(true));
        assert_eq!(resolve("FALSE", true, None), Resolved::Bool(false));
    }

    #[test]
    fn numbers_and_nulls() {
        assert_eq!(resolve("123", true, None), Resolved::Int(Some(123)));
        assert_eq!(resolve("-7", true, None), Resolved::Int(Some(-7)));
        assert_eq!(resolve("0x1F", true, None), Resolved::Int(Some(31)));
        assert_eq!(resolve("0.9995", true, None), Resolved::Float(0.9995));
        assert_eq!(resolve("1e3", true, None), Resolved::Float(1000.0));
        assert_eq!(
            resolve("999999999999999999999999999999999999999999", true, None),
            Resolved::Int(None)
        );
        assert_eq!(resolve("~", true, None), Resolved::Null);
        assert_eq!(resolve("", true, None), Resolved::Null);
        assert_eq!(resolve("1.2.3", true, None), Resolved::Str("1.2.3"));
        assert_eq!(resolve("1_000", true, None), Resolved::Str("1_000"));
    }

    #[test]
    fn words_are_strings_and_the_core_words_are_not() {
        for word in [
            "inf", "nan", "Infinity", "api", "e10", "NaN", "svc-1", "ß", "null-ish",
        ] {
            assert_eq!(resolve(word, true, None), Resolved::Str(word));
        }
        assert_eq!(resolve("Null", true, None), Resolved::Null);
        assert_eq!(resolve("True", true, None), Resolved::Bool(true));
        assert_eq!(resolve("F", true, None), Resolved::Str("F"));
        assert_eq!(resolve("!", true, Some("int")), Resolved::Str("!"));
    }

    #[test]
    fn quotes_and_tags_make_strings() {
        assert_eq!(resolve("123", false, None), Resolved::Str("123"));
        assert_eq!(resolve("null", true, Some("str")), Resolved::Str("null"));
    }
}
