//! The keys each mapping of a format-v1 file may hold.

/// A kind of mapping in the file, for "unknown key" and "misplaced key" messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    Top,
    Site,
    Service,
    Integration,
    Dependency,
    AnyOfMember,
    Placement,
    PlacementEntry,
}

impl Context {
    /// The fields a mapping of this kind may hold (besides `x-` extensions).
    pub fn keys(self) -> &'static [&'static str] {
        match self {
            Context::Top => &[
                "version",
                "name",
                "description",
                "sites",
                "services",
                "integrations",
            ],
            Context::Site => &[
                "kind",
                "within",
                "operator",
                "name",
                "description",
                "owner",
                "tags",
                "availability",
                "depends_on",
            ],
            Context::Service => &[
                "tier",
                "users",
                "logical",
                "external",
                "runs_in",
                "name",
                "description",
                "owner",
                "tags",
                "availability",
                "depends_on",
            ],
            Context::Integration => &[
                "consumer",
                "provider",
                "feature",
                "mode",
                "fallback",
                "tier",
                "users",
                "name",
                "description",
                "owner",
                "tags",
                "availability",
                "depends_on",
            ],
            Context::Dependency => &["on", "any_of", "mode", "min"],
            Context::AnyOfMember => &["on"],
            Context::Placement => &["sites", "min"],
            Context::PlacementEntry => &["site", "requires"],
        }
    }

    /// How a message names a mapping of this kind.
    pub fn noun(self) -> &'static str {
        match self {
            Context::Top => "the top level",
            Context::Site => "a site",
            Context::Service => "a service",
            Context::Integration => "an integration",
            Context::Dependency => "a dependency",
            Context::AnyOfMember => "an `any_of` member",
            Context::Placement => "a placement",
            Context::PlacementEntry => "a placement entry",
        }
    }

    const ALL: [Context; 8] = [
        Context::Top,
        Context::Site,
        Context::Service,
        Context::Integration,
        Context::Dependency,
        Context::AnyOfMember,
        Context::Placement,
        Context::PlacementEntry,
    ];

    /// The contexts other than this one where `key` is a field.
    pub fn elsewhere(self, key: &str) -> Vec<Context> {
        Self::ALL
            .into_iter()
            .filter(|&c| c != self && c.keys().contains(&key))
            .collect()
    }
}
