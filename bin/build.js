// The CLI's JavaScript, built from src/ with esbuild into node_modules/.cache/paperboy/<fingerprint of src/>: a start
// then loads plain modules (about half the CPU of transpiling them through tsx's loader, in every process of
// `serve --processes N`). A changed src/ gets a new build on the next start; several processes starting together
// each build into their own folder and the first rename wins.
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const tsconfig = join(root, 'tsconfig.json');
const cache = join(root, 'node_modules/.cache/paperboy');
/** Bump when the build's options change: older builds are then not used. */
const BUILD_VERSION = 1;
/** Builds kept beside the current one, for processes still running from them (lazy imports, worker threads). */
const KEEP = 4;

const isSource = (file) => /\.tsx?$/.test(file) && !/\.test\.tsx?$/.test(file);

function filesUnder(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) filesUnder(path, out);
    else if (!/\.test\.tsx?$/.test(entry.name)) out.push(path);
  }
  return out;
}

/** The URL of the built src/cli/main.js, or undefined when it cannot be built here (then run through tsx). */
export async function builtCli() {
  try {
    const files = filesUnder(src).sort();
    const hash = createHash('sha256').update(`${BUILD_VERSION}\0`);
    for (const file of [tsconfig, ...files]) {
      const s = statSync(file);
      hash.update(`${relative(root, file)}\0${s.size}\0${Math.floor(s.mtimeMs)}\0`);
    }
    const out = join(cache, hash.digest('hex').slice(0, 16));
    const main = join(out, 'src/cli/main.js');
    if (existsSync(main)) {
      const now = new Date();
      utimesSync(out, now, now);
      return pathToFileURL(main).href;
    }
    await build(files, out);
    prune(out);
    return pathToFileURL(main).href;
  } catch {
    return undefined;
  }
}

async function build(files, out) {
  const esbuild = await import('esbuild');
  const temporary = `${out}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    await esbuild.build({
      entryPoints: files.filter(isSource),
      outbase: root,
      outdir: temporary,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      tsconfig,
      sourcemap: 'linked',
      logLevel: 'silent',
    });
    for (const file of files.filter((f) => !/\.tsx?$/.test(f))) {
      const to = join(temporary, relative(root, file));
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(file, to);
    }
    try {
      renameSync(temporary, out);
    } catch (error) {
      // Another process finished the same build first.
      if (!existsSync(join(out, 'src/cli/main.js'))) throw error;
    }
  } finally {
    rmSync(temporary, { recursive: true, force: true });
  }
}

function prune(current) {
  const builds = readdirSync(cache)
    .map((name) => join(cache, name))
    .filter((path) => path !== current && !path.endsWith('.tmp'))
    .map((path) => ({ path, used: statSync(path).mtimeMs }))
    .sort((a, b) => b.used - a.used);
  for (const { path } of builds.slice(KEEP)) rmSync(path, { recursive: true, force: true });
}
