//! Writing YAML text by hand: scalars that read back as the same string.

use crate::yaml::scalar::{resolve, Resolved};

/// `text` as a YAML scalar that reads back as exactly this string: plain
/// when that is safe, else double-quoted (a JSON string is a valid YAML
/// double-quoted scalar).
pub(super) fn scalar(text: &str) -> String {
    if is_plain_safe(text) {
        text.to_string()
    } else {
        let quoted = serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_string());
        // JSON leaves these two as they are; YAML allows them in no form but
        // an escape.
        quoted
            .replace('\u{fffe}', "\\ufffe")
            .replace('\u{ffff}', "\\uffff")
    }
}

fn is_plain_safe(text: &str) -> bool {
    let mut chars = text.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    first.is_alphanumeric()
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
        && matches!(resolve(text, true, None), Resolved::Str(_))
}

/// A mapping key at `indent`, up to its colon: `  id:`. YAML allows an
/// implicit key of at most 1,024 characters; a longer one is written as an
/// explicit key (`? "..."` then `:` on the next line).
pub(super) fn key(indent: &str, text: &str) -> String {
    let written = scalar(text);
    if written.chars().count() < 1000 {
        format!("{indent}{written}:")
    } else {
        format!("{indent}? {written}\n{indent}:")
    }
}

/// A flow sequence of scalars: `[a, "b c:", d]`.
pub(super) fn flow_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let items: Vec<String> = items.into_iter().map(scalar).collect();
    format!("[{}]", items.join(", "))
}

/// Text for a `#` comment: one line of characters YAML allows.
pub(super) fn comment_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{fffe}' | '\u{ffff}') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_read_back_as_strings() {
        assert_eq!(scalar("artist-lookup"), "artist-lookup");
        assert_eq!(scalar("Artist Lookup"), "\"Artist Lookup\"");
        assert_eq!(scalar("true"), "\"true\"");
        assert_eq!(scalar("123"), "\"123\"");
        assert_eq!(scalar("null"), "\"null\"");
        assert_eq!(scalar("a: b"), "\"a: b\"");
        assert_eq!(scalar("component:default/x"), "\"component:default/x\"");
        assert_eq!(scalar(""), "\"\"");
        assert_eq!(scalar("say \"hi\"\n"), "\"say \\\"hi\\\"\\n\"");
        assert_eq!(flow_list(["a", "b c", "-x"]), "[a, \"b c\", \"-x\"]");
        assert_eq!(scalar("a\u{ffff}"), "\"a\\uffff\"");
        assert_eq!(key("  ", "db"), "  db:");
        let long = "x".repeat(2000);
        assert_eq!(key("  ", &long), format!("  ? {long}\n  :"));
        assert_eq!(comment_safe("API x\u{18}v\u{2}\u{fffe}"), "API x v  ");
    }
}
