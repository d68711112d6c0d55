#!/usr/bin/env bash
# Build build/otp-advisor_VERSION_ARCH.deb from the built binary: `make install` into a
# staging root (PREFIX=/usr), the man page gzipped, the binary stripped, Depends computed
# by dpkg-shlibdeps (ei is linked in statically; libedit and libc are shared), then
# lintian. Prints the package's path on its last line.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
ver=$(sed -n 's/^#define OA_VERSION "\(.*\)"$/\1/p' include/version.h)
arch=$(dpkg --print-architecture)
stage=$top/build/deb
root=$stage/otp-advisor_${ver}_${arch}
rm -rf "$stage"
make --no-print-directory -s install DESTDIR="$root" PREFIX=/usr >/dev/null
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/otp-advisor"
gzip -9n "$root/usr/share/man/man1/otp-advisor.1"
doc=$root/usr/share/doc/otp-advisor
install -d "$doc"
cat > "$doc/copyright" <<EOC
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: otp-advisor
Source: the otp-advisor repository

Files: *
Copyright: 2026 the otp-advisor authors
License: proprietary
 All rights reserved by the otp-advisor authors.
EOC
printf 'otp-advisor (%s) unstable; urgency=medium\n\n  * Built from the repository.\n\n -- otp-advisor <maintainers@otp-advisor.dev>  %s\n' \
  "$ver" "$(date -R -u -d @"${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}")" |
  gzip -9n > "$doc/changelog.gz"
chmod 644 "$doc/copyright" "$doc/changelog.gz"
# Depends: what the binary links, as dpkg-shlibdeps reads it (it wants a debian/control)
mkdir -p "$stage/shlibs/debian"
printf 'Source: otp-advisor\n\nPackage: otp-advisor\nArchitecture: any\n' > "$stage/shlibs/debian/control"
depends=$(cd "$stage/shlibs" && dpkg-shlibdeps -O "$root/usr/bin/otp-advisor" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "make-deb: dpkg-shlibdeps gave no Depends" >&2; exit 2; }
size=$(du -k -s "$root/usr" | cut -f1)
install -d "$root/DEBIAN"
cat > "$root/DEBIAN/control" <<EOC
Package: otp-advisor
Version: $ver
Architecture: $arch
Maintainer: otp-advisor <maintainers@otp-advisor.dev>
Installed-Size: $size
Depends: $depends
Section: devel
Priority: optional
Description: judge a running Erlang/Elixir node against the OTP decision framework
 otp-advisor attaches to a running BEAM node as a hidden C node, reads its
 supervision trees, Registries, ETS tables and processes, and reports what an
 OTP expert would change, with the evidence: bottleneck singletons, missing
 PartitionSupervisors, unsupervised processes, GenServers used as caches.
 Nothing on the target changes. It needs no compiler and no Erlang on the host
 it runs on.
EOC
deb=$top/build/otp-advisor_${ver}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
if command -v lintian >/dev/null; then
  # errors fail the build; warnings are shown
  out=$(lintian --tag-display-limit 0 "$deb" 2>&1 || true)
  [ -n "$out" ] && echo "$out" | sed 's/^/lintian: /' >&2
  if grep -q '^E:' <<<"$out"; then echo "make-deb: lintian found errors" >&2; exit 2; fi
fi
echo "$deb"
