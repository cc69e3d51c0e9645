#!/bin/sh
# same_classes.sh [REF] — shows that the code of this tree classifies every
# message as the code of REF does (default: the merge base with main), on
# this tree's intents/ and responses/: every field of classify() and
# classify_in() for the labelled, voice and dialog texts and some hostile
# ones, `explain` of every tenth, and `cancelbot dialogs --misses` (files
# held back, tests/held_back.txt, are skipped). For
# speed work on bot/kb and bot/core; prints "same" or the first differences.
set -e
. "$(dirname "$0")/ref_tree.sh"
ref_tree same_classes classify_dump "$1"
texts=$dir/texts.txt
{
	cat tests/labelled.tsv $(seen_files tests/voices/*.tsv tests/dialogs/*.tsv) | grep -v '^#' | cut -f1 | grep .
	grep -h '^send .*| ' tests/data/*.conv | sed 's/^[^|]*| //' || true
	python3 -c 'import sys
for u in ["a", "cancel ", "注销", "(|)ab ", "cancel my line ", "verizon ", "prepaid postpaid ", "取消我的AT&T門號 ", "CANCEL Verizon\tNOW "]:
    print((u * (4096 // len(u) + 1))[:4096])'
} > "$texts"
for side in ref new; do
	if [ $side = ref ]; then dump=$dir/classify_dump bot=$dir/cancelbot
	else dump=$top/build/classify_dump bot=$top/cancelbot; fi
	"$dump" --explain < "$texts" > "$dir/$side.dump" 2>/dev/null
	("$bot" dialogs --misses $(seen_files tests/dialogs/*.tsv) > "$dir/$side.dialogs" 2>&1 || true)
done
if cmp -s "$dir/ref.dump" "$dir/new.dump" && cmp -s "$dir/ref.dialogs" "$dir/new.dialogs"; then
	echo "same: $(wc -l < "$texts") texts, $(wc -l < "$dir/new.dump") lines of dump, dialogs (ref $sha)"
else
	diff "$dir/ref.dump" "$dir/new.dump" | head -20
	diff "$dir/ref.dialogs" "$dir/new.dialogs" | head -20
	exit 1
fi
