// A Node HTTP server of a test's own (or a tool's, such as `next start`), as its own process:
// started with `args`, ready once its output matches `ready` (by default `listening
// http://127.0.0.1:PORT`, whose first group is the URL), ended by its PID.

import { spawn } from 'node:child_process';

/** Resolves to `{ url, stop }`; rejects with the server's output if it exits first. */
export async function startNodeServer(args, { cwd, env = process.env, ready = /listening (http:\/\/127\.0\.0\.1:\d+)/ } = {}) {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const stop = () => {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  const url = await new Promise((resolve, reject) => {
    const read = (chunk) => {
      output += chunk;
      const match = ready.exec(output);
      if (match) resolve(match[1]);
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => reject(new Error(`the server exited (${code}):\n${output}`)));
  });
  return { url, stop };
}
