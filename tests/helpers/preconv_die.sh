#!/bin/sh
# a preconversion helper killed half-way: a record cut, then SIGKILL
printf 's2twp.json\0注销'
kill -9 $$
