#!/usr/bin/env python3
"""An OSDP peripheral device (a card reader) for Gatehouse's interoperability tests.

libosdp's PD (from PyPI, pinned in requirements-test.txt) runs on the master side of a
pseudo-terminal in raw mode; the control panel under test opens the slave /dev/pts/N as
its serial port.

Protocol with the test, JSON lines:
  stdout  {"pty": "/dev/pts/N"}              once, when the PD is ready
          {"command": {...}}                 each command the CP sent (bytes as hex)
          {"secure": true}                   when the Secure Channel becomes active
  stdin   {"card": {"bits": 26, "hex": "..."}}  present a card (raw Wiegand bits)
          {"keys": "1234#"}                  type on the keypad
          {"quit": true}                     stop (end of stdin also stops)

Usage: osdp_pd.py --address N [--scbk HEX32] [--install-mode]
"""

import argparse
import json
import os
import sys
import threading
import time
import tty

import osdp


class PtyChannel(osdp.Channel):
    """libosdp's byte channel over the pty master, non-blocking."""

    def __init__(self, fd):
        super().__init__()
        self.fd = fd
        os.set_blocking(fd, False)

    def read(self, max_bytes):
        try:
            return os.read(self.fd, max_bytes)
        except (BlockingIOError, OSError):
            return b""

    def write(self, buf):
        try:
            return os.write(self.fd, bytes(buf))
        except (BlockingIOError, OSError):
            return 0

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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--address", type=int, required=True)
    parser.add_argument("--scbk", help="the PD's Secure Channel base key, 32 hex digits")
    parser.add_argument("--install-mode", action="store_true",
                        help="accept SCBK-D (the default key) for a KEYSET")
    args = parser.parse_args()

    master, slave = os.openpty()
    tty.setraw(master)
    tty.setraw(slave)
    path = os.ttyname(slave)

    flags = []
    if args.scbk:
        flags.append(osdp.LibFlag.EnforceSecure)
    if args.install_mode:
        flags.append(osdp.LibFlag.InstallMode)
    info = osdp.PDInfo(
        args.address,
        PtyChannel(master),
        scbk=bytes.fromhex(args.scbk) if args.scbk else None,
        flags=flags,
        id=osdp.PdId(2, 7, 0x00A1B2, 0x12345678, 0x00010203),
    )
    caps = osdp.PDCapabilities([
        (osdp.Capability.CommunicationSecurity, 1, 1),
        (osdp.Capability.LEDControl, 1, 1),
        (osdp.Capability.AudibleControl, 1, 1),
        (osdp.Capability.OutputControl, 1, 1),
        (osdp.Capability.CheckCharacter, 1, 0),
    ])

    def on_command(command):
        emit({"command": plain(command)})
        return 0, None

    pd = osdp.PeripheralDevice(info, caps, log_level=osdp.LogLevel.Error,
                               command_handler=on_command)
    pd.start()
    emit({"pty": path})

    def watch_secure():
        was = False
        while True:
            now = bool(pd.is_sc_active())
            if now != was:
                emit({"secure": now})
                was = now
            time.sleep(0.05)

    threading.Thread(target=watch_secure, daemon=True).start()

    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        request = json.loads(line)
        if request.get("quit"):
            break
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
    pd.stop()
    os._exit(0)


if __name__ == "__main__":
    main()
