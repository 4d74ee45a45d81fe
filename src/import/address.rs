//! Host names in configuration text: `redis-cart:6379`,
//! `http://cart.shop.svc.cluster.local:7070/api`, `kafka-0:9092,kafka-1:9092`,
//! `--db=postgres://u:p@db:5432/x`.
//!
//! Only the text is read here; which host is a Service, which is outside
//! the cluster and which is not a host at all is the importer's call.

/// A host named in a value, and how surely it is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Host {
    /// Lower case, without scheme, user, port or path.
    pub(crate) name: String,
    /// Written as an address (`host:port` or a URL), not as a bare word
    /// that may be anything (`frontend`, `info`, `io.k8s.SeedProvider`).
    pub(crate) addressed: bool,
}

/// Values longer than this are not configuration a person wrote (a
/// certificate, a script): not searched.
const MAX_VALUE: usize = 4096;

/// The hosts a value names, in order, each once.
pub(crate) fn hosts_in(value: &str) -> Vec<Host> {
    let mut found: Vec<Host> = Vec::new();
    if value.len() > MAX_VALUE {
        return found;
    }
    let tokens = value
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|t| !t.is_empty());
    for token in tokens {
        if let Some(host) = host_of(token) {
            if !found.iter().any(|h| h.name == host.name) {
                found.push(host);
            }
        }
    }
    found
}

fn host_of(token: &str) -> Option<Host> {
    // `--redis=redis:6379` and `REDIS=redis:6379` in args.
    let mut rest = token.trim_matches(|c| matches!(c, '"' | '\'' | '(' | ')' | '[' | ']'));
    if let Some((before, after)) = rest.split_once('=') {
        if !before.contains('/') && !before.contains(':') {
            rest = after;
        }
    }
    let mut addressed = false;
    if let Some((scheme, after)) = rest.split_once("://") {
        if scheme.is_empty()
            || !scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        {
            return None;
        }
        rest = after;
        addressed = true;
        // `user:password@host`: the host is after the last `@` of the authority.
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        if let Some(at) = rest[..authority_end].rfind('@') {
            rest = &rest[at + 1..];
        }
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let host = match authority.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() && port.chars().all(|c| c.is_ascii_digit()) => {
            addressed = true;
            host
        }
        Some(_) => return None,
        None if end < rest.len() && !addressed => return None, // a path, not a host
        None => authority,
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if !is_host_name(&host) {
        return None;
    }
    Some(Host {
        name: host,
        addressed,
    })
}

/// A DNS name: labels of letters, digits and `-`, not starting or ending
/// with `-`, at least one letter somewhere (so not an IP address or a number).
fn is_host_name(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host.chars().any(|c| c.is_ascii_alphabetic())
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && !host
            .rsplit('.')
            .next()
            .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(value: &str) -> Vec<(String, bool)> {
        hosts_in(value)
            .into_iter()
            .map(|h| (h.name, h.addressed))
            .collect()
    }

    #[test]
    fn the_forms_services_are_named_in() {
        let cases: &[(&str, &[(&str, bool)])] = &[
            (
                "productcatalogservice:3550",
                &[("productcatalogservice", true)],
            ),
            ("redis-cart", &[("redis-cart", false)]),
            (
                "http://cart.shop.svc.cluster.local:7070/api?x=1",
                &[("cart.shop.svc.cluster.local", true)],
            ),
            (
                "postgres://user:p%40ss@DB.example.com:5432/app",
                &[("db.example.com", true)],
            ),
            (
                "kafka-0:9092,kafka-1:9092 kafka-0:9092",
                &[("kafka-0", true), ("kafka-1", true)],
            ),
            ("--redis=redis-cart:6379", &[("redis-cart", true)]),
            ("api.stripe.com", &[("api.stripe.com", false)]),
            (
                "io.k8s.cassandra.KubernetesSeedProvider",
                &[("io.k8s.cassandra.kubernetesseedprovider", false)],
            ),
        ];
        for (value, want) in cases {
            let want: Vec<(String, bool)> = want.iter().map(|(h, a)| (h.to_string(), *a)).collect();
            assert_eq!(names(value), want, "{value}");
        }
    }

    #[test]
    fn what_is_not_a_host() {
        for value in [
            "0.0.0.0:8080",
            "10.0.0.1",
            "1",
            "true",
            "/var/run/x.sock",
            "a:b",
            "",
            "-x",
            "http://",
            "50%",
        ] {
            let found: Vec<(String, bool)> = names(value).into_iter().filter(|(_, a)| *a).collect();
            assert!(found.is_empty() || value == "true", "{value}: {found:?}");
        }
        assert!(hosts_in(&"a ".repeat(5000)).is_empty());
    }
}
