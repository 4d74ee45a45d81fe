//! From Backstage entities to a format-v1 architecture.
//!
//! Backstage knows what depends on what; it does not know where things run
//! or how much they matter. So the mapping keeps every entity and writes a
//! `TODO(spof)` comment wherever spof needs what the catalog lacks:
//!
//! | Backstage | spof |
//! |---|---|
//! | Component, Resource | service (`dependsOn`, `dependencyOf`, `subcomponentOf` become `depends_on`) |
//! | API | logical service that needs one of its providers; consumers (`consumesApis`) depend on it; an API nobody provides is an external service |
//! | System | logical service that needs its components (soft for experimental or deprecated ones) |
//! | a reference to an entity not in the catalog | external service, marked as such |
//! | `lifecycle: production` / `experimental`, `deprecated` | `tier: high` / `tier: low`, marked as a guess |
//! | annotations `spof/tier`, `spof/runs-in`, `spof/users`, `spof/availability` | the field itself, no guess |
//!
//! Domains, groups, users and templates are counted, not imported: teams
//! own things (`owner`) but do not fail like them.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::catalog::{Entity, EntityRef};
use super::kubernetes::Placements;
use super::yaml_out::{comment_safe, flow_list, key, scalar};
use super::Imported;
use crate::model::Tier;

/// The kinds that become nodes.
const NODE_KINDS: [&str; 4] = ["component", "resource", "api", "system"];

#[derive(Default)]
struct Planned<'e> {
    entity: Option<&'e Entity>,
    /// For a node made up for a reference to an entity not in the catalog.
    referenced_by: BTreeSet<String>,
    logical: bool,
    external: bool,
    tier: Option<&'static str>,
    tier_note: Option<String>,
    users: Option<u64>,
    availability: Option<f64>,
    runs_in: Vec<String>,
    /// How many of `runs_in` must be up (0 or 1: any one), from a joined workload.
    min: usize,
    /// Hard (`false`) or soft (`true`) dependency on each id.
    depends_on: BTreeMap<String, bool>,
    /// Alternatives for a dependency (`spof/fallback`): it is met while one is up.
    fallbacks: BTreeMap<String, BTreeSet<String>>,
    /// An API's providers: it is up while one of them is up.
    any_of: BTreeSet<String>,
    /// A system's resources and APIs, which it needs only when it has no components.
    other_members: Vec<String>,
    notes: Vec<String>,
}

struct Plan<'e> {
    nodes: BTreeMap<String, Planned<'e>>,
    /// Ids by reference, folded to lower case: Backstage matches references
    /// case-insensitively (`resource:dynatrace` names `Dynatrace`).
    ids: HashMap<EntityRef, String>,
    /// Kinds of entity by folded (namespace, name), for references written
    /// without a kind.
    by_name: HashMap<(String, String), Vec<EntityRef>>,
    sites: BTreeSet<String>,
    /// The cluster joined through `backstage.io/kubernetes-id`.
    cluster: Option<&'e Placements>,
}

/// Maps the entities of every catalog file read (in the order read) to
/// an architecture. `files` is how many catalog files they came from.
///
/// With `cluster`, a component annotated `backstage.io/kubernetes-id: X`
/// takes the placement of the workload labelled with X: one node with the
/// catalog's edges and the cluster's placement.
pub fn import(entities: &[Entity], files: usize, cluster: Option<&Placements>) -> Imported {
    let mut skipped: BTreeMap<&str, usize> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    let mut kept = Vec::new();
    for e in entities {
        if !NODE_KINDS.contains(&e.reference.kind.as_str()) {
            *skipped.entry(e.reference.kind.as_str()).or_default() += 1;
        } else if seen.insert(e.reference.folded()) {
            kept.push(e);
        }
    }
    let mut plan = Plan::new(&kept);
    plan.cluster = cluster;
    plan.join_cluster();
    for &e in &kept {
        plan.relations(e);
    }
    plan.finish();
    let text = plan.write(files, kept.len(), &skipped);
    let todos = plan
        .nodes
        .values()
        .filter(|n| {
            n.notes.iter().any(|t| t.starts_with("TODO"))
                || n.tier_note.as_ref().is_some_and(|t| t.starts_with("TODO"))
        })
        .count();
    Imported {
        text,
        nodes: plan.nodes.len(),
        todos,
    }
}

fn base_id(r: &EntityRef) -> String {
    if r.namespace == "default" {
        r.name.clone()
    } else {
        format!("{}/{}", r.namespace, r.name)
    }
}

impl<'e> Plan<'e> {
    fn new(kept: &[&'e Entity]) -> Self {
        let mut uses: HashMap<String, usize> = HashMap::new();
        for e in kept {
            *uses.entry(base_id(&e.reference.folded())).or_default() += 1;
        }
        let mut plan = Plan {
            nodes: BTreeMap::new(),
            ids: HashMap::new(),
            by_name: HashMap::new(),
            sites: BTreeSet::new(),
            cluster: None,
        };
        for &e in kept {
            let r = &e.reference;
            let base = base_id(r);
            // Names are unique per kind in Backstage, not across kinds.
            let id = if uses[&base_id(&r.folded())] > 1 {
                format!("{}:{base}", r.kind)
            } else {
                base
            };
            let folded = r.folded();
            plan.ids.insert(folded.clone(), id.clone());
            plan.by_name
                .entry((folded.namespace.clone(), folded.name.clone()))
                .or_default()
                .push(folded);
            plan.nodes.insert(id, plan_entity(e));
        }
        plan
    }

    /// The id a reference names, making an external node for an entity not
    /// in the catalog. `None` for people and teams.
    fn resolve(&mut self, text: &str, default_kind: Option<&str>, from: &str) -> Option<String> {
        let written = EntityRef::parse(text, default_kind)?;
        let mut r = written.folded();
        if r.kind.is_empty() {
            let found = self.by_name.get(&(r.namespace.clone(), r.name.clone()));
            r.kind = match found.map(Vec::as_slice) {
                Some([only]) => only.kind.clone(),
                Some(many) if many.iter().any(|m| m.kind == "component") => "component".into(),
                Some([first, ..]) => first.kind.clone(),
                _ => "component".into(),
            };
        }
        if !NODE_KINDS.contains(&r.kind.as_str()) {
            return None;
        }
        if let Some(id) = self.ids.get(&r) {
            return Some(id.clone());
        }
        // Not in the catalog: named as the reference writes it.
        let mut id = base_id(&written);
        if self.nodes.contains_key(&id) {
            id = format!("{}:{id}", r.kind);
        }
        self.ids.insert(r.clone(), id.clone());
        let node = self.nodes.entry(id.clone()).or_insert_with(|| Planned {
            external: true,
            notes: vec![format!(
                "TODO(spof): `{}` is not in the catalog; modelled as an external service that can fail",
                EntityRef { kind: r.kind.clone(), ..written }.canonical()
            )],
            ..Planned::default()
        });
        node.referenced_by.insert(from.to_string());
        Some(id)
    }

    /// Components joined to a workload by `backstage.io/kubernetes-id`
    /// take its placement, and its replicas decide whether they are logical.
    fn join_cluster(&mut self) {
        let Some(cluster) = self.cluster else {
            return;
        };
        for node in self.nodes.values_mut() {
            let Some(e) = node.entity else { continue };
            let Some(id) = e.annotations.get("backstage.io/kubernetes-id") else {
                continue;
            };
            let Some(joined) = cluster.by_backstage_id.get(id.trim()) else {
                node.notes.push(format!(
                    "TODO(spof): backstage.io/kubernetes-id {id} names no workload in the manifests"
                ));
                continue;
            };
            node.runs_in = joined.sites.clone();
            node.min = joined.min;
            if e.reference.kind == "component" {
                node.logical = joined.logical;
            }
            node.notes.push(format!(
                "placement from the Kubernetes workload {}",
                joined.workload
            ));
            node.notes.extend(joined.notes.iter().cloned());
        }
    }

    fn relations(&mut self, e: &'e Entity) {
        let me = self.ids[&e.reference.folded()].clone();
        let kind = e.reference.kind.as_str();
        for text in e.spec_list("dependsOn") {
            if let Some(on) = self.resolve(text, None, &me) {
                self.depend(&me, &on, false);
            }
        }
        for text in e.spec_list("dependencyOf") {
            if let Some(user) = self.resolve(text, None, &me) {
                self.depend(&user, &me, false);
            }
        }
        for text in e.spec_list("consumesApis") {
            if let Some(api) = self.resolve(text, Some("api"), &me) {
                self.depend(&me, &api, false);
            }
        }
        for text in e.spec_list("providesApis") {
            if let Some(api) = self.resolve(text, Some("api"), &me).filter(|a| *a != me) {
                if let Some(node) = self.nodes.get_mut(&api) {
                    node.any_of.insert(me.clone());
                }
            }
        }
        if let Some(parent) = e.spec_str("subcomponentOf") {
            if let Some(parent) = self.resolve(parent, Some("component"), &me) {
                self.depend(&parent, &me, false);
            }
        }
        if kind != "system" {
            if let Some(system) = e.spec_str("system") {
                if let Some(system) = self.resolve(system, Some("system"), &me) {
                    self.join_system(&system, &me, e);
                }
            }
        }
        self.edge_annotations(e, &me);
    }

    /// `spof/soft: "ref, ref"` makes those dependencies soft;
    /// `spof/fallback: "ref=alt, alt; ref=alt"` gives them alternatives.
    fn edge_annotations(&mut self, e: &'e Entity, me: &str) {
        let refs = |text: &str| -> Vec<String> {
            text.split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect()
        };
        if let Some(soft) = e.annotations.get("spof/soft") {
            for text in refs(soft) {
                if let Some(on) = self.resolve(&text, None, me) {
                    if let Some(entry) = self
                        .nodes
                        .get_mut(me)
                        .and_then(|n| n.depends_on.get_mut(&on))
                    {
                        *entry = true;
                    }
                }
            }
        }
        let Some(fallback) = e.annotations.get("spof/fallback") else {
            return;
        };
        for entry in fallback.split(';') {
            let Some((dep, alternatives)) = entry.split_once('=') else {
                continue;
            };
            let Some(dep) = self.resolve(dep.trim(), None, me) else {
                continue;
            };
            let alternatives: Vec<String> = refs(alternatives)
                .iter()
                .filter_map(|a| self.resolve(a, None, me))
                .filter(|a| a != me)
                .collect();
            if let Some(node) = self.nodes.get_mut(me) {
                if node.depends_on.contains_key(&dep) {
                    node.fallbacks.entry(dep).or_default().extend(alternatives);
                }
            }
        }
    }

    fn depend(&mut self, from: &str, on: &str, soft: bool) {
        if from == on {
            return;
        }
        if let Some(node) = self.nodes.get_mut(from) {
            let entry = node.depends_on.entry(on.to_string()).or_insert(soft);
            *entry &= soft;
        }
    }

    /// A system annotated `spof/needs-components: "true"` needs its
    /// components; one that is not (yet, or any more) in production only
    /// degrades it. A catalog does not say what a system needs, so without
    /// the annotation membership is no edge.
    fn join_system(&mut self, system: &str, member: &str, e: &Entity) {
        let Some(node) = self.nodes.get_mut(system) else {
            return;
        };
        if !needs_components(node) {
            return;
        }
        let soft = matches!(e.spec_str("lifecycle"), Some("experimental" | "deprecated"));
        match e.reference.kind.as_str() {
            "component" => {
                node.depends_on.insert(member.to_string(), soft);
            }
            // Resources and APIs count only for a system with no components.
            _ => node.other_members.push(member.to_string()),
        }
    }

    fn finish(&mut self) {
        let ids: Vec<String> = self.nodes.keys().cloned().collect();
        for id in &ids {
            let Some(node) = self.nodes.get_mut(id) else {
                continue;
            };
            let kind = node.entity.map(|e| e.reference.kind.as_str());
            if kind == Some("system") && !needs_components(node) {
                node.notes.push(
                    "a catalog does not say which of its parts a system needs: spof/needs-components: \"true\" makes it need them all"
                        .into(),
                );
            } else if kind == Some("system") && node.depends_on.is_empty() {
                let members = std::mem::take(&mut node.other_members);
                node.depends_on
                    .extend(members.into_iter().map(|m| (m, false)));
            }
            if kind == Some("api") && node.any_of.is_empty() {
                node.logical = false;
                node.external = true;
                node.notes.push(
                    "no component in the catalog provides this API: modelled as an external service"
                        .into(),
                );
            }
            if kind == Some("system") && node.depends_on.is_empty() && needs_components(node) {
                node.notes
                    .push("TODO(spof): nothing in the catalog belongs to this system".into());
            }
        }
        // A system is as important as its most important member.
        for id in &ids {
            let node = &self.nodes[id];
            if node.entity.map(|e| e.reference.kind.as_str()) != Some("system")
                || node.tier_note.is_none()
            {
                continue;
            }
            let best = node
                .depends_on
                .keys()
                .filter_map(|m| self.nodes.get(m).and_then(|n| n.tier))
                .filter_map(Tier::parse)
                .max();
            if let (Some(best), Some(node)) = (best, self.nodes.get_mut(id)) {
                node.tier = Some(best.as_str());
                node.tier_note = Some("guessed: the tier of its most important component".into());
            }
        }
        // Sites share the id namespace: one named like a node is `site:NAME`.
        let taken: BTreeSet<String> = self.nodes.keys().cloned().collect();
        for node in self.nodes.values_mut() {
            for site in &mut node.runs_in {
                if taken.contains(site.as_str()) {
                    *site = format!("site:{site}");
                }
            }
            self.sites.extend(node.runs_in.iter().cloned());
        }
        // Zones are within the cluster: declare it when one is used.
        if let Some(c) = self.cluster {
            if c.zones
                .iter()
                .any(|z| self.sites.contains(&self.site_id(z)))
            {
                self.sites.insert(self.site_id(&c.cluster));
            }
        }
        for node in self.nodes.values_mut() {
            let placed = !node.runs_in.is_empty();
            if !node.logical && !node.external && !placed {
                node.notes.push(
                    "TODO(spof): runs_in: SITE   # where it runs; without it spof cannot see a site failure"
                        .into(),
                );
            }
        }
    }

    /// A site's id: its name, or `site:NAME` when a node has the name.
    fn site_id(&self, name: &str) -> String {
        if self.nodes.contains_key(name) {
            format!("site:{name}")
        } else {
            name.to_string()
        }
    }

    fn write(&self, files: usize, entities: usize, skipped: &BTreeMap<&str, usize>) -> String {
        let mut out = String::new();
        out.push_str(&format!(
            "# Imported by `spof import backstage` from {files} catalog file{}: {entities} entit{} became nodes.\n",
            if files == 1 { "" } else { "s" },
            if entities == 1 { "y" } else { "ies" },
        ));
        out.push_str(
            "# Backstage knows what depends on what, not where things run or how much they\n\
             # matter: lines marked TODO(spof) are gaps to fill in, and tiers marked\n\
             # \"guessed\" come from `lifecycle`. Until services have `runs_in`, the audit\n\
             # cannot see a data center or a region burn down.\n",
        );
        if !skipped.is_empty() {
            let list: Vec<String> = skipped
                .iter()
                .map(|(k, n)| format!("{n} {}", comment_safe(k)))
                .collect();
            out.push_str(&format!(
                "# Not imported: {} (owners and groupings, not things that fail).\n",
                list.join(", ")
            ));
        }
        out.push_str("version: 1\nname: Backstage catalog\n");
        out.push_str("sites:\n");
        if self.sites.is_empty() {
            out.push_str(
                "  # TODO(spof): your regions, data centers and power feeds, e.g.\n  # seoul-dc-1: { kind: datacenter, within: seoul-region }\n",
            );
        }
        let cluster_id = self.cluster.map(|c| self.site_id(&c.cluster));
        for site in &self.sites {
            let name = site.strip_prefix("site:").unwrap_or(site);
            let joined = self
                .cluster
                .filter(|c| c.cluster == name || c.zones.iter().any(|z| z == name));
            match (joined, &cluster_id) {
                (Some(c), Some(cluster)) if c.cluster != name => out.push_str(&format!(
                    "{} {{ kind: zone, within: {} }}\n",
                    key("  ", site),
                    scalar(cluster)
                )),
                (Some(_), _) => out.push_str(&format!(
                    "{}\n    kind: other\n    name: \"the Kubernetes cluster: control plane, DNS and network\"\n",
                    key("  ", site)
                )),
                (None, _) => out.push_str(&format!(
                    "{}   # TODO(spof): named in a `spof/runs-in` annotation; say its kind and what contains it\n",
                    key("  ", site)
                )),
            }
        }
        out.push_str("services:\n");
        for (id, node) in &self.nodes {
            write_node(&mut out, id, node);
        }
        out
    }
}

/// Whether a system's entity asks it to need its members.
fn needs_components(node: &Planned<'_>) -> bool {
    node.entity
        .and_then(|e| e.annotations.get("spof/needs-components"))
        .is_some_and(|v| v.trim() == "true")
}

fn plan_entity(e: &Entity) -> Planned<'_> {
    let kind = e.reference.kind.as_str();
    let note = |key: &str| e.annotations.get(&format!("spof/{key}"));
    // A library runs inside whatever uses it: it never fails on its own.
    let library = kind == "component" && e.spec_str("type") == Some("library");
    let mut node = Planned {
        entity: Some(e),
        logical: matches!(kind, "api" | "system") || library,
        ..Planned::default()
    };
    if library {
        node.notes
            .push("a library runs inside what uses it: logical, and no tier of its own".into());
    }
    match note("tier").and_then(|t| Tier::parse(t.trim())) {
        Some(tier) => node.tier = Some(tier.as_str()),
        None if library => {}
        None => match (kind, e.spec_str("lifecycle")) {
            (_, Some("production")) => {
                node.tier = Some("high");
                node.tier_note = Some("guessed from lifecycle `production`".into());
            }
            (_, Some(life @ ("experimental" | "deprecated"))) => {
                node.tier = Some("low");
                node.tier_note = Some(format!("guessed from lifecycle `{life}`"));
            }
            ("resource", _) => {}
            (_, _) => {
                node.tier_note = Some(
                    "TODO(spof): tier? medium by default; high or critical makes it a target"
                        .into(),
                )
            }
        },
    }
    node.users = note("users").and_then(|u| u.trim().parse().ok());
    node.availability = note("availability")
        .and_then(|a| a.trim().parse::<f64>().ok())
        .filter(|a| *a > 0.0 && *a <= 1.0);
    if let Some(sites) = note("runs-in") {
        node.runs_in = sites
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty() && !s.chars().any(char::is_control))
            .map(str::to_string)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
    }
    node
}

fn write_node(out: &mut String, id: &str, node: &Planned<'_>) {
    out.push_str(&format!("{}\n", key("  ", id)));
    let mut line = |key: &str, value: String| out.push_str(&format!("    {key}: {value}\n"));
    if let Some(e) = node.entity {
        if let Some(title) = &e.title {
            line("name", scalar(title));
        }
        if let Some(description) = &e.description {
            line("description", scalar(description.trim()));
        }
        if let Some(owner) = e
            .spec_str("owner")
            .and_then(|o| EntityRef::parse(o, Some("group")))
        {
            line("owner", scalar(&owner.name));
        }
        if !e.tags.is_empty() {
            line("tags", flow_list(e.tags.iter().map(String::as_str)));
        }
    }
    match (node.tier, &node.tier_note) {
        (Some(tier), Some(why)) => line("tier", format!("{tier}   # {}", comment_safe(why))),
        (Some(tier), None) => line("tier", tier.to_string()),
        (None, Some(why)) => out.push_str(&format!("    # {}\n", comment_safe(why))),
        (None, None) => {}
    }
    let mut line = |key: &str, value: String| out.push_str(&format!("    {key}: {value}\n"));
    if let Some(users) = node.users {
        line("users", users.to_string());
    }
    if let Some(a) = node.availability {
        line("availability", a.to_string());
    }
    if node.logical {
        line("logical", "true".into());
    }
    if node.external {
        line("external", "true".into());
    }
    match node.runs_in.as_slice() {
        [] => {}
        [one] => line("runs_in", scalar(one)),
        many if node.min > 1 => line(
            "runs_in",
            format!(
                "{{ sites: {}, min: {} }}",
                flow_list(many.iter().map(String::as_str)),
                node.min
            ),
        ),
        many => line("runs_in", flow_list(many.iter().map(String::as_str))),
    }
    let mut deps: Vec<String> = Vec::new();
    if !node.any_of.is_empty() {
        let providers = flow_list(node.any_of.iter().map(String::as_str));
        deps.push(if node.any_of.len() == 1 {
            scalar(node.any_of.iter().next().map_or("", String::as_str))
        } else {
            format!("{{ any_of: {providers} }}")
        });
    }
    for (on, &soft) in &node.depends_on {
        let mode = if soft { ", mode: soft" } else { "" };
        deps.push(match node.fallbacks.get(on) {
            Some(alternatives) => {
                let mut group: BTreeSet<&str> = alternatives.iter().map(String::as_str).collect();
                group.insert(on);
                format!("{{ any_of: {}{mode} }}", flow_list(group))
            }
            None if soft => format!("{{ on: {}{mode} }}", scalar(on)),
            None => scalar(on),
        });
    }
    if !deps.is_empty() {
        out.push_str("    depends_on:\n");
        for d in deps {
            out.push_str(&format!("      - {d}\n"));
        }
    }
    if !node.referenced_by.is_empty() && node.entity.is_none() {
        let by: Vec<&str> = node.referenced_by.iter().map(String::as_str).collect();
        out.push_str(&format!(
            "    # referenced by {}\n",
            comment_safe(&by.join(", "))
        ));
    }
    for note in &node.notes {
        out.push_str(&format!("    # {}\n", comment_safe(note)));
    }
    if let Some(e) = node.entity {
        let mut fields = vec![format!("ref: {}", scalar(&e.reference.canonical()))];
        for key in ["type", "lifecycle"] {
            if let Some(v) = e.spec_str(key) {
                fields.push(format!("{key}: {}", scalar(v)));
            }
        }
        out.push_str(&format!("    x-backstage: {{ {} }}\n", fields.join(", ")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::catalog::read;

    fn import_text(text: &str) -> String {
        let (file, _) = read("c.yaml", text).expect("yaml");
        let imported = import(&file.entities, 1, None);
        if let Err(e) = crate::load::load_str("out.yaml", imported.text.as_str()) {
            panic!("{:?}\n{}", e.problems, imported.text);
        }
        imported.text
    }

    #[test]
    fn the_same_name_in_two_kinds_gets_two_ids() {
        let text = import_text(
            "kind: Component\nmetadata: {name: store}\nspec: {dependsOn: [resource:store]}\n---\nkind: Resource\nmetadata: {name: store}\n",
        );
        assert!(text.contains("  \"component:store\":\n"), "{text}");
        assert!(text.contains("      - \"resource:store\"\n"), "{text}");
    }

    #[test]
    fn odd_names_and_texts_stay_valid() {
        let text = import_text(
            "kind: Component\nmetadata:\n  name: 'true'\n  title: \"a: b # c\"\n  description: \"line\\nbreak\"\n  annotations: {spof/runs-in: \"dc #1, 123\", spof/tier: bogus}\nspec:\n  owner: 'user:default/kim'\n  dependsOn: ['component:ns/x y']\n",
        );
        assert!(text.contains("  \"true\":\n"), "{text}");
        assert!(text.contains("runs_in: [\"123\", \"dc #1\"]"), "{text}");
        assert!(text.contains("owner: kim"), "{text}");
    }

    #[test]
    fn a_system_without_components_needs_its_resources() {
        let text = import_text(
            "kind: System\nmetadata: {name: pay, annotations: {spof/needs-components: 'true'}}\n---\nkind: Resource\nmetadata: {name: ledger}\nspec: {system: pay}\n",
        );
        assert!(text.contains("  pay:\n    # TODO(spof): tier?"), "{text}");
        assert!(text.contains("    depends_on:\n      - ledger\n"), "{text}");
    }

    proptest::proptest! {
        /// Whatever the names and references, the file written loads.
        #[test]
        fn any_catalog_imports_to_a_valid_file(
            entities in proptest::collection::vec(
                (0usize..6, "[a-z:/ #'\"가-힣0-9.\\t-]{1,8}", "[a-z]{0,3}",
                 proptest::collection::vec("[a-z:/ #'\"0-9.-]{1,8}", 0..4), 0usize..4),
                1..12,
            )
        ) {
            let kinds = ["Component", "Resource", "API", "System", "Group", "Location"];
            let fields = ["dependsOn", "providesApis", "consumesApis", "dependencyOf"];
            let mut docs = Vec::new();
            for (kind, name, namespace, refs, field) in &entities {
                let doc = serde_json::json!({
                    "kind": kinds[*kind],
                    "metadata": {
                        "name": name,
                        "namespace": if namespace.is_empty() { "default" } else { namespace },
                        "annotations": { "spof/runs-in": refs.join(","), "spof/soft": refs.join(","), "spof/fallback": refs.join("="), "spof/needs-components": "true" },
                    },
                    "spec": { fields[*field]: refs, "lifecycle": "production", "system": refs.first(), "subcomponentOf": refs.last() },
                });
                docs.push(doc.to_string());
            }
            let (file, _) = read("c.yaml", &docs.join("\n---\n")).expect("json is yaml");
            let imported = import(&file.entities, 1, None);
            let loaded = crate::load::load_str("out.yaml", imported.text.as_str());
            proptest::prop_assert!(loaded.is_ok(), "{:?}\n{}", loaded.err().map(|e| e.problems), imported.text);
        }
    }

    #[test]
    fn a_system_needs_nothing_unless_annotated() {
        let text = import_text(
            "kind: System\nmetadata: {name: pay}\n---\nkind: Component\nmetadata: {name: web}\nspec: {system: pay, lifecycle: production}\n",
        );
        let pay = &text[text.find("  pay:").unwrap()..];
        assert!(!pay.contains("depends_on"), "{text}");
        assert!(pay.contains("spof/needs-components"), "{text}");
    }

    #[test]
    fn soft_and_fallback_annotations_shape_edges() {
        let text = import_text(
            "kind: Component\nmetadata:\n  name: web\n  annotations: {spof/soft: 'resource:recs', spof/fallback: 'kakao-login=naver-login'}\nspec: {dependsOn: ['resource:recs', 'component:kakao-login']}\n---\nkind: Component\nmetadata: {name: naver-login}\n---\nkind: Component\nmetadata: {name: kakao-login}\n---\nkind: Resource\nmetadata: {name: recs}\n",
        );
        assert!(
            text.contains("      - { on: recs, mode: soft }\n"),
            "{text}"
        );
        assert!(
            text.contains("      - { any_of: [kakao-login, naver-login] }\n"),
            "{text}"
        );
    }

    #[test]
    fn an_api_with_two_providers_needs_one_of_them() {
        let text = import_text(
            "kind: API\nmetadata: {name: pay}\n---\nkind: Component\nmetadata: {name: a}\nspec: {providesApis: [pay]}\n---\nkind: Component\nmetadata: {name: b}\nspec: {providesApis: [pay]}\n",
        );
        assert!(text.contains("      - { any_of: [a, b] }\n"), "{text}");
    }
}
