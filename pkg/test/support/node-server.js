// A Node HTTP server of a test's own, as its own process: started with `args`, ready once it
// prints `listening http://127.0.0.1:PORT`, ended by its PID.

import { spawn } from 'node:child_process';

/** Resolves to `{ url, stop }`; rejects with the server's output if it exits first. */
export async function startNodeServer(args, { cwd, env = process.env } = {}) {
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
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /listening (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) resolve(match[1]);
    });
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => reject(new Error(`the server exited (${code}):\n${output}`)));
  });
  return { url, stop };
}
