#!/bin/sh
# a preconversion helper that never answers (tests: the deadline kills it)
exec sleep 600
