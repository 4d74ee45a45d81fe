//! The rules `spof check` applies: stable codes, one-line summaries and the
//! longer explanations `spof explain CODE` prints. Below the model, so the
//! loader's `x-spof-ignore` entries name a [`Rule`], not a string.

/// How much a finding matters in CI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Reported; does not fail the build.
    Warning,
    /// Fails the build.
    Error,
}

impl Severity {
    /// `warning` or `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
/// A check rule.
pub enum Rule {
    /// `spof/single-point-of-failure`.
    SinglePointOfFailure,
    /// `spof/standby-needs-primary`.
    StandbyNeedsPrimary,
    /// `spof/integration-without-fallback`.
    IntegrationWithoutFallback,
    /// `spof/shared-fate`.
    SharedFate,
    /// `spof/no-targets`.
    NoTargets,
}

impl Rule {
    /// Every rule.
    pub const ALL: [Rule; 5] = [
        Rule::SinglePointOfFailure,
        Rule::StandbyNeedsPrimary,
        Rule::IntegrationWithoutFallback,
        Rule::SharedFate,
        Rule::NoTargets,
    ];

    /// The code without its `spof/` prefix, as configuration files write it.
    pub fn slug(self) -> &'static str {
        &self.code()["spof/".len()..]
    }

    /// The code shown on findings: `spof/single-point-of-failure`.
    pub fn code(self) -> &'static str {
        match self {
            Rule::SinglePointOfFailure => "spof/single-point-of-failure",
            Rule::StandbyNeedsPrimary => "spof/standby-needs-primary",
            Rule::IntegrationWithoutFallback => "spof/integration-without-fallback",
            Rule::SharedFate => "spof/shared-fate",
            Rule::NoTargets => "spof/no-targets",
        }
    }

    /// The name SARIF readers show (PascalCase, as the format suggests).
    pub fn name(self) -> &'static str {
        match self {
            Rule::SinglePointOfFailure => "SinglePointOfFailure",
            Rule::StandbyNeedsPrimary => "StandbyNeedsPrimary",
            Rule::IntegrationWithoutFallback => "IntegrationWithoutFallback",
            Rule::SharedFate => "SharedFate",
            Rule::NoTargets => "NoTargets",
        }
    }

    /// Only single points of failure fail a build by default (format v1
    /// §9); the other rules explain why and warn.
    pub fn severity(self) -> Severity {
        match self {
            Rule::SinglePointOfFailure => Severity::Error,
            _ => Severity::Warning,
        }
    }

    /// The rule a code names, with or without `spof/`.
    pub fn parse(code: &str) -> Option<Rule> {
        let code = code.strip_prefix("spof/").unwrap_or(code);
        Rule::ALL.into_iter().find(|r| r.slug() == code)
    }

    /// One line: what the rule finds.
    pub fn summary(self) -> &'static str {
        match self {
            Rule::SinglePointOfFailure => {
                "A single site or service whose failure takes down an important service."
            }
            Rule::StandbyNeedsPrimary => {
                "A standby copy needs something that fails together with the site it stands by for."
            }
            Rule::IntegrationWithoutFallback => {
                "An important feature uses another organisation's service with no way round it."
            }
            Rule::SharedFate => {
                "Alternatives that look redundant but all fail with one common part."
            }
            Rule::NoTargets => {
                "Nothing in the architecture is important enough to be a target, so nothing is checked."
            }
        }
    }

    /// Several lines: why it matters and how to fix it.
    pub fn explanation(self) -> &'static str {
        match self {
            Rule::SinglePointOfFailure => {
                "\
A candidate (a site, or a service that is not `logical`) is a single point of
failure when failing it alone takes down at least one target: a service or
integration of tier `high` or `critical` (change the bar with --min-tier).

This is the rule that fails a build: `spof check` exits 1 when it fires.

Fix: give what it takes down a second place to run (`runs_in: [a, b]`), an
alternative (`any_of`), or a fallback (integrations), so that no single
failure is enough."
            }
            Rule::StandbyNeedsPrimary => {
                "\
A placement entry's `requires` lists what a standby needs to take over:
failover tooling, a replication stream, a DNS switch. When that requirement
itself goes down with the primary site, the standby cannot serve exactly when
it is needed. This is what happened at Kakao on 15 October 2022: copies ran in
other data centers, but the tools to switch to them ran only in Pangyo.

Fix: run the required service outside the primary site too."
            }
            Rule::IntegrationWithoutFallback => {
                "\
An integration of tier `high` or `critical` (its own, or its consumer's) uses
a provider run by someone else and lists no `fallback`. When the provider is
down, the feature is down. Homeplus and Market Kurly sign-in with Kakao
accounts, and Zigbang's map, were such integrations in October 2022.

Fix: add `fallback: [ALTERNATIVE]`: your own accounts beside a social login,
a second map provider, a phone line beside a chat channel."
            }
            Rule::SharedFate => {
                "\
An `any_of` group, a multi-site placement or an integration's fallbacks look
redundant, but one part (a region, a power feed, a shared service) takes all
of the alternatives down at once. The redundancy is not real.

Fix: move one alternative out from under the common part (another region,
another power feed), or remove the shared dependency."
            }
            Rule::NoTargets => {
                "\
A single point of failure is something whose failure takes down a target: a
service or integration of tier `high` or `critical` (or at the --min-tier
bar). A file where nothing reaches the bar has no targets, so no check can
fail, and \"no single point of failure\" would be a false all-clear. This
rule says so, as a warning by default.

Fix: give the services that matter a `tier`, or lower the bar with
--min-tier (or `check.min_tier` in .spof.yaml)."
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_with_or_without_prefix() {
        for rule in Rule::ALL {
            assert_eq!(Rule::parse(rule.code()), Some(rule));
            assert_eq!(Rule::parse(rule.slug()), Some(rule));
        }
        assert_eq!(Rule::parse("spof/nothing"), None);
    }
}
