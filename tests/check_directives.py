#!/usr/bin/env python3
"""Self-test of the conversation directives that edit the knowledge base
(kb-replace, admin-file): an OLD text that occurs more than once (or not
at all, or not the count given) fails the conversation instead of being
replaced everywhere silently. Run by `make test`.

Then every kb-replace of tests/data is checked against the shipped
knowledge base (with the kb-append steps before it), so a pattern or answer
edit that moves a conversation's anchor fails here in a second, naming the
file and line, not ten minutes later in the conversation run (session 8:
conversation 105 after [cue documents]' keeps were reordered)."""
import glob
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from conversation import Failure  # noqa: E402
from directives_admin import replace_exactly  # noqa: E402


def fails(*args):
    try:
        replace_exactly(*args)
    except Failure:
        return True
    return False


def main():
    text = "phone = 1\nphone = 1\nname = x\n"
    assert fails("f", text, "phone = 1", "phone = 2"), "twice, one wanted: must fail"
    assert fails("f", text, "missing", "y"), "absent: must fail"
    assert fails("f", text, "name = x", "y", 2), "once, two wanted: must fail"
    assert replace_exactly("f", text, "name = x", "name = y") == "phone = 1\nphone = 1\nname = y\n"
    assert replace_exactly("f", text, "phone = 1", "p", 2) == "p\np\nname = x\n"
    bad = anchors()
    for b in bad:
        print(b, file=sys.stderr)
    if bad:
        sys.exit(1)
    print("check_directives: ok")


def anchors():
    """Problems with the kb-replace anchors of tests/data/*.conv, replayed on
    the shipped files (plus each conversation's kb-append text, in order).
    A conversation that edits through kb-doc or kb-long is left out."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    bad = []
    for conv in sorted(glob.glob(os.path.join(root, "tests/data/*.conv"))):
        files = {}

        def text(rel):
            if rel not in files:
                path = os.path.join(root, rel)
                files[rel] = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
            return files[rel]
        for n, line in enumerate(open(conv, encoding="utf-8"), 1):
            line = line.rstrip("\n")
            if line.startswith(("kb-doc", "kb-long")):
                break
            if not line.startswith(("kb-append ", "kb-replace ")) or " | " not in line:
                continue
            head, body = line.split(" | ", 1)
            words = head.split()
            rel = words[1]
            if words[0] == "kb-append":
                files[rel] = text(rel) + body.replace("\\n", "\n")
                continue
            old, new = body.split(" => ", 1)
            want = int(dict(w.split("=", 1) for w in words[2:] if "=" in w).get("count", "1"))
            try:
                files[rel] = replace_exactly(rel, text(rel), old, new, want)
            except Failure as e:
                bad.append(f"{os.path.relpath(conv, root)}:{n}: {e}")
    return bad


if __name__ == "__main__":
    main()
