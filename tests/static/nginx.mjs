// Starts and stops Debian's nginx on a cnimap static site, on a free loopback port, with
// tests/static/nginx.conf.template: its pid, logs and temp paths in a fresh temp folder, so it
// needs no root and leaves nothing behind. When run as root it drops to nobody (setpriv) first,
// so the server under test is unprivileged either way.
//
//   node tests/static/nginx.mjs SITE [PORT]     serve SITE until Ctrl-C (prints the URL)

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const TEMPLATE = path.join(HERE, 'nginx.conf.template');
export const NGINX = process.env.NGINX || '/usr/sbin/nginx';
const NOBODY = 65534;

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** The config for serving `root` on `port`, with its files under `tmp`. */
export function renderConfig(root, port, tmp) {
  return fs.readFileSync(TEMPLATE, 'utf8')
    .replaceAll('@ROOT@', path.resolve(root))
    .replaceAll('@PORT@', String(port))
    .replaceAll('@TMP@', tmp);
}

/**
 * Starts nginx on `site` and waits until it answers site.json. Returns
 * { base, port, child, tmp, log() }; throws with nginx's error log when it does not start.
 */
export async function startNginx(site, port) {
  if (!fs.existsSync(NGINX)) {
    throw new Error(`nginx not found at ${NGINX}: run scripts/setup.sh (Debian package nginx)`);
  }
  if (!fs.existsSync(path.join(site, 'site.json'))) {
    throw new Error(`${site} is not a static site (no site.json): run cnimap export-site`);
  }
  port = port || await freePort();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cnimap-nginx-'));
  const conf = path.join(tmp, 'nginx.conf');
  fs.writeFileSync(conf, renderConfig(site, port, tmp));
  const args = ['-p', `${tmp}/`, '-c', conf, '-e', path.join(tmp, 'error.log')];
  let cmd = NGINX;
  let cmdArgs = args;
  if (process.getuid && process.getuid() === 0) {
    // Root: run the whole nginx as nobody, which must own its temp folder and read the site.
    for (let dir = path.resolve(site); ; dir = path.dirname(dir)) {
      if ((fs.statSync(dir).mode & 0o001) === 0) {
        throw new Error(`nginx runs as nobody and cannot reach ${site}: ${dir} is not world-searchable (put the site under ${os.tmpdir()})`);
      }
      if (dir === path.dirname(dir)) break;
    }
    fs.chownSync(tmp, NOBODY, NOBODY);
    cmd = 'setpriv';
    cmdArgs = [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', NGINX, ...args];
  }
  const child = spawn(cmd, cmdArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const log = () => {
    let err = '';
    try { err = fs.readFileSync(path.join(tmp, 'error.log'), 'utf8'); } catch { /* not written yet */ }
    return out + err;
  };
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}):\n${log()}`);
    try {
      const r = await fetch(`${base}/site.json`);
      if (r.ok) return { base, port, child, tmp, log };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGTERM');
  throw new Error(`nginx did not answer on ${base} in time:\n${log()}`);
}

/** Stops nginx started by startNginx (fast shutdown) and removes its temp folder. */
export async function stopNginx(server) {
  if (!server || !server.child) return;
  if (server.child.exitCode === null) {
    const exited = new Promise((r) => server.child.once('exit', r));
    server.child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  }
  fs.rmSync(server.tmp, { recursive: true, force: true });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [site, port] = process.argv.slice(2);
  if (!site) {
    process.stderr.write('usage: node tests/static/nginx.mjs SITE [PORT]\n');
    process.exit(2);
  }
  const server = await startNginx(path.resolve(site), port ? Number(port) : undefined);
  process.stdout.write(`nginx serving ${site} at ${server.base}/ (logs in ${server.tmp}); Ctrl-C stops it\n`);
  const stop = async () => { await stopNginx(server); process.exit(0); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
