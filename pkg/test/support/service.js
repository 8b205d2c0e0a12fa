// The real flag service (`vexil serve`, built with `cargo build --features server`) for tests:
// started on 127.0.0.1 with a port of its own choosing, a fresh data folder, the example
// snapshot as its seed and a generated admin token; ended by PID.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** The service binary: in CARGO_TARGET_DIR (relative to the repository, as cargo reads it) or target/. */
export const binary = join(resolve(root, process.env.CARGO_TARGET_DIR ?? 'target'), 'debug', 'vexil');

const seed = join(root, 'examples', 'snapshot.json');

/**
 * Starts the service (with `args` added to `vexil serve`'s, and `seed` instead of the example
 * snapshot, or none for `null`) and resolves, once it listens, to `{ url, pid, admin, clientKey,
 * serverKey, api, kill, stop }`: `api(method, path, body)` calls the admin API with the admin
 * token and resolves to `{ status, body }`; `kill()` ends the process at once (SIGKILL) and
 * resolves when it has exited; `stop()` kills it and removes its data folder.
 */
export async function startService({ timeout = 30_000, args = [], seed: seedFile = seed } = {}) {
  if (!existsSync(binary)) throw new Error(`no service binary at ${binary}: run \`cargo build --features server\` first`);
  const data = mkdtempSync(join(tmpdir(), 'vexil-service-'));
  const admin = `vxa_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('hex')}`;
  const child = spawn(binary, ['serve', '--data', data, '--listen', '127.0.0.1:0', ...(seedFile ? ['--seed', seedFile] : []), ...args], {
    env: { ...process.env, VEXIL_ADMIN_TOKEN: admin },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((done) => child.once('exit', done));
  const kill = async () => {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    await exited;
  };
  const stop = async () => {
    await kill();
    rmSync(data, { recursive: true, force: true });
  };
  let output = '';
  try {
    const found = await new Promise((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`the service did not start within ${timeout} ms:\n${output}`)), timeout);
      const read = (chunk) => {
        output += chunk;
        const url = /^listening on (http:\/\/\S+)$/m.exec(output)?.[1];
        if (!url) return;
        clearTimeout(timer);
        done({
          url,
          clientKey: /^client key for production \(shown once\): (vxc_\S+)$/m.exec(output)?.[1],
          serverKey: /^server key for production \(shown once\): (vxs_\S+)$/m.exec(output)?.[1],
        });
      };
      child.stdout.setEncoding('utf8').on('data', read);
      child.stderr.setEncoding('utf8').on('data', (chunk) => (output += chunk));
      child.once('exit', (code) => {
        clearTimeout(timer);
        fail(new Error(`the service exited with ${code} before listening:\n${output}`));
      });
    });
    if (!found.clientKey || !found.serverKey) throw new Error(`the service printed no SDK keys:\n${output}`);
    const api = async (method, path, body) => {
      const headers = { authorization: `Bearer ${admin}` };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${found.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    };
    return { ...found, pid: child.pid, admin, api, kill, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
