#!/usr/bin/env python3
"""tools/split_halves.py FILE.tsv...: splits a new blind batch into FILE.odd.tsv and
FILE.even.tsv (dialogs by conversation, questions by data line; the column header is copied to
both, other comment lines dropped) and removes FILE. Tune on the odd half; add the even half to
tests/held_back.txt and score it before reading its misses."""
import os, sys
for path in sys.argv[1:]:
    lines = open(path, encoding="utf-8").read().split("\n")
    head = [l for l in lines[:1] if l.startswith("# ")]
    odd, even = list(head), list(head)
    dialog = any(l.startswith("## ") for l in lines)
    k = 0; cur = None
    for l in lines[len(head):]:
        if not l.strip(): continue
        if dialog:
            if l.startswith("## "):
                k += 1; cur = odd if k % 2 else even
            if l.startswith("#") and not l.startswith("## "): continue
            cur.append(l)
        else:
            if l.startswith("#"): continue
            k += 1; (odd if k % 2 else even).append(l)
    base = path[:-4]
    open(base + ".odd.tsv", "w", encoding="utf-8").write("\n".join(odd) + "\n")
    open(base + ".even.tsv", "w", encoding="utf-8").write("\n".join(even) + "\n")
    os.remove(path)
