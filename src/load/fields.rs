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

const COMMON: [&str; 6] = [
    "name",
    "description",
    "owner",
    "tags",
    "availability",
    "depends_on",
];

impl Context {
    pub fn keys(self) -> Vec<&'static str> {
        let own: &[&str] = match self {
            Context::Top => &[
                "version",
                "name",
                "description",
                "sites",
                "services",
                "integrations",
            ],
            Context::Site => &["kind", "within", "operator"],
            Context::Service => &["tier", "users", "logical", "external", "runs_in"],
            Context::Integration => &[
                "consumer", "provider", "feature", "mode", "fallback", "tier", "users",
            ],
            Context::Dependency => &["on", "any_of", "mode", "min"],
            Context::AnyOfMember => &["on"],
            Context::Placement => &["sites", "min"],
            Context::PlacementEntry => &["site", "requires"],
        };
        let mut keys = own.to_vec();
        if matches!(
            self,
            Context::Site | Context::Service | Context::Integration
        ) {
            keys.extend(COMMON);
        }
        keys
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
