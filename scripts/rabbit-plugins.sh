#!/usr/bin/env bash
# Print the folder holding the Erlang libraries Debian's rabbitmq-server ships in its plugins
# folder (ranch, cowboy, cowlib, rabbit_common, ra, gen_batch_server, aten, seshat, osiris…),
# real copies the corpus runs on plain nodes with -pa (tests/corpus), without RabbitMQ.
#
# The installed package's folder when rabbitmq-server is installed; otherwise the package is
# downloaded (apt-get download) and unpacked under build/rabbitmq: nothing is installed,
# no broker is started, no service is configured.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
for d in /usr/lib/rabbitmq/lib/rabbitmq_server-*/plugins "$top"/build/rabbitmq/x/usr/lib/rabbitmq/lib/rabbitmq_server-*/plugins; do
  [ -d "$d/ranch-2.1.0/ebin" ] && { echo "$d"; exit 0; }
done
dest=$top/build/rabbitmq
mkdir -p "$dest"
(
  cd "$dest"
  rm -f rabbitmq-server_*.deb
  # as root, apt fetches as _apt, which must be able to write here
  chmod 777 . 2>/dev/null || true
  apt-get download -q rabbitmq-server >download.log 2>&1 ||
    { apt-get update -q >/dev/null 2>&1 && apt-get download -q rabbitmq-server >download.log 2>&1; } ||
    { echo "rabbit-plugins: could not download rabbitmq-server:" >&2; cat download.log >&2; exit 2; }
  rm -rf x.tmp && dpkg-deb -x rabbitmq-server_*.deb x.tmp && rm -rf x && mv x.tmp x
  rm -f rabbitmq-server_*.deb
)
for d in "$dest"/x/usr/lib/rabbitmq/lib/rabbitmq_server-*/plugins; do
  [ -d "$d/ranch-2.1.0/ebin" ] && { echo "$d"; exit 0; }
done
echo "rabbit-plugins: the package holds no ranch 2.1.0 (another rabbitmq-server version?)" >&2
exit 2
