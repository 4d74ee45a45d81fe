//! The one registry of the codes a user can see on a diagnostic: each is a
//! variant with its name (`spof::duplicate-id`), a one-line summary and the
//! explanation `spof explain CODE` prints. The README's list is tested
//! against [`Code::ALL`]; a code cannot be added without its explanation,
//! because the table below will not compile without one.
//!
//! Check rules (`spof/single-point-of-failure`, ...) are in [`crate::rule`].

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, $summary:literal, $explanation:literal; )*) => {
        /// A stable diagnostic code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $( $(#[$doc])* #[doc = $summary] $variant, )*
        }

        impl Code {
            /// Every code, in the order of the table.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The name shown on a diagnostic: `spof::duplicate-id`.
            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => concat!("spof::", $name),)* }
            }

            /// One line: what the problem is.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary,)* }
            }

            /// Several lines: why it matters and how to mend it.
            pub fn explanation(self) -> &'static str {
                match self { $(Code::$variant => $explanation,)* }
            }
        }
    };
}

codes! {
    YamlSyntax = "yaml-syntax", "The file is not well-formed YAML.",
"The YAML reader stopped at this point: a missing colon, a bad indentation,
an unclosed quote or bracket, or a tab used for indentation (format v1 §1).
Everything after it cannot be read, so it is the only problem reported.";
    NotUtf8 = "not-utf8", "The file is not valid UTF-8.",
"Architecture files are UTF-8 text (format v1 §1). The label points at the
first byte that is not. Save the file as UTF-8.";
    NulByte = "nul-byte", "The file contains a NUL byte.",
"A NUL byte never occurs in a YAML text file; this is most likely a binary
file given by mistake.";
    SecondDocument = "second-document", "The file holds more than one YAML document.",
"An architecture file is one YAML document (format v1 §1). Split the
documents into files of their own, or join them; `include` (§11) puts
several files together.";
    DuplicateKey = "duplicate-key", "The same key appears twice in one mapping.",
"YAML readers disagree on which of two equal keys wins, so spof refuses both.
Remove or rename one; the second label shows the first.";
    AliasBomb = "alias-bomb", "Aliases expand to far more than the file holds.",
"Anchors and aliases (`&a`, `*a`) may repeat a part of the file, but a few
lines of nested aliases can expand to billions of nodes. spof stops at
max(1,000,000, 10 × the file's bytes) expanded nodes.";
    UnsupportedTag = "unsupported-tag", "A YAML tag or merge key that format v1 does not allow.",
"Tags (`!!str`, `!custom`) and merge keys (`<<`) change what a value means in
ways other tools read differently; format v1 refuses them. Write the value
or the mapping out.";
    Version = "version", "`version` is missing or not 1.",
"Every file starts with `version: 1` (format v1 §2), so that a later format
can be told apart.";
    UnknownKey = "unknown-key", "A field that this kind of entry does not have.",
"Each mapping has a fixed set of fields (format v1 §3-6). A misspelt field
would otherwise be ignored silently. Keys that start with `x-` are yours
and are never reported.";
    MisplacedKey = "misplaced-key", "A field that belongs to another kind of entry.",
"The field exists, but not here: `runs_in` is a service's, `within` a
site's, `provider` an integration's. The help says where it belongs.";
    WrongType = "wrong-type", "A value of the wrong shape: a list where a mapping is expected, and so on.",
"The label says what was expected. Quoting matters: `users: \"10\"` is a
string, not a number.";
    InvalidValue = "invalid-value", "A value outside the allowed words, such as an unknown tier or site kind.",
"Tiers are critical, high, medium or low; site kinds are region, zone,
datacenter, building, power, network or other; a mode is hard or soft.";
    InvalidNumber = "invalid-number", "A number that is not allowed here: negative, fractional or too large.",
"`users` and `min` are whole numbers from 0 (`min` from 1) up to what 64
bits hold.";
    AvailabilityRange = "availability-range", "An availability outside (0, 1].",
"`availability` is a probability of being up, such as 0.999: above 0 and at
most 1.";
    InvalidId = "invalid-id", "An id that is not a string, is empty, or has characters ids may not have.",
"Ids are the names other entries refer to (format v1 §1): non-empty strings
with no control characters and no leading or trailing whitespace. A key
that YAML reads as a number or null (`123:`, `~:`) must be quoted.";
    DuplicateId = "duplicate-id", "The same id is declared twice.",
"Ids share one namespace across sites, services and integrations. The
second label shows the first declaration.";
    UnknownId = "unknown-id", "A reference to an id that nothing declares.",
"A dependency, placement, provider or command-line option names an id that
is not in the file. The help suggests the closest id when one is near.";
    WrongKind = "wrong-kind", "A reference to the wrong kind of entry, such as a placement naming a service.",
"`runs_in` and `within` name sites; `depends_on`, `requires`, `consumer` and
`provider` name services or integrations. The second label shows the
declaration.";
    SelfDependency = "self-dependency", "An entry that depends on itself.",
"A node that needs itself can never come up again once down; this is
always a mistake in the file.";
    DependencyShape = "dependency-shape", "A dependency item that is neither an id nor `{ any_of: [...] }`.",
"A dependency is an id, `{ id: X, mode: soft }`, or a group
`{ any_of: [a, b], min: 1, mode: hard }` (format v1 §5).";
    MemberMode = "member-mode", "A mode on a member of an `any_of` group.",
"The mode belongs to the group, not to its members: write
`{ any_of: [a, b], mode: soft }`.";
    EmptyGroup = "empty-group", "An `any_of` group with no members.",
"A group needs at least one member; with none it could never be met.";
    MinOutOfRange = "min-out-of-range", "A `min` larger than the list it counts, or zero.",
"`min` is how many members (or placement entries) must be up: from 1 to the
number listed.";
    EmptyPlacement = "empty-placement", "`runs_in` with no sites.",
"A service that runs nowhere is down from the start. Name at least one
site, or leave `runs_in` out for a service whose placement you do not know.";
    MissingField = "missing-field", "A required field is missing.",
"Integrations need `consumer` and `provider`; a placement entry written as
a mapping needs `site`.";
    WithinCycle = "within-cycle", "Sites that contain each other through `within`.",
"`within` says which larger site a site is part of, so it cannot loop. The
labels show the sites of the loop.";
    Suppression = "suppression", "An `x-spof-ignore` entry without a rule or reason, or with an unknown rule.",
"`x-spof-ignore: [{ rule: single-point-of-failure, reason: \"...\" }]`
silences a check rule on one node. The reason is required: it is what the
next reviewer reads.";
    Include = "include", "An `include` that cannot be followed.",
"`include` (format v1 §11) names files read with this one: paths and globs
(`*`, `?`, `**`) relative to the including file. A glob that matches
nothing, an include cycle, a path that leaves the root file's folder (`../`,
an absolute path, a symbolic link out) and anything that is not a regular
file are errors: a pull request must not make CI read files elsewhere.";
    Config = "config", "A problem in the check configuration (`.spof.yaml`).",
"The configuration sets `check.min_tier`, `check.rules` (error, warning or
off per rule) and `check.ignore` entries with a rule, a node and a reason.";
    Baseline = "baseline", "A baseline that cannot be read or written.",
"A baseline is the JSON written by `spof check --write-baseline FILE`. Write
it again if it was edited by hand.";
    UnknownRule = "unknown-rule", "`spof explain` was given a name that is neither a rule nor a code.",
"Run `spof explain` with no argument for the list of rules and codes.";
    Read = "read", "A file could not be read.",
"The file is missing, is not a regular file, is too large, or cannot be
opened. The message says which.";
    Write = "write", "An output file could not be written.",
"spof never overwrites what it should not: `spof init` and imports refuse an
existing file unless told otherwise. Otherwise check the path and the
disk.";
    Usage = "usage", "Options that do not go together.",
"The message says which; `spof help COMMAND` lists the options.";
    Git = "git", "A file could not be read from git for `--base-ref`.",
"`spof diff --base-ref REV FILE` runs `git show REV:FILE` in the current
repository. Run it inside the repository, with the revision fetched
(`git fetch origin main`).";
    Cycle = "cycle", "A fault tree was asked of a target that depends on a cycle.",
"Open-PSA MEF fault trees cannot hold a cycle. `spof cuts` and `spof
availability` handle cycles; export needs an acyclic cone.";
    DiagramFormat = "diagram-format", "A diagram output file with an extension spof cannot write.",
"Diagrams are written as .dot (or .gv), .svg, .png or .pdf; the extension
of the output file chooses.";
    GraphvizMissing = "graphviz-missing", "Graphviz's `dot` is not installed.",
"SVG, PNG and PDF diagrams are drawn by Graphviz. Install it, or write DOT
with `-o FILE.dot` and render it elsewhere.";
    GraphvizFailed = "graphviz-failed", "Graphviz could not render the diagram.",
"`dot` ran and reported an error; its message follows. Very large graphs
can exhaust it: draw less with `--focus ID` or `--collapse`.";
    DiagramTooLarge = "diagram-too-large", "A diagram with more nodes than any layout draws legibly.",
"A diagram of the whole of a large architecture is refused above
`--max-nodes` (20,000 by default): no Graphviz layout draws that many
nodes legibly, and the DOT alone takes gigabytes at a million. Draw a
part with `--focus ID --depth N`, or the sites with `--collapse`; or raise
the limit (`--max-nodes 0` draws everything).";
    CutsTooLarge = "cuts-too-large", "A cut-set search that would try or find more sets than its bounds.",
"`spof cuts` lists the sets it must try before it tries any: the pairs of
candidates that meet at a quorum or `any_of` group, and every set of three
or more in a target's cone. Above `--max-tries` (20,000,000 by default),
or with more than `--max-sets` sets found (50,000,000, each counted once
per target it takes down), it stops with this error instead of running for
hours or out of memory: a quorum of n sites that needs n - 1 of them has
n²/2 minimal pairs, from a file of a few lines per site. Where the targets
sit behind one large cycle, the sets of order 1 alone can pass the bound:
they are counted first, in about the time of an audit, and the message
gives their number. Ask for fewer targets (`--target ID`, `--min-tier
critical`) or smaller sets (`--max-order 2`), or lift the bound
(`--max-tries 0`, `--max-sets 0`).";
    AvailabilityTooLarge = "availability-too-large", "An availability that would take more work than its bound.",
"`spof availability` counts its work in steps: a gate evaluated for up to 64
sets of failures or samples, a set the exact method walks or answers, a
failure Monte Carlo draws. Past `--max-work` (10,000,000,000 by default,
about a minute on two cores; a million services of this project's
generator take 3.5 billion) it stops with this error instead of running
for hours: 100,000 parts up half the time would have Monte Carlo draw ten
billion failures, and a file of many targets, each over a few parts that
any one keeps up, makes each target try its whole budget of sets before
it gives up. Monte Carlo's share is counted before it starts, so that
refusal comes at once. Ask for fewer targets (`--target ID`, `--min-tier
critical`), or lift the bound (`--max-work 0`).";
    SarifTruncated = "sarif-truncated", "A SARIF log that leaves findings out to stay within GitHub's limits.",
"GitHub code scanning rejects a SARIF run of more than 25,000 results and a
result with more than 1,000 locations. `spof check --format sarif` writes
at most 25,000 results, errors before warnings, records how many it left
out in `runs[0].properties.omittedResults`, and says so on stderr; each
result names at most 100 related nodes. `--format json` has everything.";
    Import = "import", "A catalog or manifest file could not be imported.",
"The message says which file and why: it could not be read, is not UTF-8,
or is not YAML.";
    ImportSkipped = "import-skipped", "Something in a catalog or manifest was skipped by the import.",
"An entity, a Kubernetes object or a Location target the import cannot use;
the message says what and why. The rest is imported.";
}

impl Code {
    /// How a diagnostic with this code is shown: `warning` for what spof
    /// skips and goes on without, `error` for everything that stops it.
    pub fn level(self) -> &'static str {
        match self {
            Code::ImportSkipped | Code::SarifTruncated => "warning",
            _ => "error",
        }
    }

    /// The code for a name, with or without the `spof::` prefix.
    pub fn parse(name: &str) -> Option<Code> {
        let name = name.strip_prefix("spof::").unwrap_or(name);
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.name().strip_prefix("spof::") == Some(name))
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_explained() {
        let mut names: Vec<&str> = Code::ALL.iter().map(|c| c.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Code::ALL.len(), "two codes share a name");
        for code in Code::ALL {
            assert!(code.summary().ends_with('.'), "{code}");
            assert!(code.explanation().len() > 40, "{code} is not explained");
            assert_eq!(Code::parse(code.name()), Some(*code));
        }
    }
}
