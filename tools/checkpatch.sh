#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Style gate, run by CTest: scripts/checkpatch.pl --strict on the patch
# series and on every C file this project ships (modules, kselftests, the
# guest's tool), and a format check that each patch is a mail "git am" takes.
#
# Usage: tools/checkpatch.sh KERNEL_SRC
set -uo pipefail

ksrc=${1:?usage: tools/checkpatch.sh KERNEL_SRC}
# checkpatch runs scripts/spdxcheck.py with "env python3": use Debian's,
# which has python3-ply, rather than whatever python3 is first in PATH.
export PATH=/usr/bin:$PATH
repo=$(cd "$(dirname "$0")/.." && pwd)
checkpatch=("$ksrc/scripts/checkpatch.pl" --strict --quiet --no-summary --color=never)
status=0

for p in "$repo"/patches/*.patch; do
	name=$(basename "$p")
	for header in '^From: ' '^Subject: \[PATCH' '^Signed-off-by: ' '^---$'; do
		grep -q "$header" "$p" || { echo "$name: no line matching '$header'"; status=1; }
	done
	out=$(cd "$ksrc" && "${checkpatch[@]}" "$p" 2>&1) || status=1
	[ -n "$out" ] && { echo "$name:"; echo "$out"; status=1; }
done

mapfile -t files < <(cd "$repo" && { git ls-files 'kmod/*.c' 'kmod/*.h' \
	'selftests/*.c' 'selftests/*.h' 'tools/*.c' 2>/dev/null ||
	find kmod selftests tools -name '*.[ch]'; })
for f in "${files[@]}"; do
	extra=()
	# Userspace (kselftests) uses the C library's types, not u32/__aligned.
	[[ "$f" == selftests/* ]] && extra=(--ignore "PREFER_KERNEL_TYPES,PREFER_DEFINED_ATTRIBUTE_MACRO")
	out=$(cd "$ksrc" && "${checkpatch[@]}" "${extra[@]}" --root="$ksrc" -f "$repo/$f" 2>&1) || status=1
	[ -n "$out" ] && { echo "$f:"; echo "$out"; status=1; }
done

patches=("$repo"/patches/*.patch)
n=${#patches[@]}
[ $status -eq 0 ] && echo "checkpatch --strict: $n patches and ${#files[@]} files clean"
exit $status
