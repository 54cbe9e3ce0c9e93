#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The version nsmon reports (nsmon --version), on stdout:
# - in a git checkout of nsmon: `git describe` against tags vX.Y.Z ("1.2.0",
#   "1.2.0-3-gabc1234" three commits past it), or VERSION plus the commit when
#   there is no tag yet ("0.1.0-gabc1234"); "-dirty" with uncommitted changes;
# - anywhere else (a tarball, even one unpacked inside another git tree): VERSION.
cd "$(dirname "$0")/.." || exit 1
base=$(cat VERSION 2>/dev/null || echo unknown)
top=$(git rev-parse --show-toplevel 2>/dev/null)
if [ -n "$top" ] && [ "$top" = "$(pwd -P)" ]; then
	if desc=$(git describe --tags --match 'v[0-9]*' --dirty 2>/dev/null); then
		echo "${desc#v}"
		exit 0
	fi
	if desc=$(git describe --always --dirty --abbrev=7 2>/dev/null); then
		echo "$base-g$desc"
		exit 0
	fi
fi
echo "$base"
