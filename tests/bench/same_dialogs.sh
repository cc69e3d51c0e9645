#!/bin/sh
# same_dialogs.sh [REF] — shows that the dialog of this tree says what the
# dialog of REF says (default: the merge base with main), on this tree's
# intents/ and responses/: every reply (rendered answer, text, buttons) and
# the conversation memory after every turn (build/dialog_dump) of
#   - every conversation of tests/dialogs/*.tsv, and
#   - every labelled, voice and dialog text said as the second turn after
#     each opener below: a carrier named, "which carrier?" asked, a brand
#     without facts, in English, Simplified and Traditional Chinese
# and `cancelbot dialogs --misses` of every dialog file (files held back,
# tests/held_back.txt, are skipped). For speed work on
# the dialog's calls into classify; prints "same" or the first differences.
set -e
. "$(dirname "$0")/ref_tree.sh"
ref_tree same_dialogs dialog_dump "$1"
convs=$dir/convs.txt
python3 - "$convs" <<'PY'
import glob, sys
held = set(l.strip() for l in open("tests/held_back.txt") if l.strip() and not l.startswith("#"))
def seen(pattern):
    return [f for f in sorted(glob.glob(pattern)) if f not in held]
out = []
for f in seen("tests/dialogs/*.tsv"):
    conv = []
    for line in open(f, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("##"):
            if conv:
                out.append(conv)
            conv = []
        elif line.strip() and not line.startswith("#"):
            conv.append(line.split("\t")[0].strip())
    if conv:
        out.append(conv)
texts = []
for f in ["tests/labelled.tsv"] + seen("tests/voices/*.tsv") + seen("tests/dialogs/*.tsv"):
    for line in open(f, encoding="utf-8"):
        if line.startswith("#"):
            continue
        t = line.rstrip("\n").split("\t")[0].strip()
        if t and not t.startswith("##"):
            texts.append(t)
openers = ["I have Verizon", "how do I cancel my phone line?", "I'm with H2O wireless",
           "我用的是T-Mobile", "怎么注销手机号", "我用的是中華電信嗎？不是，是AT&T的門號"]
for o in openers:
    for t in dict.fromkeys(texts):
        out.append([o, t])
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write("\n\n".join("\n".join(c) for c in out) + "\n")
PY
for side in ref new; do
	if [ $side = ref ]; then dump=$dir/dialog_dump bot=$dir/cancelbot
	else dump=$top/build/dialog_dump bot=$top/cancelbot; fi
	"$dump" < "$convs" > "$dir/$side.dump" 2>/dev/null
	("$bot" dialogs --misses $(seen_files tests/dialogs/*.tsv) > "$dir/$side.dialogs" 2>&1 || true)
done
if cmp -s "$dir/ref.dump" "$dir/new.dump" && cmp -s "$dir/ref.dialogs" "$dir/new.dialogs"; then
	echo "same: $(grep -c '^[0-9]' "$dir/new.dump") turns of $(grep -c '^$' "$convs") conversations," \
		"$(wc -l < "$dir/new.dump") lines of dump, dialogs --misses (ref $sha)"
else
	diff "$dir/ref.dump" "$dir/new.dump" | head -30
	diff "$dir/ref.dialogs" "$dir/new.dialogs" | head -20
	exit 1
fi
