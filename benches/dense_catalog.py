"""A dense Backstage catalog for the audit's memory check: N components,
each depending on three random components and one of N/10 databases,
spread over five data centers. Almost every failure takes down almost
everything, so the audit's output is as large as format v1 allows.

    python3 benches/dense_catalog.py 20000 > /tmp/bigcat.yaml
    spof import backstage /tmp/bigcat.yaml -o /tmp/bigarch.yaml
    spof audit /tmp/bigarch.yaml --format json > /dev/null   # watch VmHWM
"""
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
random.seed(1)
docs = []
for i in range(n):
    deps = [f"component:c{random.randrange(n)}" for _ in range(3)]
    deps.append(f"resource:db{random.randrange(max(1, n // 10))}")
    lifecycle = "production" if i % 3 else "experimental"
    docs.append(
        f"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: c{i}\n"
        f"  annotations: {{spof/runs-in: dc{i % 5}}}\nspec:\n  type: service\n"
        f"  lifecycle: {lifecycle}\n  owner: team-{i % 50}\n  system: sys{i % 100}\n"
        f"  dependsOn: [{', '.join(deps)}]\n"
    )
for j in range(max(1, n // 10)):
    docs.append(f"kind: Resource\nmetadata: {{name: db{j}}}\nspec: {{type: database, owner: team-x}}\n")
for k in range(100):
    docs.append(f"kind: System\nmetadata: {{name: sys{k}}}\nspec: {{owner: team-x}}\n")
sys.stdout.write("---\n".join(docs))
