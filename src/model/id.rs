//! A node's id, kept inline when it is short.
//!
//! Nearly every id is short (`kakaotalk`, `s12345`), and a `Box<str>` of a
//! few bytes costs a 32-byte allocation beside its 16-byte pointer: at
//! 100,000 nodes, 3 MB and one pointer to follow at every lookup. An id of
//! up to 14 bytes lives in the 16 bytes of the `Id` itself; a longer one
//! behind a thin box (a pointer to the `Box<str>`), so that an `Id` is 16
//! bytes, not 24: every node holds one, and the loader one more per id
//! (issue #18: a terse file's model within 3x of the file).

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

/// The longest id kept inline, in bytes.
const INLINE: usize = 14;

/// A node's id: a string, inline up to 14 bytes.
#[derive(Clone)]
pub struct Id(Repr);

#[derive(Clone)]
enum Repr {
    Inline { len: u8, bytes: [u8; INLINE] },
    Boxed(Box<Box<str>>),
}

impl Id {
    /// The id `text`.
    pub fn new(text: &str) -> Id {
        let mut bytes = [0; INLINE];
        match bytes.get_mut(..text.len()) {
            Some(inline) => {
                inline.copy_from_slice(text.as_bytes());
                Id(Repr::Inline {
                    len: text.len() as u8,
                    bytes,
                })
            }
            None => Id(Repr::Boxed(Box::new(text.into()))),
        }
    }

    /// Its bytes: what lookups compare, with no check that they are UTF-8
    /// (they are, being a `str`'s).
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, bytes } => &bytes[..usize::from(*len)],
            Repr::Boxed(text) => text.as_bytes(),
        }
    }

    /// Its text.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Always `Ok`: the bytes were a whole `str`.
            Repr::Inline { .. } => std::str::from_utf8(self.as_bytes()).unwrap_or_default(),
            Repr::Boxed(text) => text,
        }
    }
}

impl Default for Id {
    fn default() -> Self {
        Id::new("")
    }
}

impl Deref for Id {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Id {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Id {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Id {
    fn from(text: &str) -> Self {
        Id::new(text)
    }
}

impl From<String> for Id {
    fn from(text: String) -> Self {
        Id::new(&text)
    }
}

impl From<Box<str>> for Id {
    fn from(text: Box<str>) -> Self {
        if text.len() <= INLINE {
            Id::new(&text)
        } else {
            Id(Repr::Boxed(Box::new(text)))
        }
    }
}

impl PartialEq for Id {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Id {}

impl PartialEq<str> for Id {
    fn eq(&self, other: &str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl PartialEq<&str> for Id {
    fn eq(&self, other: &&str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl PartialOrd for Id {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// As strings order: byte by byte.
impl Ord for Id {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

/// As the `str` hashes, which `Borrow<str>` requires.
impl Hash for Id {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ids_are_inline_and_long_ones_boxed_with_the_same_text() {
        assert_eq!(std::mem::size_of::<Id>(), 16);
        for text in [
            "",
            "a",
            "s12345",
            "kakaotalk-message-api",
            "é한",
            &"x".repeat(INLINE),
            &"y".repeat(INLINE + 1),
        ] {
            let id = Id::new(text);
            assert_eq!(id.as_str(), text);
            assert_eq!(id.as_bytes(), text.as_bytes());
            assert_eq!(matches!(id.0, Repr::Inline { .. }), text.len() <= INLINE);
            assert_eq!(Id::from(Box::<str>::from(text)), id);
            assert_eq!(format!("{id}|{id:?}"), format!("{text}|{text:?}"));
        }
        assert!(Id::new("a") < Id::new("b") && Id::new("ab") > Id::new("a"));
    }
}
