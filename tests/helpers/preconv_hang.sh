#!/bin/sh
# a preconversion helper that never answers (tests: the deadline kills it);
# its stderr is the bot's log, so a test can wait for it to be running
echo "preconv_hang: started, never answering" >&2
exec sleep 600
