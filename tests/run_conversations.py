#!/usr/bin/env python3
"""Plays the conversation files in tests/data against the real cancelbot binary
and the fake Bot API server (tests/fakeapi.py), like curl's tests/data.

usage: run_conversations.py BOT DATADIR [NAME...]

A file is a list of directives, one per line ('#' starts a comment; 'name:
TEXT' says what the test shows); --help lists them, from the table in
tests/directives.py. Only successful calls (HTTP 200) count as made; refused
ones (429) do not. At the end the bot is stopped with SIGTERM and must exit
0; every sendMessage must have been expected (unless extra-ok); the token
must not appear in any output; sanitizer reports fail the test.

CONV_WAIT (seconds, default 15) bounds each wait; CONV_WRAPPER runs the bot
under a tool, e.g. "valgrind --error-exitcode=99 --leak-check=full".
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from conversation import Conversation, Failure  # noqa: E402
from directives import DIRECTIVES, usage  # noqa: E402


def main():
    if len(sys.argv) < 3 or sys.argv[1] in ("-h", "--help"):
        sys.exit(__doc__ + "\nDirectives:\n" + usage())
    bot = os.path.abspath(sys.argv[1])
    names = sys.argv[3:]
    files = sorted(f for f in os.listdir(sys.argv[2]) if f.endswith(".conv"))
    if names:
        files = [f for f in files if any(n in f for n in names)]
    passed = failed = 0
    for f in files:
        conv = Conversation(bot, os.path.join(sys.argv[2], f), DIRECTIVES)
        t0 = time.time()
        try:
            title = conv.run()
            passed += 1
            print(f"ok   {f}  {title}  ({time.time() - t0:.1f}s)", flush=True)
        except Failure as e:
            failed += 1
            print(f"FAIL {f}\n  {e}\n  --- bot log (tail) ---\n{conv.read_log()[-3000:]}", flush=True)
        finally:
            conv.close()
    print(f"conversations: {passed} passed, {failed} failed")
    sys.exit(1 if failed or not passed else 0)


if __name__ == "__main__":
    main()
