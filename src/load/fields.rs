//! The fields each mapping of a format-v1 file may hold: their names, the
//! shape of their values and what they mean.
//!
//! This table is the one definition of the format's fields. The checker
//! reads it for "unknown key" and "misplaced key" messages, and
//! [`crate::schema`] turns it into the JSON Schema that editors use, so the
//! two cannot drift apart.

use crate::model::{SiteKind, Tier};

/// A kind of mapping in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    /// The top level of a file.
    Top,
    /// A site.
    Site,
    /// A service.
    Service,
    /// An integration.
    Integration,
    /// A dependency written as a mapping.
    Dependency,
    /// A member of an `any_of` group written as a mapping.
    AnyOfMember,
    /// `runs_in` written as a mapping.
    Placement,
    /// One entry of a placement written as a mapping.
    PlacementEntry,
}

/// What a field's value looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// The integer `1`.
    Version,
    /// Any string.
    Text,
    /// A list of strings (`null` is an empty list).
    Texts,
    /// A number in (0, 1].
    Probability,
    /// A non-negative whole number.
    Count,
    /// A whole number of at least 1 (the `min` of a group).
    Min,
    /// `true` or `false`.
    Flag,
    /// One word of a fixed set.
    Choice(&'static [&'static str]),
    /// The id of a node.
    Id,
    /// A list of ids (`null` is an empty list).
    Ids,
    /// A mapping of id to a node body of this context (`null` is empty).
    Section(Context),
    /// A list of dependencies (§5; `null` is an empty list).
    Dependencies,
    /// The members of an `any_of` group: ids or `{ on: ID }`.
    Members,
    /// `runs_in`: a site, a list of entries, or `{ sites, min }`.
    Placement,
    /// The entries of a placement: site ids or `{ site, requires }`.
    PlacementEntries,
}

/// One field of a mapping.
#[derive(Clone, Copy, Debug)]
pub struct FieldDef {
    /// The key as written in files.
    pub key: &'static str,
    /// What its value looks like.
    pub shape: Shape,
    /// Whether the mapping needs it.
    pub required: bool,
    /// What it means, for the schema and editors.
    pub doc: &'static str,
}

const fn field(key: &'static str, shape: Shape, doc: &'static str) -> FieldDef {
    FieldDef {
        key,
        shape,
        required: false,
        doc,
    }
}

const fn required(key: &'static str, shape: Shape, doc: &'static str) -> FieldDef {
    FieldDef {
        key,
        shape,
        required: true,
        doc,
    }
}

/// The words a `mode` may be.
pub const MODES: [&str; 2] = ["hard", "soft"];

const NAME: FieldDef = field("name", Shape::Text, "Display name (any Unicode).");
const DESCRIPTION: FieldDef = field("description", Shape::Text, "Free text.");
const OWNER: FieldDef = field(
    "owner",
    Shape::Text,
    "Organisation or team that runs it (`Kakao`, `Homeplus`).",
);
const TAGS: FieldDef = field("tags", Shape::Texts, "Free labels.");
const AVAILABILITY: FieldDef = field(
    "availability",
    Shape::Probability,
    "Probability that it is up on its own, in (0, 1], e.g. `0.9995`. Used by `spof availability`.",
);
const DEPENDS_ON: FieldDef = field(
    "depends_on",
    Shape::Dependencies,
    "What it needs besides its placement: ids (hard), `{ on: ID, mode: soft }`, or `{ any_of: [ID, ...], min: K }`.",
);
const TIER: FieldDef = field(
    "tier",
    Shape::Choice(&Tier::NAMES),
    "Importance. Services and integrations of tier `high` or `critical` are the audit's targets.",
);
const USERS: FieldDef = field(
    "users",
    Shape::Count,
    "People affected when it is down (e.g. monthly active users).",
);
const MIN: FieldDef = field(
    "min",
    Shape::Min,
    "How many alternatives must be up (a quorum); default 1, at most the number listed.",
);

const TOP: &[FieldDef] = &[
    required("version", Shape::Version, "Format version: the integer `1`."),
    field("name", Shape::Text, "Display name of the architecture."),
    DESCRIPTION,
    field(
        "include",
        Shape::Texts,
        "Other files of the same architecture: paths and globs (`*`, `?`, `**`) relative to this file, inside the root file's folder.",
    ),
    field(
        "sites",
        Shape::Section(Context::Site),
        "Places that fail as a whole: regions, zones, data centers, power feeds, networks. Map of id to site.",
    ),
    field(
        "services",
        Shape::Section(Context::Service),
        "Things that run somewhere and depend on other things. Map of id to service.",
    ),
    field(
        "integrations",
        Shape::Section(Context::Integration),
        "A consumer's feature that uses another organisation's service. Map of id to integration.",
    ),
];

const SITE: &[FieldDef] = &[
    field(
        "kind",
        Shape::Choice(&SiteKind::NAMES),
        "What kind of place this is; default `datacenter`.",
    ),
    field(
        "within",
        Shape::Id,
        "The site that contains this one: when it is down, this site is down.",
    ),
    field("operator", Shape::Text, "Who operates it (`SK C&C`)."),
    NAME,
    DESCRIPTION,
    OWNER,
    TAGS,
    AVAILABILITY,
    DEPENDS_ON,
];

const SERVICE: &[FieldDef] = &[
    TIER,
    USERS,
    field(
        "logical",
        Shape::Flag,
        "`true`: it never fails by itself (a user journey, a feature, a group); default `false`.",
    ),
    field(
        "external",
        Shape::Flag,
        "`true`: run by someone outside the modelled organisation; informational.",
    ),
    field(
        "runs_in",
        Shape::Placement,
        "Where it runs: a site id, a list of sites (up while one is up), or `{ sites: [...], min: K }` (a quorum).",
    ),
    NAME,
    DESCRIPTION,
    OWNER,
    TAGS,
    AVAILABILITY,
    DEPENDS_ON,
];

const INTEGRATION: &[FieldDef] = &[
    required(
        "consumer",
        Shape::Id,
        "The service whose feature this is.",
    ),
    required(
        "provider",
        Shape::Id,
        "The other organisation's service it uses.",
    ),
    field("feature", Shape::Text, "The feature, in words."),
    field(
        "mode",
        Shape::Choice(&MODES),
        "How the consumer feels its loss: `hard` (down) or `soft` (degraded); default `hard`.",
    ),
    field(
        "fallback",
        Shape::Ids,
        "Alternatives the feature falls back to: it is up while the provider or one fallback is up.",
    ),
    field(
        "tier",
        Shape::Choice(&Tier::NAMES),
        "Importance; default: the consumer's tier.",
    ),
    USERS,
    NAME,
    DESCRIPTION,
    OWNER,
    TAGS,
    AVAILABILITY,
    DEPENDS_ON,
];

const DEPENDENCY: &[FieldDef] = &[
    field("on", Shape::Id, "The node depended on."),
    field(
        "any_of",
        Shape::Members,
        "Alternatives: met while at least `min` of them are up.",
    ),
    field(
        "mode",
        Shape::Choice(&MODES),
        "`hard` (default): down when the requirement is down; `soft`: only degraded.",
    ),
    MIN,
];

const ANY_OF_MEMBER: &[FieldDef] = &[required("on", Shape::Id, "The alternative.")];

const PLACEMENT: &[FieldDef] = &[
    required(
        "sites",
        Shape::PlacementEntries,
        "The sites it runs in: ids, or `{ site: ID, requires: [...] }` for a standby.",
    ),
    MIN,
];

const PLACEMENT_ENTRY: &[FieldDef] = &[
    required("site", Shape::Id, "The site."),
    field(
        "requires",
        Shape::Dependencies,
        "What this entry needs in order to serve, such as the failover tooling of a standby.",
    ),
];

impl Context {
    /// Every context.
    pub const ALL: [Context; 8] = [
        Context::Top,
        Context::Site,
        Context::Service,
        Context::Integration,
        Context::Dependency,
        Context::AnyOfMember,
        Context::Placement,
        Context::PlacementEntry,
    ];

    /// The fields a mapping of this kind may hold (besides `x-` extensions).
    pub fn fields(self) -> &'static [FieldDef] {
        match self {
            Context::Top => TOP,
            Context::Site => SITE,
            Context::Service => SERVICE,
            Context::Integration => INTEGRATION,
            Context::Dependency => DEPENDENCY,
            Context::AnyOfMember => ANY_OF_MEMBER,
            Context::Placement => PLACEMENT,
            Context::PlacementEntry => PLACEMENT_ENTRY,
        }
    }

    /// The keys a mapping of this context may have.
    pub fn keys(self) -> Vec<&'static str> {
        self.fields().iter().map(|f| f.key).collect()
    }

    /// Whether `key` is one of them.
    pub fn has(self, key: &str) -> bool {
        self.fields().iter().any(|f| f.key == key)
    }

    /// Whether the mapping is a node body (where `x-spof-ignore` is read).
    pub fn is_node(self) -> bool {
        matches!(
            self,
            Context::Site | Context::Service | Context::Integration
        )
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

    /// The contexts other than this one where `key` is a field.
    pub fn elsewhere(self, key: &str) -> Vec<Context> {
        Self::ALL
            .into_iter()
            .filter(|&c| c != self && c.has(key))
            .collect()
    }
}
