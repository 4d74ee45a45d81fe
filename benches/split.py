#!/usr/bin/env python3
"""Splits a generated architecture into a root and N team files (format v1
section 11): the root keeps the sites and integrations and includes
teams/*.yaml; the services are dealt out in runs of equal size.

    python3 benches/split.py BIG.yaml OUT_DIR 1000
"""
import os
import sys

src, out, parts = sys.argv[1], sys.argv[2], int(sys.argv[3])
sections = {}
section = None
header = []
for line in open(src, encoding="utf-8"):
    if line.startswith("version:") or line.startswith("name:"):
        header.append(line)
    elif line[0:1].isalpha() and line.rstrip().endswith(":"):
        section = line.strip()[:-1]
        sections.setdefault(section, [])
    elif line.startswith("  ") and not line.startswith("   "):
        sections[section].append([line])
    elif section:
        sections[section][-1].append(line)
os.makedirs(os.path.join(out, "teams"), exist_ok=True)
services = sections.get("services", [])
per = -(-len(services) // parts)
for i in range(parts):
    chunk = services[i * per:(i + 1) * per]
    if not chunk:
        break
    with open(os.path.join(out, "teams", f"team-{i:04}.yaml"), "w", encoding="utf-8") as f:
        f.write("version: 1\nservices:\n")
        for entry in chunk:
            f.writelines(entry)
with open(os.path.join(out, "root.yaml"), "w", encoding="utf-8") as f:
    f.writelines(header)
    f.write('include: ["teams/*.yaml"]\n')
    for name in ("sites", "integrations"):
        f.write(f"{name}:\n")
        for entry in sections.get(name, []):
            f.writelines(entry)
