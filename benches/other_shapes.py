#!/usr/bin/env python3
"""Architectures of shapes `examples/generate.rs` does not make, for checking that no
command blows up on a shape the benchmarks never saw (README, "What is not met").

    python3 benches/other_shapes.py N SHAPE [SEED] > file.yaml

SHAPE is one of:
  hub      teams of 100 services; each team's services need its gateway, gateways need
           two of the first team's (the platform) and one of two others; 15% of
           dependencies soft and 15% `any_of` with a service anywhere; 2%
           integrations, 30% of them with a fallback; every service up 99.95%:
           every cone holds most of the file
  standby  hub, every service in two data centers, the second a standby that needs
           a failover tool (one of two, picked per service: the Kakao pattern)
  mesh     each service needs 2 to 8 services anywhere in the file (one cycle holds
           nearly all of them), up 99.9%
  chain    each service needs the one before it (and sometimes, softly, the one before
           that): cones grow with the file, up 99.99%
  earlier  issue #18's shape read another way: one to four dependencies on services
           picked uniformly among all earlier ones, 3% back edges to any later one,
           up 99.9%: cones hold most of what comes before
  recent   the same, each dependency on one of the 50 services just before (3% on one
           of the 50 just after): cones reach back through the whole file, as in
           chain, but wide
  popular  the same, each dependency on an earlier service picked by a power law
           (half of them on the first, a sixth on the second, a twelfth on the
           third, ...; 3% back edges to any later one): a few services that nearly
           everything needs, and many that little does
  anyof    the same, redundant everywhere: from the fifth service on, each dependency
           an `any_of` of two or three services picked uniformly among earlier ones
           (3% back edges to one later service): one cycle holds nearly every gate,
           and a failure that takes a lane down goes round it for many sweeps
  tree     a call tree: each service needs its two children (2% also need one service
           anywhere), up 99.9%: cones from the whole file at the root to a few services
           at the leaves
  terse    the fewest bytes a service can take: flow style, one data center each and
           one to four dependencies on earlier services, nothing else (no tier,
           users, availability or integrations; 10 regions of 4 data centers): the
           file whose memory is hardest to keep within 3x of it
Sites: 10 regions of 3 zones of 4 data centers on power and network feeds.
"""
import random, sys
n = int(sys.argv[1]); shape = sys.argv[2]; seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
rnd = random.Random(seed)
if shape == "terse":
    lines = ["version: 1", "sites:"]
    for r in range(10):
        lines.append(f"  r{r}: {{kind: region}}")
        lines += [f"  r{r}d{d}: {{within: r{r}}}" for d in range(4)]
    lines.append("services:")
    for i in range(n):
        site = f"r{rnd.randrange(10)}d{rnd.randrange(4)}"
        needs = sorted({f"s{rnd.randrange(i)}" for _ in range(rnd.randint(1, 4))}) if i else []
        deps = f", depends_on: [{', '.join(needs)}]" if needs else ""
        lines.append(f"  s{i}: {{runs_in: {site}{deps}}}")
    print("\n".join(lines))
    sys.exit(0)
out = []
w = out.append
w("version: 1")
w(f"name: {shape} ({n})")
w("sites:")
dcs = []
R, Z, D = 10, 3, 4
for r in range(R):
    w(f"  reg{r}: {{ kind: region }}")
    for z in range(Z):
        w(f"  reg{r}-z{z}: {{ kind: zone, within: reg{r} }}")
        w(f"  reg{r}-z{z}-pw: {{ kind: power, within: reg{r}-z{z}, availability: 0.9998 }}")
        w(f"  reg{r}-z{z}-net: {{ kind: network, within: reg{r}-z{z}, availability: 0.9998 }}")
        for d in range(D):
            name = f"reg{r}-z{z}-dc{d}"
            dcs.append(name)
            w(f"  {name}: {{ within: reg{r}-z{z}, depends_on: [reg{r}-z{z}-pw, reg{r}-z{z}-net], availability: 0.9995 }}")
tiers = ["critical", "high", "medium", "low"]
avail = {"tree": 0.999, "anyof": 0.999, "recent": 0.999, "popular": 0.999, "earlier": 0.999, "mesh": 0.999, "chain": 0.9999, "hub": 0.9995, "standby": 0.9995}[shape]
tooling = ["ops-0", "ops-1"]
w("services:")
for t in tooling:
    w(f"  {t}: {{ tier: high, runs_in: {dcs[0]}, availability: 0.999 }}")
def placement(i):
    x = rnd.random()
    if shape == "standby":
        a, b = rnd.sample(dcs, 2)
        return f"[{a}, {{ site: {b}, requires: [{rnd.choice(tooling)}] }}]"
    if x < 0.4:
        return rnd.choice(dcs)
    if x < 0.7:
        return "[" + ", ".join(rnd.sample(dcs, rnd.randint(2, 3))) + "]"
    k = rnd.choice([3, 5]); return "{ sites: [" + ", ".join(rnd.sample(dcs, k)) + f"], min: {k // 2 + 1} }}"
team = 100
# `anyof`'s dependency on earlier services: an `any_of` of two or three of them (one,
# when the picks repeat), past the first four services.
def any_of_earlier(i):
    if i <= 3:
        return f"s{rnd.randrange(i)}"
    picked = sorted({rnd.randrange(i) for _ in range(rnd.randint(2, 3))})
    return "{ any_of: [" + ", ".join(f"s{j}" for j in picked) + "] }"
# For the shapes of one to four dependencies, mostly on earlier services: how a back
# edge picks a later service and how a dependency on earlier ones is written.
PICKS = {
    "earlier": (lambda i: rnd.randrange(i + 1, n), lambda i: f"s{rnd.randrange(i)}"),
    "recent": (lambda i: rnd.randrange(i + 1, min(n, i + 51)),
               lambda i: f"s{rnd.randrange(max(0, i - 50), i)}"),
    # P(k) = 1/((k+1)(k+2)): the rank of a Pareto draw.
    "popular": (lambda i: rnd.randrange(i + 1, n),
                lambda i: f"s{min(i - 1, int(rnd.paretovariate(1.0)) - 1)}"),
    "anyof": (lambda i: rnd.randrange(i + 1, n), any_of_earlier),
}
for i in range(n):
    deps = []
    if shape == "mesh":
        for _ in range(rnd.randint(2, 8)):
            deps.append(f"s{rnd.randrange(n)}")
    elif shape in PICKS:
        later, earlier = PICKS[shape]
        for _ in range(rnd.randint(1, 4)):
            if rnd.random() < 0.03 and i + 1 < n:
                deps.append(f"s{later(i)}")
            elif i > 0:
                deps.append(earlier(i))
    elif shape == "tree":
        deps += [f"s{c}" for c in (2 * i + 1, 2 * i + 2) if c < n]
        if rnd.random() < 0.02:
            deps.append(f"s{rnd.randrange(n)}")
    elif shape == "chain":
        if i > 0: deps.append(f"s{i-1}")
        if i > 1 and rnd.random() < 0.3: deps.append(f"{{ on: s{i-2}, mode: soft }}")
    elif shape in ("hub", "standby"):
        gw = (i // team) * team
        if i == gw:
            # gateway: platform services 0..99 are gateways of team 0
            plat = rnd.sample(range(0, team), 4)
            deps += [f"s{p}" for p in plat[:2] if p != i]
            deps.append(f"{{ any_of: [s{plat[2]}, s{plat[3]}] }}")
        else:
            deps.append(f"s{gw}")
            for _ in range(rnd.randint(0, 3)):
                deps.append(f"s{rnd.randrange(gw, min(gw + team, n))}")
    deps = [d for d in deps if d != f"s{i}"]
    ds = []
    for d in deps:
        x = rnd.random()
        if d.startswith("{") or x < 0.7: ds.append(d)
        elif x < 0.85: ds.append(f"{{ on: {d}, mode: soft }}")
        else:
            other = f"s{rnd.randrange(n)}"
            if other != f"s{i}" and other != d:
                ds.append(f"{{ any_of: [{d}, {other}] }}")
            else: ds.append(d)
    w(f"  s{i}:")
    w(f"    tier: {rnd.choice(tiers)}")
    w(f"    users: {rnd.randrange(100000)}")
    w(f"    availability: {avail}")
    w(f"    runs_in: {placement(i)}")
    if ds: w(f"    depends_on: [{', '.join(ds)}]")
w("integrations:")
for j in range(n // 50):
    c, p = rnd.randrange(n), rnd.randrange(n)
    if c == p: continue
    fb = f", fallback: [s{rnd.randrange(n)}]" if rnd.random() < 0.3 else ""
    w(f"  int{j}: {{ consumer: s{c}, provider: s{p}, mode: {rnd.choice(['hard', 'soft'])}{fb} }}")
print("\n".join(out))
