//! Writes a large, realistic architecture file for benchmarks:
//! regions > zones > data centers on two power feeds each, a replicated
//! platform layer (quorum databases, caches, queues), systems of services
//! that depend on each other (with some cycles) and on the platform, standby
//! entries that need per-region tooling, and integrations with fallbacks.
//!
//! `cargo run --release --example generate -- 100000 > /tmp/100k.yaml`
//!
//! A second shape, `layered` (the one issue #18 describes), with knobs:
//! `generate 100000 layered [fan_in_max] [back_edge_percent] [quorum_percent] [platform_percent] [availability_percent]`.
//! Regions > zones > data centers with power feeds; each service placed in
//! one site, a list of two or three, or a quorum; one to `fan_in_max`
//! (default 4) dependencies, mostly on earlier services anywhere in the
//! file, `back_edge_percent` (default 3) on one of the 50 after it (cycles), some soft,
//! some `any_of`; about 2% integrations. `platform_percent` (default 70)
//! of the dependencies go to a shared platform, the first 5% of services:
//! high, one failure cascades far; 0, calls stay among near services.
//! `availability_percent` (default 0) gives every data center and power
//! feed an `availability`, and that share of services one too, so that
//! `spof availability` has parts to fail in cones that cover most of the
//! file; an eighth argument, a number (default 0.9995), is the
//! availability those services and the data centers are given (power
//! feeds keep 0.9999).

use std::fmt::Write as _;
use std::io::Write as _;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

fn main() {
    let services: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.replace('_', "").parse().ok())
        .unwrap_or(10_000);
    let mut rng = Rng(0x5eed_2022_1015);
    let arg = |i: usize, default: usize| {
        std::env::args()
            .nth(i)
            .and_then(|a| a.parse().ok())
            .unwrap_or(default)
    };
    if std::env::args().nth(2).as_deref() == Some("layered") {
        let out = layered(
            services,
            &mut rng,
            arg(3, 4),
            arg(4, 3) as u64,
            arg(5, 20) as u64,
            arg(6, 70) as u64,
            (
                arg(7, 0) as u64,
                // What services and data centers are given: "0.9995"
                // unless a number is the eighth argument.
                &std::env::args()
                    .nth(8)
                    .filter(|a| a.parse::<f64>().is_ok_and(|p| (0.0..=1.0).contains(&p)))
                    .unwrap_or_else(|| "0.9995".to_string()),
            ),
        );
        std::io::stdout().lock().write_all(out.as_bytes()).unwrap();
        return;
    }
    let regions = (services / 20_000).max(2);
    let mut out = String::with_capacity(services * 130);
    writeln!(
        out,
        "version: 1\nname: generated ({services} services)\nsites:"
    )
    .unwrap();
    let mut dcs: Vec<Vec<String>> = Vec::new(); // per region, its data centers
    for r in 0..regions {
        writeln!(out, "  region-{r}:\n    kind: region").unwrap();
        let mut region_dcs = Vec::new();
        for z in 0..3 {
            writeln!(
                out,
                "  r{r}-zone-{z}:\n    kind: zone\n    within: region-{r}"
            )
            .unwrap();
            for f in 0..2 {
                writeln!(out, "  r{r}-z{z}-power-{f}:\n    kind: power\n    within: r{r}-zone-{z}\n    availability: 0.9999").unwrap();
            }
            for d in 0..2 {
                let name = format!("r{r}-z{z}-dc-{d}");
                writeln!(out, "  {name}:\n    within: r{r}-zone-{z}\n    depends_on: [r{r}-z{z}-power-{}]\n    availability: 0.9995", d % 2).unwrap();
                region_dcs.push(name);
            }
        }
        dcs.push(region_dcs);
    }
    writeln!(out, "services:").unwrap();
    // Platform: 5% of services, replicated across a region's zones.
    let platform = (services / 20).max(regions * 3);
    let mut platform_of_region: Vec<Vec<String>> = vec![Vec::new(); regions];
    for p in 0..platform {
        let r = p % regions;
        let name = format!("platform-{p}");
        let d = &dcs[r];
        let kind = rng.below(3);
        if kind == 0 {
            // A quorum database: 2 of 3 zones.
            writeln!(out, "  {name}:\n    tier: high\n    runs_in:\n      sites: [{}, {}, {}]\n      min: 2\n    availability: 0.9999", d[0], d[2], d[4]).unwrap();
        } else {
            writeln!(
                out,
                "  {name}:\n    tier: high\n    runs_in: [{}, {}]\n    availability: 0.9995",
                d[rng.below(2)],
                d[2 + rng.below(4)]
            )
            .unwrap();
        }
        platform_of_region[r].push(name);
    }
    for (r, region_dcs) in dcs.iter().enumerate() {
        writeln!(
            out,
            "  ops-tooling-{r}:\n    tier: medium\n    runs_in: {}",
            region_dcs[0]
        )
        .unwrap();
    }
    // Systems of about 20 services.
    let apps = services.saturating_sub(platform + regions);
    for a in 0..apps {
        let system = a / 20;
        let r = system % regions;
        let d = &dcs[r];
        let tier = match rng.below(100) {
            0..=4 => "critical",
            5..=19 => "high",
            20..=69 => "medium",
            _ => "low",
        };
        write!(
            out,
            "  svc-{a}:\n    tier: {tier}\n    users: {}\n",
            rng.below(100_000)
        )
        .unwrap();
        let (p, s) = (rng.below(2), 2 + rng.below(4));
        if rng.chance(10) {
            writeln!(
                out,
                "    runs_in:\n      - {}\n      - {{ site: {}, requires: [ops-tooling-{r}] }}",
                d[p], d[s]
            )
            .unwrap();
        } else if rng.chance(90) {
            writeln!(out, "    runs_in: [{}, {}]", d[p], d[s]).unwrap();
        } else {
            writeln!(out, "    runs_in: {}", d[p]).unwrap();
        }
        let mut deps = Vec::new();
        let first = system * 20;
        for _ in 0..rng.below(3) {
            if a > first {
                deps.push(format!("svc-{}", first + rng.below(a - first)));
            }
        }
        if rng.chance(5) && a + 1 < (first + 20).min(apps) {
            // A later service of the same system: a cycle, felt softly.
            deps.push(format!(
                "{{ on: svc-{}, mode: soft }}",
                a + 1 + rng.below((first + 20).min(apps) - a - 1)
            ));
        }
        let plats = &platform_of_region[r];
        if !plats.is_empty() {
            if rng.chance(30) {
                deps.push(format!(
                    "{{ any_of: [{}, {}] }}",
                    plats[rng.below(plats.len())],
                    plats[rng.below(plats.len())]
                ));
            } else {
                deps.push(plats[rng.below(plats.len())].clone());
            }
        }
        if !deps.is_empty() {
            writeln!(out, "    depends_on: [{}]", deps.join(", ")).unwrap();
        }
    }
    writeln!(out, "integrations:").unwrap();
    for i in 0..apps / 100 {
        let consumer = rng.below(apps);
        let provider = rng.below(apps);
        write!(out, "  integration-{i}:\n    consumer: svc-{consumer}\n    provider: svc-{provider}\n    mode: {}\n", if rng.chance(50) { "soft" } else { "hard" }).unwrap();
        if rng.chance(40) {
            writeln!(out, "    fallback: [svc-{}]", rng.below(apps)).unwrap();
        }
    }
    std::io::stdout().lock().write_all(out.as_bytes()).unwrap();
}

/// The `layered` shape: see the module's doc.
fn layered(
    services: usize,
    rng: &mut Rng,
    fan_in: usize,
    back: u64,
    quorum: u64,
    platform_share: u64,
    // The share of services given an availability, and what it is.
    (availability, up): (u64, &str),
) -> String {
    let mut out = String::with_capacity(services * 140);
    writeln!(
        out,
        "version: 1\nname: layered ({services} services)\nsites:"
    )
    .unwrap();
    let regions = (services / 25_000).max(2);
    let mut dcs = Vec::new();
    for r in 0..regions {
        writeln!(out, "  region-{r}: {{ kind: region }}").unwrap();
        for z in 0..3 {
            writeln!(out, "  r{r}-zone-{z}: {{ kind: zone, within: region-{r} }}").unwrap();
            for f in 0..2 {
                writeln!(
                    out,
                    "  r{r}-z{z}-feed-{f}: {{ kind: power, within: r{r}-zone-{z}{} }}",
                    if availability > 0 {
                        ", availability: 0.9999"
                    } else {
                        ""
                    }
                )
                .unwrap();
            }
            for d in 0..3 {
                let name = format!("r{r}-z{z}-dc-{d}");
                writeln!(
                    out,
                    "  {name}: {{ within: r{r}-zone-{z}, depends_on: [r{r}-z{z}-feed-{}]{} }}",
                    d % 2,
                    if availability > 0 {
                        format!(", availability: {up}")
                    } else {
                        String::new()
                    }
                )
                .unwrap();
                dcs.push(name);
            }
        }
    }
    writeln!(out, "services:").unwrap();
    let tiers = ["critical", "high", "medium", "medium", "low"];
    for i in 0..services {
        write!(
            out,
            "  s{i}:\n    tier: {}\n    users: {}\n",
            tiers[rng.below(5)],
            rng.below(50_000)
        )
        .unwrap();
        // Drawn only when asked for, so that files without it stay the same.
        if availability > 0 && rng.chance(availability) {
            writeln!(out, "    availability: {up}").unwrap();
        }
        let site = |rng: &mut Rng| dcs[rng.below(dcs.len())].clone();
        match rng.below(100) as u64 {
            p if p < quorum => writeln!(
                out,
                "    runs_in: {{ sites: [{}, {}, {}], min: 2 }}",
                site(rng),
                site(rng),
                site(rng)
            )
            .unwrap(),
            p if p < quorum + 40 => writeln!(out, "    runs_in: {}", site(rng)).unwrap(),
            p if p < quorum + 70 => {
                writeln!(out, "    runs_in: [{}, {}]", site(rng), site(rng)).unwrap()
            }
            _ => writeln!(
                out,
                "    runs_in: [{}, {}, {}]",
                site(rng),
                site(rng),
                site(rng)
            )
            .unwrap(),
        }
        let mut deps = Vec::new();
        for _ in 0..(1 + rng.below(fan_in.max(1))) {
            let platform = (services / 20).max(1);
            let on = if rng.chance(back) && i + 1 < services {
                // A back edge to a near later service: a cycle in a layer.
                i + 1 + rng.below((services - i - 1).min(50))
            } else if i > platform && rng.chance(platform_share) {
                // Most calls go to the shared platform (the first 5%).
                rng.below(platform)
            } else if i > 0 && rng.chance(85) {
                // Then to a near one: services call their own layer's.
                i - 1 - rng.below(i.min(300))
            } else if i > 0 {
                rng.below(i)
            } else {
                continue;
            };
            deps.push(match rng.below(10) {
                0 => format!("{{ on: s{on}, mode: soft }}"),
                1 if i > 1 => format!("{{ any_of: [s{on}, s{}] }}", rng.below(i)),
                _ => format!("s{on}"),
            });
        }
        deps.sort();
        deps.dedup();
        deps.retain(|d| d != &format!("s{i}"));
        if !deps.is_empty() {
            writeln!(out, "    depends_on: [{}]", deps.join(", ")).unwrap();
        }
    }
    writeln!(out, "integrations:").unwrap();
    for k in 0..services / 50 {
        let (c, p) = (rng.below(services), rng.below(services));
        if c == p {
            continue;
        }
        writeln!(
            out,
            "  int-{k}: {{ consumer: s{c}, provider: s{p}, mode: {} }}",
            if rng.chance(50) { "soft" } else { "hard" }
        )
        .unwrap();
    }
    out
}
