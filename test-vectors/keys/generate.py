#!/usr/bin/env python3
"""Regenerate the TEST-ONLY keys in this folder with the openssl CLI (no Python crypto package needed).

The JWKs are built from `openssl pkey -text` output, independently of the project's own code, so the
project's JWK loader is tested against keys it did not write. Running this again makes new keys:
tests that pin key bytes would then need updating (none do today).
"""
import base64, json, os, re, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))


def b64u(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def run(*args, inp=None):
    return subprocess.run(args, check=True, capture_output=True, input=inp).stdout


def rsa_fields(pem: bytes) -> dict:
    text = run("openssl", "pkey", "-noout", "-text", inp=pem).decode()
    fields, name, buf = {}, None, []
    for line in text.splitlines():
        m = re.match(r"^(\w+):\s*(.*)$", line)
        if m:
            if name:
                fields[name] = buf
            name, rest = m.group(1), m.group(2)
            buf = [rest] if rest else []
        elif name:
            buf.append(line.strip())
    if name:
        fields[name] = buf
    out = {}
    for k, v in fields.items():
        s = "".join(v)
        if k == "publicExponent":
            out[k] = int(s.split()[0])
        elif re.fullmatch(r"[0-9a-f:]+", s):
            out[k] = int(s.replace(":", ""), 16)
    return out


def ibytes(i: int) -> bytes:
    return i.to_bytes((i.bit_length() + 7) // 8, "big")


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def rsa(bits: int):
    kid = f"test-rsa-{bits}"
    pem = run("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", f"rsa_keygen_bits:{bits}")
    pub = run("openssl", "pkey", "-pubout", inp=pem)
    f = rsa_fields(pem)
    public = {"kty": "RSA", "kid": kid, "use": "enc", "alg": "RSA-OAEP-256",
              "n": b64u(ibytes(f["modulus"])), "e": b64u(ibytes(f["publicExponent"]))}
    private = dict(public)
    for jwk, ossl in [("d", "privateExponent"), ("p", "prime1"), ("q", "prime2"),
                      ("dp", "exponent1"), ("dq", "exponent2"), ("qi", "coefficient")]:
        private[jwk] = b64u(ibytes(f[ossl]))
    write(f"rsa-{bits}.pem", pem)
    write(f"rsa-{bits}.pub.pem", pub)
    write(f"rsa-{bits}.jwk.json", (json.dumps(private, indent=2) + "\n").encode())
    write(f"rsa-{bits}.pub.jwk.json", (json.dumps(public, indent=2) + "\n").encode())


def oct_key(bits: int):
    alg = f"A{bits}KW"
    jwk = {"kty": "oct", "kid": f"test-a{bits}kw", "use": "enc", "alg": alg,
           "k": b64u(os.urandom(bits // 8))}
    write(f"aes-{bits}kw.jwk.json", (json.dumps(jwk, indent=2) + "\n").encode())


if __name__ == "__main__":
    for bits in (1024, 2048, 3072, 4096):
        rsa(bits)
    for bits in (128, 192, 256):
        oct_key(bits)
    print("ok", file=sys.stderr)
