#!/bin/sh
# a preconversion helper that exits 0 after writing records nobody asked
# for (and a cut one): nothing of it may reach the table
cat > /dev/null
printf 's2twp.json\0不存在的片段\0不存在的片段\0s2hk.json\0半'
exit 0
