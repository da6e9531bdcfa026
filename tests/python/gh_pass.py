#!/usr/bin/env python3
"""An independent implementation of Gatehouse GH1 passes (docs/credential-format.md).

Written from the format document alone, on pycose, cbor2, base45 and cryptography, so the
Rust `gatehouse` command can be checked against a second implementation: a pass issued by
one side must verify on the other, and both must reject a tampered pass for the same reason.

    gh_pass.py keygen --out DIR
    gh_pass.py kid --pub FILE.pub
    gh_pass.py issue --key FILE.key --kind visitor --subject V0001234 --serial 7 \
        --not-before 1893456000 --expires 1893542400
    gh_pass.py verify --pub FILE.pub --at 1893500000 TEXT
    gh_pass.py tamper TEXT
    gh_pass.py bench --pub FILE.pub --iterations 1000 TEXT

Exit status: 0 success, 1 pass denied (`denied: <reason>` on stderr), 2 bad command line or
unreadable key file. Needs Python 3.11 and requirements-test.txt (scripts/test installs it).
"""

import argparse
import hashlib
import json
import os
import statistics
import sys
import time
from pathlib import Path

import base45
import cbor2
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from pycose.algorithms import EdDSA
from pycose.headers import KID, Algorithm
from pycose.keys.curves import Ed25519
from pycose.keys.okp import OKPKey
from pycose.messages.sign1message import Sign1Message

PREFIX = "GH1:"
BASE45_ALPHABET = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
COSE_SIGN1_TAG = 18
ALG_EDDSA = -8  # pycose knows no -19 (RFC 9864 Ed25519), so this side accepts -8 only.

# CWT claim labels (RFC 8392) and Gatehouse's private claims map.
ISS, SUB, EXP, NBF, IAT, GATEHOUSE = 1, 2, 4, 5, 6, -65537
KIND, SERIAL, ZONES, ESCORT, HOST, ITEMS = 1, 2, 3, 4, 5, 6
KINDS = {1: "visitor", 2: "staff", 3: "property"}


class Denied(Exception):
    """A pass that must be refused; `reason` is one of the doc's reason codes."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(detail or reason)
        self.reason = reason


def malformed(detail: str) -> Denied:
    return Denied("malformed", detail)


# --- Strict CBOR ----------------------------------------------------------------------
# cbor2 is lenient where the format is strict: it ignores trailing bytes, accepts
# indefinite lengths, keeps the last of duplicated map keys, and turns tags such as bignums
# (2) into plain ints. This scanner walks the raw bytes first and rejects all of that.
# The format has no tags below the outer tag 18, so any tag inside is refused; that is
# stricter than the doc for a tagged value under an unknown label, which is fine for a
# test oracle and keeps a bignum from passing as an `int` claim.


def _head(data: bytes, pos: int) -> tuple[int, int, int, int]:
    """Read the head at `pos`: (major type, additional info, argument, position after it)."""
    if pos >= len(data):
        raise malformed("truncated CBOR")
    major, info = data[pos] >> 5, data[pos] & 0x1F
    pos += 1
    if info < 24:
        return major, info, info, pos
    if info > 27:  # 28-30 are reserved, 31 is an indefinite length
        raise malformed("indefinite length or reserved CBOR head")
    size = 1 << (info - 24)
    if pos + size > len(data):
        raise malformed("truncated CBOR")
    return major, info, int.from_bytes(data[pos : pos + size], "big"), pos + size


def _skip(data: bytes, pos: int) -> int:
    """Return where the well-formed item starting at `pos` ends."""
    major, info, arg, pos = _head(data, pos)
    if major in (2, 3):  # byte and text strings
        if pos + arg > len(data):
            raise malformed("truncated CBOR string")
        return pos + arg
    if major == 4:  # array
        for _ in range(arg):
            pos = _skip(data, pos)
        return pos
    if major == 5:  # map
        seen = set()
        for _ in range(arg):
            key_end = _skip(data, pos)
            # Compare decoded keys, so 1 and a longer encoding of 1 are still duplicates.
            identity = cbor2.loads(data[pos:key_end])
            try:
                hash(identity)
            except TypeError:  # an array or map as key: compare its bytes instead
                identity = data[pos:key_end]
            if identity in seen:
                raise malformed("duplicated map key")
            seen.add(identity)
            pos = _skip(data, key_end)
        return pos
    if major == 6:
        raise malformed("CBOR tag inside the pass")
    if major == 7 and info == 24 and arg < 32:
        raise malformed("badly encoded simple value")  # RFC 8949 §3.3
    return pos  # integers, simple values, floats


def strict_loads(data: bytes, tag: int | None = None):
    """cbor2.loads, after checking `data` is exactly one strict item (tagged `tag`, if given)."""
    pos = 0
    try:
        if tag is not None:
            major, _, arg, pos = _head(data, 0)
            if (major, arg) != (6, tag):
                raise malformed(f"not tagged {tag}")
        if _skip(data, pos) != len(data):
            raise malformed("bytes after the CBOR item")
        return cbor2.loads(data)
    except RecursionError:
        raise malformed("CBOR nested too deeply") from None
    except (cbor2.CBORDecodeError, UnicodeDecodeError) as e:
        raise malformed(f"CBOR: {e}") from None


# --- Keys -----------------------------------------------------------------------------


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> bytes:
    """First 8 bytes of SHA-256 over the raw 32-byte public key."""
    return hashlib.sha256(raw_public(key)).digest()[:8]


class KeyFileError(Exception):
    """A key file that cannot be read or is not an Ed25519 key: exit 2, like a bad flag."""


def load_public(path: str) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(Path(path).read_bytes())
    except (OSError, ValueError) as e:
        raise KeyFileError(f"{path}: {e}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError(f"{path}: not an Ed25519 public key")
    return key


def load_private(path: str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as e:  # TypeError: an encrypted key
        raise KeyFileError(f"{path}: {e}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path}: not an Ed25519 private key")
    return key


def cose_key(public: Ed25519PublicKey) -> OKPKey:
    return OKPKey(crv=Ed25519, x=raw_public(public))


# --- Verify ---------------------------------------------------------------------------


def decode_text(text: str) -> bytes:
    if not text.startswith(PREFIX):
        raise malformed("prefix is not GH1:")
    body = text[len(PREFIX) :]
    # base45.b45decode forgives a trailing newline; the alphabet check does not.
    if not set(body) <= BASE45_ALPHABET:
        raise malformed("not base45")
    try:
        return base45.b45decode(body)
    except ValueError:
        raise malformed("not base45") from None


def _labels(m: dict, what: str) -> dict:
    # Labels are ints or text; a bool or float key would compare equal to an int label.
    if not all(type(k) in (int, str) for k in m):
        raise malformed(f"{what}: a label that is neither int nor text")
    return m


def _get(m: dict, label, ok, required: bool = False):
    if label not in m:
        if required:
            raise malformed(f"claim {label} missing")
        return None
    if not ok(m[label]):
        raise malformed(f"claim {label} has the wrong type")
    return m[label]


def is_int(v) -> bool:
    return type(v) is int  # bool is a subclass of int: exclude it


def is_uint(v) -> bool:
    return is_int(v) and v >= 0


def is_uint_list(v) -> bool:
    return type(v) is list and all(is_uint(x) for x in v)


def parse_claims(payload: bytes) -> dict:
    claims = strict_loads(payload)
    if type(claims) is not dict:
        raise malformed("claims are not a map")
    _labels(claims, "claims")
    sub = _get(claims, SUB, lambda v: type(v) is str, required=True)
    exp = _get(claims, EXP, is_int, required=True)
    nbf = _get(claims, NBF, is_int, required=True)
    iat = _get(claims, IAT, is_int)
    iss = _get(claims, ISS, lambda v: type(v) is str)
    gh = _labels(_get(claims, GATEHOUSE, lambda v: type(v) is dict, required=True), "gatehouse")
    kind = _get(gh, KIND, lambda v: is_int(v) and v in KINDS, required=True)
    out = {"sub": sub, "exp": exp, "nbf": nbf}
    if iat is not None:
        out["iat"] = iat
    if iss is not None:
        out["iss"] = iss
    out |= {
        "kind": KINDS[kind],
        "serial": _get(gh, SERIAL, is_uint, required=True),
        "zones": _get(gh, ZONES, is_uint_list) or [],
        "escort": _get(gh, ESCORT, lambda v: type(v) is bool) or False,
        "host": _get(gh, HOST, is_uint),
        "items": _get(gh, ITEMS, is_uint_list) or [],
    }
    return out


def verify(text: str, trusted: dict[bytes, Ed25519PublicKey], now: int) -> dict:
    """Claims of a valid pass, or Denied; checks in the order of the doc's table."""
    raw = decode_text(text)
    tagged = strict_loads(raw, tag=COSE_SIGN1_TAG)
    parts = tagged.value
    if type(parts) is not list or len(parts) != 4:
        raise malformed("COSE_Sign1 is not a 4-element array")
    protected, unprotected, payload, signature = parts
    if type(protected) is not bytes or type(payload) is not bytes:
        raise malformed("protected header or payload is not a byte string")
    if type(signature) is not bytes or len(signature) != 64:
        raise malformed("signature is not 64 bytes")
    if unprotected != {}:
        raise malformed("unprotected header is not empty")
    header = strict_loads(protected)
    if type(header) is not dict or set(_labels(header, "header")) != {1, 4}:
        raise malformed("protected header is not {1: alg, 4: kid}")
    if not is_int(header[1]) or header[1] != ALG_EDDSA:
        raise malformed("alg is not -8")
    kid = header[4]
    if type(kid) is not bytes or len(kid) != 8:
        raise malformed("kid is not 8 bytes")

    if kid not in trusted:
        raise Denied("unknown_credential")
    try:
        message = Sign1Message.decode(raw)
    except Exception as e:  # the checks above should leave pycose nothing to refuse
        raise malformed(f"pycose: {e}") from None
    message.key = cose_key(trusted[kid])
    if not message.verify_signature():
        raise Denied("bad_signature")
    # Claims are read only once the signature vouches for them.
    claims = parse_claims(payload)

    if now < claims["nbf"]:
        raise Denied("not_yet_valid")
    if now >= claims["exp"]:
        raise Denied("expired")
    return claims


# --- Issue ----------------------------------------------------------------------------


def issue(private: Ed25519PrivateKey, claims: dict) -> str:
    public = private.public_key()
    # pycose keeps the header dict's order: alg first, as the doc writes it.
    message = Sign1Message(
        phdr={Algorithm: EdDSA, KID: key_id(public)},
        uhdr={},
        payload=cbor2.dumps(claims),
    )
    message.key = OKPKey(
        crv=Ed25519,
        x=raw_public(public),
        d=private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        ),
    )
    return PREFIX + base45.b45encode(message.encode(tag=True)).decode()


def claims_from_args(args) -> dict:
    gh = {KIND: {v: k for k, v in KINDS.items()}[args.kind], SERIAL: args.serial}
    if args.zones is not None:
        gh[ZONES] = args.zones
    if args.escort:  # the doc: escort is written only when true
        gh[ESCORT] = True
    if args.host is not None:
        gh[HOST] = args.host
    if args.items is not None:
        gh[ITEMS] = args.items
    claims = {SUB: args.subject, EXP: args.expires, NBF: args.not_before}
    if args.iat is not None:
        claims[IAT] = args.iat
    claims[GATEHOUSE] = gh
    return claims


# --- Tamper ---------------------------------------------------------------------------


def _flip(data: bytes, index: int, bit: int = 0) -> bytes:
    out = bytearray(data)
    out[index] ^= 1 << bit
    return bytes(out)


def tamper(text: str) -> list[dict]:
    """Variants of a valid pass that every verifier must refuse (reasons: tests/cli)."""
    raw = decode_text(text)
    protected, unprotected, payload, signature = strict_loads(raw, tag=COSE_SIGN1_TAG).value

    def cose(p=protected, pl=payload, s=signature, tagged=True) -> bytes:
        parts = [p, unprotected, pl, s]
        return cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, parts) if tagged else parts)

    # Re-encoding must give the pass back byte for byte, so each variant below differs
    # from it by exactly the change its name says.
    if cose() != raw:
        raise SystemExit("tamper: the pass is not in preferred CBOR encoding")

    def gh1(data: bytes) -> str:
        return PREFIX + base45.b45encode(data).decode()

    body = text[len(PREFIX) :]
    kid = cbor2.loads(protected)[4]
    alg_at = protected.find(b"\x01\x27") + 1  # label 1, value -8
    sub = cbor2.dumps(cbor2.loads(payload)[SUB])
    sub_last = payload.find(sub) + len(sub) - 1
    if alg_at == 0 or len(sub) < 2 or not 0xA0 <= payload[0] < 0xB7 or body.lower() == body:
        raise SystemExit("tamper: need alg -8, a subject, a small claims map, letters")
    # One extra `2: sub` entry: a duplicated label (the map has fewer than 23 entries).
    duplicated = bytes([payload[0] + 1]) + payload[1:] + cbor2.dumps(SUB) + sub
    # The array head 0x84 replaced by "indefinite array" 0x9f, closed by the break 0xff.
    indefinite = raw[:1] + b"\x9f" + raw[2:] + b"\xff"

    variants = {
        "signature_bit": gh1(cose(s=_flip(signature, 0))),
        "payload_subject_bit": gh1(cose(pl=_flip(payload, sub_last))),
        "payload_middle_bit": gh1(cose(pl=_flip(payload, len(payload) // 2))),
        "payload_not_a_map": gh1(cose(pl=_flip(payload, 0, 5))),  # map head -> array head
        "payload_duplicated_label": gh1(cose(pl=duplicated)),
        "protected_kid_bit": gh1(cose(p=_flip(protected, protected.rfind(kid) + 7))),
        "protected_alg_bit": gh1(cose(p=_flip(protected, alg_at))),  # -8 becomes -7
        "truncated": text[:-5],
        "wrong_prefix": "GH2:" + body,
        "not_base45": PREFIX + body.lower(),
        "untagged": gh1(cose(tagged=False)),
        "indefinite_array": gh1(indefinite),
        "trailing_byte": gh1(raw + b"\x00"),
    }
    return [{"name": name, "text": t} for name, t in variants.items()]


# --- Commands -------------------------------------------------------------------------


def cmd_verify(args) -> int:
    trusted = {key_id(k): k for k in map(load_public, args.pub)}
    try:
        claims = verify(args.text, trusted, args.at)
    except Denied as e:
        print(f"denied: {e.reason}", file=sys.stderr)
        if args.why:
            print(f"why: {e}", file=sys.stderr)
        return 1
    print(json.dumps(claims))
    return 0


def cmd_issue(args) -> int:
    print(issue(load_private(args.key), claims_from_args(args)))
    return 0


def cmd_bench(args) -> int:
    key = cose_key(load_public(args.pub))
    body = args.text.removeprefix(PREFIX)

    def once() -> bool:
        message = Sign1Message.decode(base45.b45decode(body))
        message.key = key
        ok = message.verify_signature()
        cbor2.loads(message.payload)
        return ok

    if not once():  # also warms up
        print("denied: bad_signature", file=sys.stderr)
        return 1
    times = []
    for _ in range(args.iterations):
        start = time.perf_counter_ns()
        once()
        times.append(time.perf_counter_ns() - start)
    result = {
        "mean_us": round(statistics.fmean(times) / 1000, 3),
        "median_us": round(statistics.median(times) / 1000, 3),
        "iterations": args.iterations,
    }
    print(json.dumps(result))
    return 0


def cmd_keygen(args) -> int:
    private = Ed25519PrivateKey.generate()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # O_EXCL: never overwrite a key; 0600 from the start, never readable by others.
    try:
        fd = os.open(out / "issuer.key", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as e:
        raise KeyFileError(str(e)) from None
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    (out / "issuer.pub").write_bytes(
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    print(key_id(private.public_key()).hex())
    return 0


def cmd_kid(args) -> int:
    print(key_id(load_public(args.pub)).hex())
    return 0


def cmd_tamper(args) -> int:
    try:
        print(json.dumps(tamper(args.text)))
    except Denied as e:
        raise SystemExit(f"tamper: not a pass: {e}") from None
    return 0


def id_list(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("verify", help="verify a pass; print its claims as JSON")
    p.add_argument("--pub", action="append", required=True, help="trusted SPKI PEM")
    p.add_argument("--at", type=int, default=int(time.time()), help="Unix seconds")
    p.add_argument("--why", action="store_true", help="explain a denial on a second line")
    p.add_argument("text")
    p.set_defaults(run=cmd_verify)

    p = sub.add_parser("issue", help="issue a pass; print its GH1: text")
    p.add_argument("--key", required=True, help="Ed25519 PKCS#8 PEM")
    p.add_argument("--kind", required=True, choices=list(KINDS.values()))
    p.add_argument("--subject", required=True)
    p.add_argument("--serial", type=int, required=True)
    p.add_argument("--zones", type=id_list)
    p.add_argument("--escort", action="store_true")
    p.add_argument("--host", type=int)
    p.add_argument("--items", type=id_list)
    p.add_argument("--not-before", type=int, required=True, help="Unix seconds")
    p.add_argument("--expires", type=int, required=True, help="Unix seconds")
    p.add_argument("--iat", type=int, help="Unix seconds")
    p.set_defaults(run=cmd_issue)

    p = sub.add_parser("bench", help="time decode + verify of a pass")
    p.add_argument("--pub", required=True)
    p.add_argument("--iterations", type=int, required=True)
    p.add_argument("text")
    p.set_defaults(run=cmd_bench)

    p = sub.add_parser("keygen", help="write DIR/issuer.key and DIR/issuer.pub")
    p.add_argument("--out", required=True)
    p.set_defaults(run=cmd_keygen)

    p = sub.add_parser("kid", help="print the key id of a public key")
    p.add_argument("--pub", required=True)
    p.set_defaults(run=cmd_kid)

    p = sub.add_parser("tamper", help="print tampered variants of a pass as JSON")
    p.add_argument("text")
    p.set_defaults(run=cmd_tamper)

    args = parser.parse_args()
    try:
        return args.run(args)
    except KeyFileError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
