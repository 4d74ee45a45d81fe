//! `spof explain`: the registry of rules and codes, as text.

use std::io::{self, Write};

use crate::code::Code;
use crate::rule::Rule;

/// Something `spof explain` can explain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Explained {
    /// A check rule.
    Rule(Rule),
    /// A diagnostic code.
    Code(Code),
}

impl Explained {
    /// The rule or code a user typed, with or without its prefix.
    pub fn parse(name: &str) -> Option<Explained> {
        Rule::parse(name)
            .map(Explained::Rule)
            .or_else(|| Code::parse(name).map(Explained::Code))
    }

    /// Every name `spof explain` knows, rules first.
    pub fn names() -> Vec<&'static str> {
        let rules = Rule::ALL.iter().map(|r| r.code());
        rules.chain(Code::ALL.iter().map(|c| c.name())).collect()
    }
}

/// The list: rules with their default level, then the diagnostic codes.
pub fn write_list(out: &mut dyn Write) -> io::Result<()> {
    for rule in Rule::ALL {
        writeln!(
            out,
            "{:<36} {:<8} {}",
            rule.code(),
            rule.severity().as_str(),
            rule.summary()
        )?;
    }
    for code in Code::ALL {
        writeln!(
            out,
            "{:<36} {:<8} {}",
            code.name(),
            code.level(),
            code.summary()
        )?;
    }
    Ok(())
}

/// One rule or code, in full.
pub fn write_one(out: &mut dyn Write, what: Explained) -> io::Result<()> {
    let (name, level, summary, explanation) = match what {
        Explained::Rule(r) => (
            r.code(),
            r.severity().as_str(),
            r.summary(),
            r.explanation(),
        ),
        Explained::Code(c) => (c.name(), c.level(), c.summary(), c.explanation()),
    };
    writeln!(out, "{name} ({level})\n")?;
    writeln!(out, "{summary}\n")?;
    writeln!(out, "{explanation}")
}
