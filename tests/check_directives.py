#!/usr/bin/env python3
"""Self-test of the conversation directives that edit the knowledge base
(kb-replace, admin-file): an OLD text that occurs more than once (or not
at all, or not the count given) fails the conversation instead of being
replaced everywhere silently. Run by `make test`."""
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
    print("check_directives: ok")


if __name__ == "__main__":
    main()
