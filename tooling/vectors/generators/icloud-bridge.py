#!/usr/bin/env python3
"""Generates tooling/vectors/icloud-bridge.json: known answers for the iCloud trusted-device bridge PAKE.

Independent of sigwire: Python's hashlib (scrypt, SHA-256), hmac, and the `cryptography` package (HKDF,
AES-GCM, P-256 point validation and fixed-base scalar multiplication). The few P-256 point additions
the protocol needs are done with plain integers below and cross-checked against `cryptography` wherever it
can compute the same point (every k*G). The protocol is described in docs/protocols/icloud.md §17.

Run: /usr/bin/python3 tooling/vectors/generators/icloud-bridge.py > tooling/vectors/icloud-bridge.json
(Debian python3-cryptography). Scalars are derived from fixed seeds, so the output is reproducible.
"""

import base64
import hashlib
import hmac
import json
import platform
import struct
import sys

import cryptography
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# NIST P-256 (SEC 2 secp256r1).
P = 2**256 - 2**224 + 2**192 + 2**96 - 1
A = P - 3
B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
G = (
    0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
    0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
)
# SPAKE2 constants for P-256 (RFC 9382 §6, compressed SEC1).
M_HEX = "02886e2f97ace46e55ba9dd7242579f2993b64e16ef3dcab95afd497333d8fa12f"
N_HEX = "03d8bbd6c639c62937b04d997f38c3770719c629d7014d49a24b4f98baa1292b49"


def decode(hex_text):
    """SEC1 point to (x, y), validated by cryptography."""
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), bytes.fromhex(hex_text))
    numbers = key.public_numbers()
    return (numbers.x, numbers.y)


def encode(point):
    return "04" + point[0].to_bytes(32, "big").hex() + point[1].to_bytes(32, "big").hex()


def add(p1, p2):
    if p1 is None:
        return p2
    if p2 is None:
        return p1
    (x1, y1), (x2, y2) = p1, p2
    if x1 == x2 and (y1 + y2) % P == 0:
        return None
    if p1 == p2:
        lam = (3 * x1 * x1 + A) * pow(2 * y1, P - 2, P) % P
    else:
        lam = (y2 - y1) * pow(x2 - x1, P - 2, P) % P
    x3 = (lam * lam - x1 - x2) % P
    return (x3, (lam * (x1 - x3) - y1) % P)


def mul(point, k):
    k %= N
    result, addend = None, point
    while k:
        if k & 1:
            result = add(result, addend)
        addend = add(addend, addend)
        k >>= 1
    return result


def neg(point):
    return (point[0], (-point[1]) % P)


def base_mul(k):
    """k*G twice: by the integers above and by cryptography; they must agree."""
    mine = mul(G, k)
    numbers = ec.derive_private_key(k % N, ec.SECP256R1()).public_key().public_numbers()
    assert mine == (numbers.x, numbers.y), "point arithmetic disagrees with cryptography"
    return mine


def hkdf(ikm, info, length):
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(ikm)


def framed(*parts):
    return b"".join(struct.pack("<Q", len(p)) + p for p in parts)


def minimal_be(value):
    return value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")


def scalar(seed):
    return int.from_bytes(hashlib.sha256(seed.encode()).digest(), "big") % (N - 1) + 1


def case(name, code, salt, x, y, iv, plaintext, wrong_code):
    stretched = hashlib.scrypt(code.encode(), salt=salt, n=16384, r=8, p=1, dklen=64)
    w0_raw, w1_raw = int.from_bytes(stretched[:32], "big"), int.from_bytes(stretched[32:], "big")
    m, n = decode(M_HEX), decode(N_HEX)
    L = base_mul(w1_raw)
    X = add(base_mul(x), mul(m, w0_raw))
    Y = add(base_mul(y), mul(n, w0_raw))
    # Prover: Z = x*(Y - w0*N), V = w1*(Y - w0*N). Verifier: Z = y*(X - w0*M), V = y*L.
    z_prover = mul(add(Y, neg(mul(n, w0_raw))), x)
    v_prover = mul(add(Y, neg(mul(n, w0_raw))), w1_raw)
    z_verifier = mul(add(X, neg(mul(m, w0_raw))), y)
    v_verifier = mul(L, y)
    assert z_prover == z_verifier and v_prover == v_verifier
    transcript = framed(
        b"SPAKE2Web",
        b"com.apple.security.webprover",
        b"com.apple.security.webverifier",
        bytes.fromhex(encode(m)),
        bytes.fromhex(encode(n)),
        bytes.fromhex(encode(X)),
        bytes.fromhex(encode(Y)),
        bytes.fromhex(encode(z_prover)),
        bytes.fromhex(encode(v_prover)),
        minimal_be(w0_raw),
    )
    digest = hashlib.sha256(transcript).digest()
    confirmation = hkdf(digest, b"ConfirmationKeys", 64)
    shared = hkdf(digest, b"SharedKey", 32)
    prover_confirm = hmac.new(confirmation[:32], bytes.fromhex(encode(Y)), hashlib.sha256).digest()
    verifier_confirm = hmac.new(confirmation[32:], bytes.fromhex(encode(X)), hashlib.sha256).digest()
    verifier_key = hkdf(shared, b"webVerifier", 32)
    prover_key = hkdf(shared, b"webProver", 32)
    sealed = AESGCM(verifier_key).encrypt(iv, plaintext.encode(), b"\x00")
    payload = b"\x00" + iv + sealed[-16:] + sealed[:-16]
    # The verifier's share and confirmation as the device pushes them (step-4 `data`).
    step4 = base64.b64encode(
        (base64.b64encode(bytes.fromhex(encode(Y))).decode() + "_" + base64.b64encode(verifier_confirm).decode()).encode()
    ).decode()
    # A prover that typed `wrong_code` sends another X and cannot reproduce the verifier's confirmation.
    wrong = hashlib.scrypt(wrong_code.encode(), salt=salt, n=16384, r=8, p=1, dklen=64)
    w0_wrong, w1_wrong = int.from_bytes(wrong[:32], "big"), int.from_bytes(wrong[32:], "big")
    x_wrong = add(base_mul(x), mul(m, w0_wrong))
    zw = mul(add(Y, neg(mul(n, w0_wrong))), x)
    vw = mul(add(Y, neg(mul(n, w0_wrong))), w1_wrong)
    tw = framed(b"SPAKE2Web", b"com.apple.security.webprover", b"com.apple.security.webverifier",
                bytes.fromhex(encode(m)), bytes.fromhex(encode(n)), bytes.fromhex(encode(x_wrong)),
                bytes.fromhex(encode(Y)), bytes.fromhex(encode(zw)), bytes.fromhex(encode(vw)), minimal_be(w0_wrong))
    cw = hkdf(hashlib.sha256(tw).digest(), b"ConfirmationKeys", 64)
    expected_by_wrong = hmac.new(cw[32:], bytes.fromhex(encode(x_wrong)), hashlib.sha256).digest()
    assert expected_by_wrong != verifier_confirm
    return {
        "name": name,
        "code": code,
        "saltB64": base64.b64encode(salt).decode(),
        "scryptHex": stretched.hex(),
        "w0Hex": stretched[:32].hex(),
        "w1Hex": stretched[32:].hex(),
        "w0TranscriptHex": minimal_be(w0_raw).hex(),
        "xHex": x.to_bytes(32, "big").hex(),
        "yHex": y.to_bytes(32, "big").hex(),
        "proverShareHex": encode(X),
        "verifierShareHex": encode(Y),
        "verifierPointLHex": encode(L),
        "zHex": encode(z_prover),
        "vHex": encode(v_prover),
        "transcriptHex": transcript.hex(),
        "transcriptHashHex": digest.hex(),
        "confirmationKeysHex": confirmation.hex(),
        "sharedKeyHex": shared.hex(),
        "proverConfirmationHex": prover_confirm.hex(),
        "verifierConfirmationHex": verifier_confirm.hex(),
        "verifierKeyHex": verifier_key.hex(),
        "proverKeyHex": prover_key.hex(),
        "step4DataB64": step4,
        "aesGcm": {"ivHex": iv.hex(), "plaintext": plaintext, "payloadB64": base64.b64encode(payload).decode()},
        "wrongCode": {
            "code": wrong_code,
            "proverShareHex": encode(x_wrong),
            "verifierConfirmationExpectedByProverHex": expected_by_wrong.hex(),
        },
    }


def salt_with_leading_zero_w0(code):
    """The first salt (SHA-256 of a counter, 16 bytes) for which w0 starts with a zero byte."""
    counter = 0
    while True:
        salt = hashlib.sha256(f"leading-zero-{counter}".encode()).digest()[:16]
        if hashlib.scrypt(code.encode(), salt=salt, n=16384, r=8, p=1, dklen=64)[0] == 0:
            return salt
        counter += 1


def main():
    cases = [
        case("six-digit code", "123456", bytes.fromhex("000102030405060708090a0b0c0d0e0f"),
             scalar("prover-1"), scalar("verifier-1"), bytes.fromhex("a0a1a2a3a4a5a6a7a8a9aaab"), "901234", "123457"),
        case("code with a leading zero", "012345", base64.b64decode("c2lnd2lyZS1icmlkZ2Utc2FsdA=="),
             scalar("prover-2"), scalar("verifier-2"), bytes.fromhex("0c0b0a090807060504030201"), "000417", "12345"),
        case("w0 with a leading zero byte (minimal-length transcript encoding)", "482913",
             salt_with_leading_zero_w0("482913"), scalar("prover-3"), scalar("verifier-3"),
             bytes.fromhex("ffffffffffffffffffffffff"), "270045", "482931"),
    ]
    document = {
        "generator": (
            f"tooling/vectors/generators/icloud-bridge.py under Python {platform.python_version()} "
            f"(hashlib scrypt N=16384 r=8 p=1 dklen=64, hmac SHA-256) with cryptography {cryptography.__version__} "
            "(HKDF-SHA256 with no salt, AES-256-GCM, P-256 point validation and k*G); point additions with "
            "Python integers, every k*G cross-checked against cryptography."
        ),
        "notes": (
            "Hex is lowercase; points are uncompressed SEC1. w0/w1 are the two halves of the scrypt output "
            "read as big-endian integers (unreduced); the transcript ends with w0 in minimal big-endian bytes. "
            "Each transcript part is prefixed by its length as 8 bytes little-endian. Prover confirmation = "
            "HMAC-SHA256(confirmationKeys[0:32], verifierShare); verifier confirmation = "
            "HMAC-SHA256(confirmationKeys[32:64], proverShare). AES-GCM payload = 0x00 || iv(12) || tag(16) || "
            "ciphertext, key = verifierKey, additional data = 0x00. docs/protocols/icloud.md §17."
        ),
        "constants": {"M": M_HEX, "N": N_HEX},
        "cases": cases,
    }
    json.dump(document, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
