//! Formatting results for people and machines. The only part of the library
//! that produces text; it writes to whatever `Write` the caller gives it.

pub mod beyond;
#[cfg(feature = "cli")]
pub mod diagnostics;
pub mod diff;
pub mod dot;
pub mod explain;
pub mod findings;
pub mod human;
pub mod json;
pub mod mef;
pub mod mermaid;
pub mod notice;
pub mod problems;
pub mod style;

/// `47500000` as people write it: `47,500,000`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_are_grouped() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1000), "1,000");
        assert_eq!(super::thousands(47_500_000), "47,500,000");
    }
}
