#!/usr/bin/env python3
"""The layering rule of bot/, checked: a file may include headers of its own
layer and of the layers below it, never above.

    lib  <  kb  <  core  <  edge  <  cli       (bot/main.c sits on top)

lib/ knows nothing above it; kb/ and core/ never reach the network, disk
writers, signals or clock of edge/ nor the subcommands of cli/. Every
header name is unique across the layers (each folder is an include path).

    python3 tests/check_layers.py [ROOT]      exit 1 and file:line per break
    python3 tests/check_layers.py --self-test a bad include must be caught
"""
import os
import re
import shutil
import sys
import tempfile

LAYERS = ["lib", "kb", "core", "edge", "cli"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def check(root):
    bot = os.path.join(root, "bot")
    problems = []
    where = {}  # header name -> layer
    for layer in LAYERS:
        for name in sorted(os.listdir(os.path.join(bot, layer))):
            if name.endswith(".h"):
                if name in where:
                    problems.append(f"bot/{layer}/{name}: also in bot/{where[name]}/")
                where[name] = layer
    for name in sorted(os.listdir(bot)):
        path = os.path.join(bot, name)
        if os.path.isfile(path) and name != "main.c":
            problems.append(f"bot/{name}: sources live in a layer folder ({', '.join(LAYERS)})")
        elif os.path.isdir(path) and name not in LAYERS:
            problems.append(f"bot/{name}/: not a layer ({', '.join(LAYERS)})")
    files = [("main", "bot/main.c")] + [
        (layer, f"bot/{layer}/{n}") for layer in LAYERS
        for n in sorted(os.listdir(os.path.join(bot, layer))) if n.endswith((".c", ".h"))]
    for layer, rel in files:
        rank = len(LAYERS) if layer == "main" else LAYERS.index(layer)
        with open(os.path.join(root, rel), encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                header = m.group(1)
                if header not in where:
                    problems.append(f"{rel}:{lineno}: includes \"{header}\", which no layer has")
                elif LAYERS.index(where[header]) > rank:
                    problems.append(f"{rel}:{lineno}: includes {where[header]}/{header}, but "
                                    f"{where[header]}/ is above {layer}/ "
                                    f"({' < '.join(LAYERS)})")
    return problems


def self_test(root):
    """A copy of bot/ with core/ including an edge header must fail."""
    tmp = tempfile.mkdtemp(prefix="cancelbot-layers-")
    try:
        shutil.copytree(os.path.join(root, "bot"), os.path.join(tmp, "bot"))
        if check(tmp):
            return ["the copy of bot/ already fails"]
        victim = os.path.join(tmp, "bot", "core", "classify.c")
        with open(victim, "a", encoding="utf-8") as f:
            f.write('#include "outbox.h"\n')
        found = check(tmp)
        if not any("core/classify.c" in p and "edge/outbox.h" in p for p in found):
            return ["a core file including an edge header was not caught"]
        return []
    finally:
        shutil.rmtree(tmp)


def main():
    args = sys.argv[1:]
    selftest = "--self-test" in args
    args = [a for a in args if a != "--self-test"]
    root = args[0] if args else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    problems = self_test(root) if selftest else check(root)
    for p in problems:
        print(p)
    what = "self-test" if selftest else "layers"
    print(f"{what}: {'ok' if not problems else f'{len(problems)} problem(s)'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
