#!/usr/bin/python3
"""A local SMTP sink for the delivery tests: aiosmtpd on 127.0.0.1:PORT writing every
message it accepts, as received, to DIR/NNNN.eml, and the moment it accepted it (its
answer 250, Unix seconds with a fraction) to DIR/NNNN.accepted.  With DELAY (seconds) it
answers each message that much later (a slow mail server).  Prints 'ready' once it listens
and 'data N' when the Nth message's content has arrived (before the delay); stops on
SIGTERM.  Usage: smtp_sink.py PORT DIR [DELAY]"""
import asyncio
import os
import signal
import sys
import time

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder, delay):
        self.folder = folder
        self.delay = delay
        self.count = 0
        self.arrived = 0

    async def handle_DATA(self, server, session, envelope):
        self.arrived += 1
        print(f"data {self.arrived}", flush=True)
        if self.delay:
            await asyncio.sleep(self.delay)
        self.count += 1
        name = os.path.join(self.folder, f"{self.count:04d}.eml")
        with open(name + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(name + ".tmp", name)
        with open(name[:-4] + ".accepted.tmp", "w") as f:
            f.write(f"{time.time():.6f}\n")
        os.rename(name[:-4] + ".accepted.tmp", name[:-4] + ".accepted")
        return "250 Message accepted"


def main():
    port, folder = int(sys.argv[1]), sys.argv[2]
    delay = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
    os.makedirs(folder, exist_ok=True)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    controller = Controller(Sink(folder, delay), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    controller.stop()


if __name__ == "__main__":
    main()
