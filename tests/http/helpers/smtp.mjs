// The tests' SMTP sink (smtp_sink.py beside this file) and a free loopback port for it:
// started by the test on 127.0.0.1, stopped by its process id; the text of a message.
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SINK = path.join(path.dirname(fileURLToPath(import.meta.url)), 'smtp_sink.py');

/** Whether port on 127.0.0.1 can be listened on now (0: any; resolves the port, or 0). */
function tryListen(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.on('error', () => resolve(0));
    srv.listen(port, '127.0.0.1', () => {
      const got = srv.address().port;
      srv.close(() => resolve(got));
    });
  });
}

/**
 * A port on 127.0.0.1 that was free a moment ago, for a server another process starts
 * later.  Chosen below the kernel's range of ephemeral ports (32768 and up here): a port
 * from that range can be taken in between by any outgoing connection of the tests running
 * in parallel (it happened: the SMTP sink then found its port in use).
 */
export async function freePort() {
  for (let i = 0; i < 50; i++) {
    const port = await tryListen(20000 + Math.floor(Math.random() * 12000));
    if (port) return port;
  }
  return tryListen(0);
}

/** Starts the sink on port, writing each message into dir; delay: seconds per message. */
export async function startSmtp(port, dir, delay = 0) {
  const args = [SINK, String(port), dir];
  if (delay) args.push(String(delay));
  const proc = spawn('/usr/bin/python3', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`smtp sink did not start: ${out}`)), 15000);
    proc.stdout.on('data', (d) => { out += d; if (out.includes('ready')) { clearTimeout(timer); resolve(); } });
    proc.stderr.on('data', (d) => { out += d; });
    proc.on('exit', () => { clearTimeout(timer); reject(new Error(`smtp sink exited: ${out}`)); });
  });
  // out: everything the sink has printed so far ('data N' once the Nth message has arrived)
  return { proc, port, dir, get out() { return out; } };
}

/** Stops a sink from startSmtp (nothing when it has already exited). */
export async function stopSmtp(m) {
  if (!m || m.proc.exitCode !== null) return;
  const exited = new Promise((r) => m.proc.once('exit', r));
  process.kill(m.proc.pid, 'SIGTERM');
  await exited;
}

/** The text part of an e-mail vejled sent (base64 in the message), decoded. */
export function mailText(mail) {
  const m = /charset=utf-8\r?\nContent-Transfer-Encoding: base64\r?\n\r?\n([A-Za-z0-9+/=\r\n]+?)\r?\n--/.exec(mail);
  if (!m) throw new Error('no text part in the message');
  return Buffer.from(m[1].replace(/\s/g, ''), 'base64').toString('utf8');
}
