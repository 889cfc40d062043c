#!/usr/bin/env bash
# Makes the test PKI for the transport tests: a CA, a server certificate for
# 127.0.0.1 (the test XTA 2 and webhook receivers) and a client certificate
# (form-fn's TLS identity towards the XTA server). TEST ONLY: the private keys
# are published here. Valid for 100 years so the tests do not expire.
# Run again to replace them all: tests/pki/make.sh
set -euo pipefail
cd "$(dirname "$0")"
days=36500
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

openssl ecparam -name prime256v1 -genkey -noout -out "$work/ca-key.pem"
openssl req -x509 -new -key "$work/ca-key.pem" -sha256 -days "$days" \
  -subj "/O=Einbuergerung kit tests/CN=Test CA (do not trust)" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.pem

issue() { # name subject extensions
  openssl ecparam -name prime256v1 -genkey -noout -out "$work/$1-key.pem"
  openssl pkcs8 -topk8 -nocrypt -in "$work/$1-key.pem" -out "$1-key.pem"
  openssl req -new -key "$1-key.pem" -subj "$2" -out "$work/$1.csr"
  printf '%s\n' "$3" > "$work/$1.ext"
  openssl x509 -req -in "$work/$1.csr" -CA ca.pem -CAkey "$work/ca-key.pem" -CAcreateserial -CAserial "$work/ca.srl" \
    -sha256 -days "$days" -extfile "$work/$1.ext" -out "$1.pem"
}
issue server "/O=Einbuergerung kit tests/CN=127.0.0.1" \
  "$(printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost')"
issue client "/O=Einbuergerung kit tests/CN=form-fn test client" \
  "$(printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth')"
# form-fn reads its TLS identity as one PEM: certificate, then private key.
cat client.pem client-key.pem > client-identity.pem
rm client.pem client-key.pem
