#!/usr/bin/env python3
"""An OSDP peripheral device (a card reader) for Gatehouse's interoperability tests.

libosdp's PD (from PyPI, pinned in requirements-test.txt) runs on the master side of a
pseudo-terminal in raw mode; the control panel under test opens the slave /dev/pts/N as
its serial port.

With --also, more (plain) readers share the same line, as on a multi-drop RS-485 bus: each
hears every byte the control panel sends and answers only its own address.

Protocol with the test, JSON lines ("address" picks the reader; default: --address):
  stdout  {"pty": "/dev/pts/N"}              once, when the PDs are ready
          {"address": N, "command": {...}}   each command the CP sent (bytes as hex)
          {"address": N, "secure": true}     when the Secure Channel becomes active
  stdin   {"card": {"bits": 26, "hex": "..."}, "address": N}  present a card (raw bits)
          {"keys": "1234#", "address": N}    type on the keypad
          {"quit": true}                     stop (end of stdin also stops)

Usage: osdp_pd.py --address N [--scbk HEX32] [--install-mode] [--also M ...]
"""

import argparse
import json
import os
import sys
import threading
import time
import tty

import osdp


class SharedLine:
    """The RS-485 line: the pty master, which the control panel's bytes arrive on and every
    PD's replies go out on. Each PD on the line hears every byte the CP sends (a PD answers
    only frames with its own address), as on a real multi-drop bus."""

    def __init__(self, fd):
        self.fd = fd
        self.write_lock = threading.Lock()
        self.taps = []
        threading.Thread(target=self._hear, daemon=True).start()

    def _hear(self):
        while True:
            try:
                data = os.read(self.fd, 4096)
            except OSError:
                return
            if not data:
                return
            for tap in self.taps:
                tap.hear(data)

    def tap(self):
        tap = LineTap(self)
        self.taps.append(tap)
        return tap

    def write(self, buf):
        with self.write_lock:
            try:
                return os.write(self.fd, bytes(buf))
            except OSError:
                return 0


class LineTap(osdp.Channel):
    """One PD's connection to the shared line: libosdp's byte channel, non-blocking."""

    def __init__(self, line):
        super().__init__()
        self.line = line
        self.lock = threading.Lock()
        self.inbox = bytearray()

    def hear(self, data):
        with self.lock:
            self.inbox.extend(data)

    def read(self, max_bytes):
        with self.lock:
            data = bytes(self.inbox[:max_bytes])
            del self.inbox[:max_bytes]
        return data

    def write(self, buf):
        return self.line.write(buf)

    def flush(self):
        pass


out_lock = threading.Lock()


def emit(obj):
    with out_lock:
        sys.stdout.write(json.dumps(obj, sort_keys=True) + "\n")
        sys.stdout.flush()


def plain(value):
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def start_pd(line, address, scbk, install_mode):
    """A libosdp PD (a card reader) at `address` on the shared line."""
    flags = []
    if scbk:
        flags.append(osdp.LibFlag.EnforceSecure)
    if install_mode:
        flags.append(osdp.LibFlag.InstallMode)
    info = osdp.PDInfo(
        address,
        line.tap(),
        scbk=bytes.fromhex(scbk) if scbk else None,
        flags=flags,
        id=osdp.PdId(2, 7, 0x00A1B2, 0x12345678 + address - 1, 0x00010203),
    )
    caps = osdp.PDCapabilities([
        (osdp.Capability.CommunicationSecurity, 1, 1),
        (osdp.Capability.LEDControl, 1, 1),
        (osdp.Capability.AudibleControl, 1, 1),
        (osdp.Capability.OutputControl, 1, 1),
        (osdp.Capability.CheckCharacter, 1, 0),
    ])

    def on_command(command):
        emit({"address": address, "command": plain(command)})
        return 0, None

    pd = osdp.PeripheralDevice(info, caps, log_level=osdp.LogLevel.Error,
                               command_handler=on_command)
    pd.start()
    return pd


def watch_secure(pds):
    was = {address: False for address in pds}
    while True:
        for address, pd in pds.items():
            now = bool(pd.is_sc_active())
            if now != was[address]:
                emit({"address": address, "secure": now})
                was[address] = now
        time.sleep(0.05)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--address", type=int, required=True)
    parser.add_argument("--scbk", help="the PD's Secure Channel base key, 32 hex digits")
    parser.add_argument("--install-mode", action="store_true",
                        help="accept SCBK-D (the default key) for a KEYSET")
    parser.add_argument("--also", type=int, action="append", default=[], metavar="ADDRESS",
                        help="another (plain) reader at ADDRESS on the same line")
    args = parser.parse_args()

    master, slave = os.openpty()
    tty.setraw(master)
    tty.setraw(slave)
    path = os.ttyname(slave)
    line = SharedLine(master)

    pds = {args.address: start_pd(line, args.address, args.scbk, args.install_mode)}
    for address in args.also:
        pds[address] = start_pd(line, address, None, False)
    emit({"pty": path})
    threading.Thread(target=watch_secure, args=(pds,), daemon=True).start()

    for request_line in sys.stdin:
        request_line = request_line.strip()
        if not request_line:
            continue
        request = json.loads(request_line)
        if request.get("quit"):
            break
        pd = pds[request.get("address", args.address)]
        if "card" in request:
            card = request["card"]
            pd.submit_event({
                "event": osdp.Event.CardRead,
                "reader_no": 0,
                "direction": 0,
                "format": osdp.CardFormat.Wiegand,
                "length": int(card["bits"]),
                "data": bytes.fromhex(card["hex"]),
            })
        if "keys" in request:
            keys = request["keys"].replace("#", "\r").replace("*", "\x7f").encode()
            pd.submit_event({
                "event": osdp.Event.KeyPress,
                "reader_no": 0,
                "data": keys,
            })
    for pd in pds.values():
        pd.stop()
    os._exit(0)


if __name__ == "__main__":
    main()
