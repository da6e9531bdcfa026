#!/usr/bin/env python3
"""Writes fuzz/seeds/: a few valid inputs per target (frames, edges, scans), so fuzzing
starts from the shapes real devices send. Rerun after changing an input layout:
python3 fuzz/make_seeds.py"""
import os, struct
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds")
def crc16(b):
    crc = 0x1D0F
    for x in b:
        crc ^= x << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc
def frame(addr, sqn, code, data=b"", scb=None, mac=None):
    body_len = 5 + (2 + len(scb[1]) if scb else 0) + 1 + len(data) + (4 if mac else 0) + 2
    ctrl = (sqn & 3) | 4 | (8 if scb else 0)
    b = bytes([0x53, addr, body_len & 0xFF, body_len >> 8, ctrl])
    if scb:
        b += bytes([2 + len(scb[1]), scb[0]]) + scb[1]
    b += bytes([code]) + data
    if mac: b += mac
    return b + struct.pack("<H", crc16(b))
def checksum_frame(addr, code, data=b""):
    b = bytes([0x53, addr, 7 + len(data), 0, 1, code]) + data
    return b + bytes([(-sum(b)) & 0xFF])
def write(target, name, data):
    d = os.path.join(root, target); os.makedirs(d, exist_ok=True)
    open(os.path.join(d, name), "wb").write(data)

card26 = bytes.fromhex("f3f73480")  # H10301 231/61033, from testdata/wiegand-vectors.json
# osdp_frame: mode byte, then the bus (bit 7 clear) or a sealed reply (bit 7 set).
write("osdp_frame", "ack", bytes([0x00]) + frame(0x81, 1, 0x40))
write("osdp_frame", "raw-card", bytes([0x3F]) + frame(0x81, 2, 0x50, bytes([0, 1, 26, 0]) + card26))
write("osdp_frame", "checksum-nak", bytes([0x10]) + checksum_frame(0x85, 0x41, b"\x06"))
write("osdp_frame", "garbage-then-keypad-pdid", bytes([0x05]) + b"\xff\x53\x00\x12" +
      frame(0x81, 3, 0x53, bytes([0, 3]) + b"12\x0d") +
      frame(0x81, 1, 0x45, bytes([0xBE, 0xBA, 0xFE, 1, 2, 0xAF, 0xBE, 0xAD, 0xDE, 3, 4, 5])))
write("osdp_frame", "ccrypt", bytes([0x07]) + frame(0x81, 1, 0x76, bytes(range(32)), scb=(0x12, b"\x01")))
write("osdp_frame", "rmac-i", bytes([0x07]) + frame(0x81, 2, 0x78, bytes(range(16)), scb=(0x14, b"\x01")))
write("osdp_frame", "reply-mac", bytes([0x20]) + frame(0x81, 3, 0x48, b"\x00\x01", scb=(0x16, b""), mac=b"\x01\x02\x03\x04"))
write("osdp_frame", "reply-enc", bytes([0x20]) + frame(0x81, 3, 0x50, bytes(range(16)), scb=(0x18, b""), mac=b"\x01\x02\x03\x04"))
write("osdp_frame", "sealed-raw", bytes([0x86, 0, 0, 0x50]) + bytes([0, 1, 26, 0]) + card26)
write("osdp_frame", "sealed-ack-changed", bytes([0x85, 7, 0x20, 0x40]))
write("osdp_frame", "sealed-pdcap-changed", bytes([0x87, 12, 0x01, 0x46]) + bytes([9, 1, 0, 1, 2, 1]))

# wiegand_assembler: timeout ms, pause steps, then (op, gap lo, gap hi).
def pulses(bits, gap_100us=15):
    out = b""
    for c in bits:
        out += bytes([(1 if c == "1" else 0) | (1 << 2), gap_100us, 0])
    return out
deadline = bytes([3, 0, 0])
card_bits = "11110011111101110011010010"
write("wiegand_assembler", "card26", bytes([25, 100]) + pulses(card_bits) + deadline)
def key8(v): return format(((~v & 0xF) << 4) | v, "08b")
def key4(v): return format(v, "04b")
pin = b"".join(pulses(key8(v)) + bytes([2, 100, 0 | 0]) for v in [1, 2, 3, 4, 11])
write("wiegand_assembler", "pin8-hash", bytes([25, 100]) + pin + deadline)
pin4 = b"".join(pulses(key4(v)) + bytes([2 | (2 << 2), 5, 0]) for v in [9, 8, 7, 6])
write("wiegand_assembler", "pin4-pause", bytes([25, 100]) + pin4 + bytes([2 | (3 << 2), 6, 0]))
write("wiegand_assembler", "skew-and-noise", bytes([25, 100]) + pulses("101") +
      bytes([1 | (1 << 2) | 0x10, 50, 0]) + pulses("1" * 70) + bytes([2 | (2 << 2), 3, 0]) + deadline)
write("wiegand_assembler", "decoders-only", bytes([26, 8]) + card26)

# qr_text: mode byte (mode % 4 picks the path), then bytes.
cose = (bytes([0xD2, 0x84, 0x4D, 0xA2, 0x01, 0x27, 0x04, 0x48]) + b"kid-0001" +
        bytes([0xA0, 0x46]) + b"claims" + bytes([0x58, 0x40]) + bytes(64))
B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
def b45(b):
    out = ""
    for i in range(0, len(b) - 1, 2):
        n = b[i] * 256 + b[i + 1]
        out += B45[n % 45] + B45[(n // 45) % 45] + B45[n // 2025]
    if len(b) % 2:
        n = b[-1]
        out += B45[n % 45] + B45[n // 45]
    return out
text = "GH1:" + b45(cose)
write("qr_text", "text-pass", bytes([0]) + text.encode())
write("qr_text", "text-url", bytes([0]) + b"https://example.com/menu")
write("qr_text", "cose-bytes", bytes([1]) + cose)
# Mode 5 (1 + 4): the bytes are the protected header inside a well-formed COSE_Sign1.
write("qr_text", "cose-protected-header", bytes([1 + 4 * 1]) + cose[3:16])
write("qr_text", "serial-lines", bytes([2 + 4 * 5]) + text.encode() + b"\r\nhello\n\xff\xfe\r" + b"x" * 40 + b"\n")
write("qr_text", "serial-default-max", bytes([2]) + text.encode() + b"\r\n")
KEYS = {c: (2 + i, False) for i, c in enumerate("1234567890-=")}
KEYS.update({c: (16 + i, False) for i, c in enumerate("qwertyuiop")})
KEYS.update({c: (30 + i, False) for i, c in enumerate("asdfghjkl")})
KEYS.update({c: (44 + i, False) for i, c in enumerate("zxcvbnm")})
for c in list(KEYS):
    if c.isalpha(): KEYS[c.upper()] = (KEYS[c][0], True)
KEYS[":"] = (39, True); KEYS[" "] = (57, False); KEYS["$"] = (5, True); KEYS["%"] = (6, True)
KEYS["*"] = (9, True); KEYS["+"] = (13, True); KEYS["."] = (52, False); KEYS["/"] = (53, False)
def ev(t_us, kind, code, value):
    return struct.pack("<qqHHi", t_us // 1_000_000, t_us % 1_000_000, kind, code, value)
def typed(s, t=1_700_000_000_000_000):
    out = b""
    for c in s:
        code, shift = KEYS[c]
        if shift: out += ev(t, 1, 42, 1)
        out += ev(t, 1, code, 1) + ev(t + 500, 1, code, 0) + ev(t + 500, 0, 0, 0)
        if shift: out += ev(t + 600, 1, 42, 0)
        t += 2000
    return out + ev(t, 1, 28, 1) + ev(t + 500, 1, 28, 0)
write("qr_text", "wedge-pass", bytes([3]) + typed(text[:60]))
write("qr_text", "wedge-short-max", bytes([3 + 4 * 8]) + typed("GH1:ABC 123"))
