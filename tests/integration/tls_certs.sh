# tls_certs.sh — certificates a TLS test makes for itself with openssl. Source it, then
# `make_certs DIR`. All keys are P-256, all certificates live 2 days (but one).
#
#   ca.pem, ca.key            the CA the nodes and otp-advisor trust
#   node.pem, node.key        a node's: localhost, this host's short name, 127.0.0.1, ::1, host.example
#   client.pem, client.key    otp-advisor's client certificate, signed by the CA
#   other-ca.pem              a CA nobody signed anything with (not trusted)
#   stranger.pem, .key        a client certificate from that other CA
#   expired.pem, expired.key  a node certificate whose validity ended yesterday
#   optfile NAME SERVER CLIENT  writes DIR/NAME.conf, an ssl_dist_optfile
make_certs() {
  local d=$1 h
  h=$(hostname -s)
  mkdir -p "$d"
  (
    cd "$d" || exit 1
    set -e
    key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
    key ca.key
    openssl req -x509 -new -key ca.key -out ca.pem -days 2 -subj /CN=otp-advisor-test-ca 2>/dev/null
    key other-ca.key
    openssl req -x509 -new -key other-ca.key -out other-ca.pem -days 2 -subj /CN=someone-else 2>/dev/null
    sign() { # sign NAME CN SAN CA DAYS
      key "$1.key"
      openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
      printf 'subjectAltName=%s\n' "$3" > "$1.ext"
      openssl x509 -req -in "$1.csr" -CA "$4.pem" -CAkey "$4.key" -CAcreateserial -out "$1.pem" -days "$5" \
        -extfile "$1.ext" 2>/dev/null
    }
    sign node localhost "DNS:localhost,DNS:$h,DNS:host.example,IP:127.0.0.1,IP:::1" ca 2
    sign client otp-advisor "DNS:otp-advisor" ca 2
    sign stranger stranger "DNS:stranger" other-ca 2
    sign expired localhost "DNS:localhost,DNS:$h,IP:127.0.0.1" ca -1
    chmod 600 ./*.key
  )
}

# tls_optfile FILE NODE_CERT CLIENT_CERT [SERVER_EXTRA]: the node's -ssl_dist_optfile
tls_optfile() {
  local f=$1 d; d=$(dirname "$1")
  cat >"$f" <<EOF
[{server, [{certfile, "$d/$2.pem"}, {keyfile, "$d/$2.key"}, {cacertfile, "$d/ca.pem"},
           {secure_renegotiate, true}${4:+, $4}]},
 {client, [{certfile, "$d/$3.pem"}, {keyfile, "$d/$3.key"}, {cacertfile, "$d/ca.pem"},
           {verify, verify_peer}, {secure_renegotiate, true}]}].
EOF
}
