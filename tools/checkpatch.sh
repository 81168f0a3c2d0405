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

# What checkpatch reads of a tree, from Debian's tarball without patches/:
# the scripts, include/ (it learns the CamelCase names the kernel already
# uses from there) and the files the patches touch; the other top-level
# entries only need to exist for it to take the directory for a kernel tree.
pristine=
tarball=$(dpkg -L linux-source-6.1 2>/dev/null | grep -E '/linux-source-6\.1\.tar\.xz$' | head -1 || true)
if [ -n "$tarball" ]; then
	pristine=$(mktemp -d)
	trap 'rm -rf "$pristine"' EXIT
	top=$(basename "$tarball" .tar.xz)
	# Files the patches change that the tarball has (not the ones they add).
	mapfile -t touched < <(awk '
		/^--- \/dev\/null/ { new = 1; next }
		/^--- a\// { old[substr($2, 3)] = 1; new = 0; next }
		/^\+\+\+ b\// { if (new) added[substr($2, 3)] = 1; new = 0 }
		END { for (f in old) if (!(f in added) && f !~ /^include\// && f != "MAINTAINERS") print f }
	' "$repo"/patches/*.patch | sort)
	tar xJf "$tarball" -C "$pristine" --strip-components=1 \
		"$top/COPYING" "$top/CREDITS" "$top/Kbuild" "$top/MAINTAINERS" \
		"$top/Makefile" "$top/README" "$top/scripts" "$top/include" \
		"$top/LICENSES" "${touched[@]/#/$top/}"
	mkdir -p "$pristine"/{Documentation,arch,drivers,fs,init,ipc,kernel,lib}
else
	echo "checkpatch.sh: linux-source-6.1 is not installed: patches checked in $ksrc only"
fi

for p in "$repo"/patches/*.patch; do
	name=$(basename "$p")
	for header in '^From: ' '^Subject: \[PATCH' '^Signed-off-by: ' '^---$'; do
		grep -q "$header" "$p" || { echo "$name: no line matching '$header'"; status=1; }
	done
	out=$(cd "$ksrc" && "${checkpatch[@]}" "$p" 2>&1) || status=1
	[ -n "$out" ] && { echo "$name:"; echo "$out"; status=1; }
	# Again in the pristine tree: in the patched one checkpatch accepts
	# every CamelCase name that its headers or the files a patch touches
	# already spell, so a name the series itself introduces would pass.
	[ -n "$pristine" ] || continue
	out=$(cd "$pristine" && "${checkpatch[@]}" --root="$pristine" "$p" 2>&1) || status=1
	[ -n "$out" ] && { echo "$name (in the pristine tree):"; echo "$out"; status=1; }
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
[ $status -eq 0 ] && echo "checkpatch --strict: $n patches${pristine:+ (in the patched and the pristine tree)} and ${#files[@]} files clean"
exit $status
