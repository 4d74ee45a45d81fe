"""A generated Kubernetes cluster for the import's time and memory: N
workloads across 20 namespaces, as one multi-document file (what `helm
template` or `kubectl get -o yaml` gives). Each workload has a Service, reads
one to four earlier Services' addresses from env (some from a ConfigMap),
and about 1 in 50 names a host outside the cluster. A mix of shapes: 60%
Deployments with 1 to 3 replicas (half with a hard zone spread), 20%
StatefulSets on zonal disks, 10% pinned to one zone, 10% DaemonSets; one
Ingress per namespace in front of its first workload.

    python3 benches/k8s_cluster.py 5000 > /tmp/cluster.yaml
    /usr/bin/time -f '%e s %M KB' spof import kubernetes /tmp/cluster.yaml > /dev/null
"""
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
random.seed(7)
zones = ["zone-a", "zone-b", "zone-c"]
out = []


def ns(i):
    return f"team-{i % 20}"


for i in range(n):
    name, namespace = f"svc-{i}", ns(i)
    env = []
    for _ in range(random.randint(1, 4) if i else 0):
        j = random.randrange(i)
        host = f"svc-{j}" if ns(j) == namespace else f"svc-{j}.{ns(j)}.svc.cluster.local"
        env.append(f"        - {{name: DEP_{len(env)}_ADDR, value: '{host}:8080'}}")
    if i % 50 == 7:
        env.append(f"        - {{name: PARTNER_URL, value: 'https://api.partner-{i % 13}.example.com/v1'}}")
    env.append(f"        - {{name: LOG_LEVEL, value: info}}")
    shape = i % 10
    kind = "StatefulSet" if shape in (6, 7) else "DaemonSet" if shape == 9 else "Deployment"
    spec = [f"  selector: {{matchLabels: {{app: {name}}}}}"]
    if kind != "DaemonSet":
        spec.append(f"  replicas: {1 + i % 3}")
    pod = []
    if shape in (0, 1, 2):
        pod += ["      topologySpreadConstraints:",
                "      - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule}"]
    if shape == 8:
        pod.append(f"      nodeSelector: {{topology.kubernetes.io/zone: {zones[i % 3]}}}")
    out.append("\n".join([
        "apiVersion: apps/v1", f"kind: {kind}",
        f"metadata: {{name: {name}, namespace: {namespace}}}",
        "spec:", *spec,
        "  template:", f"    metadata: {{labels: {{app: {name}}}}}", "    spec:", *pod,
        "      containers:", f"      - name: main", f"        image: example/{name}:1", "        env:", *env,
        f"        envFrom: [{{configMapRef: {{name: {name}-config}}}}]",
        *(["  volumeClaimTemplates:", "  - metadata: {name: data}",
           "    spec: {accessModes: [ReadWriteOnce]}"] if kind == "StatefulSet" else []),
    ]))
    same = [j for j in range(max(0, i - 200), i) if ns(j) == namespace]
    cache = f"svc-{random.choice(same)}:6379" if same else "localhost:6379"
    out.append(f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}-config, namespace: {namespace}}}\n"
               f"data: {{CACHE_ADDR: '{cache}', MODE: production}}")
    out.append(f"apiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: {namespace}}}\n"
               f"spec: {{selector: {{app: {name}}}, ports: [{{port: 8080}}]}}")
for k in range(20):
    first = next(i for i in range(n) if ns(i) == f"team-{k}") if n > k else 0
    out.append(f"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {{name: web, namespace: team-{k}}}\n"
               f"spec:\n  ingressClassName: nginx\n  defaultBackend: {{service: {{name: svc-{first}}}}}")
sys.stdout.write("\n---\n".join(out) + "\n")
