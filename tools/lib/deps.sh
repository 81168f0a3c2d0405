# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Dependencies: the Debian packages the run needs (installed when
# missing, as root) and a static arm64 busybox.
#
# Sourced by run_tests.sh; its options and state are globals. Besides
# the options and what earlier steps set, this file
# sets:   PACKAGES (the list; apply_variant() and check() add to it), BUSYBOX

PACKAGES="linux-source-6.1 gcc-aarch64-linux-gnu qemu-system-arm flex bison bc
libelf-dev libssl-dev kmod cpio rsync cmake g++ libgtest-dev python3 ccache
python3-ply python3-git python3-jsonschema"

install_deps()
{
	local missing=() p

	for p in $PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		if [ "$(id -u)" -ne 0 ]; then
			echo "Missing packages. Run as root:" >&2
			echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
			exit 2
		fi
		step "installing ${missing[*]}"
		apt-get update -q >/dev/null
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
	fi

	BUSYBOX=$CACHE/busybox/bin/busybox
	if [ ! -x "$BUSYBOX" ]; then
		if [ "$(id -u)" -ne 0 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
			echo "Need a static arm64 busybox. Run as root:" >&2
			echo "  dpkg --add-architecture arm64 && apt-get update" >&2
			exit 2
		fi
		step "fetching busybox-static:arm64"
		if ! dpkg --print-foreign-architectures | grep -qx arm64; then
			dpkg --add-architecture arm64
			apt-get update -q >/dev/null
		fi
		local tmp
		tmp=$(mktemp -d)
		(cd "$tmp" && apt-get download -q busybox-static:arm64 >/dev/null 2>&1) ||
			{ apt-get update -q >/dev/null;
			  (cd "$tmp" && apt-get download -q busybox-static:arm64 >/dev/null); }
		mkdir -p "$CACHE/busybox"
		dpkg-deb -x "$tmp"/busybox-static_*_arm64.deb "$tmp/x"
		install -D -m 755 "$tmp/x/bin/busybox" "$BUSYBOX"
		rm -rf "$tmp"
	fi
}
