import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const autocannonBin = join(fileURLToPath(new URL('..', import.meta.url)), 'node_modules/autocannon/autocannon.js');

export interface Load {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** CPU the load generator itself took, in cores (user + system over the run). */
  cpu: number;
  /** Answers per status, e.g. "200:5120 429:3". */
  codes: string;
}

/**
 * autocannon in its own process (so that it does not share an event loop with anything measured). With `paths` (a
 * JSON file of paths), each request takes the next path of the list, from `start` on (autocannon's API, in that process).
 */
export function autocannon(
  url: string,
  opts: { seconds: number; connections: number; paths?: { file: string; start: number } | undefined },
): Promise<Load> {
  const { paths } = opts;
  const setup = paths
    ? `const paths=JSON.parse(require('fs').readFileSync(${JSON.stringify(paths.file)},'utf8'));let i=${paths.start};`
    : '';
  const requests = paths ? 'requests:[{setupRequest:(r)=>({...r,path:paths[i++%paths.length]})}],' : '';
  const code =
    `const ac=require(${JSON.stringify(autocannonBin)});${setup}const c0=process.cpuUsage();` +
    `ac({url:${JSON.stringify(url)},connections:${opts.connections},duration:${opts.seconds},${requests}},` +
    '(e,r)=>{if(e){console.error(e);process.exit(1)}const c=process.cpuUsage(c0);' +
    'console.log(JSON.stringify({...r,cpuMicros:c.user+c.system}))})';
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`autocannon ended with ${code}: ${err}`));
      const r = JSON.parse(out) as {
        duration: number;
        errors: number;
        timeouts: number;
        non2xx: number;
        latency: { p50: number; p99: number };
        requests: { total: number };
        statusCodeStats?: Record<string, { count: number }>;
        cpuMicros: number;
      };
      resolve({
        rps: r.requests.total / r.duration,
        p50: r.latency.p50,
        p99: r.latency.p99,
        non2xx: r.non2xx,
        errors: r.errors + r.timeouts,
        cpu: r.cpuMicros / 1e6 / r.duration,
        codes: Object.entries(r.statusCodeStats ?? {})
          .map(([c, s]) => `${c}:${s.count}`)
          .join(' '),
      });
    });
  });
}
