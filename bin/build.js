// The CLI's JavaScript, built from src/ with esbuild into node_modules/.cache/paperboy/<fingerprint of src/>: a start
// then loads plain modules (about half the CPU of transpiling them through tsx's loader, in every process of
// `serve --processes N`). A changed src/ gets a new build on the next start; several processes starting together
// each build into their own folder and the first rename wins.
import { createHash, randomBytes } from 'node:crypto';
import {
  accessSync,
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Bump when the build's options change: older builds are then not used. */
const BUILD_VERSION = 2;
/** Builds kept beside the current one, for processes still running from them (lazy imports, worker threads)... */
const KEEP = 4;
/** ...and any used within a day. */
const KEEP_MS = 86_400_000;
/** A build folder still named .tmp after an hour is what a killed build left. */
const ABANDONED_MS = 3_600_000;

const isSource = (file) => /\.tsx?$/.test(file) && !/\.test\.tsx?$/.test(file);

function filesUnder(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) filesUnder(path, out);
    else if (!/\.test\.tsx?$/.test(entry.name)) out.push(path);
  }
  return out;
}

/**
 * The URL of the built src/cli/main.js of the checkout at `root`, or undefined when it cannot be built there (then
 * the CLI runs through tsx): a folder this user cannot write, an esbuild error.
 */
export async function builtCli(root = fileURLToPath(new URL('..', import.meta.url))) {
  try {
    const tsconfig = join(root, 'tsconfig.json');
    const cache = join(root, 'node_modules/.cache/paperboy');
    const files = filesUnder(join(root, 'src')).sort();
    const hash = createHash('sha256').update(`${BUILD_VERSION}\0`);
    for (const file of [tsconfig, ...files]) {
      const s = statSync(file);
      hash.update(`${relative(root, file)}\0${s.size}\0${Math.floor(s.mtimeMs)}\0`);
    }
    const out = join(cache, hash.digest('hex').slice(0, 16));
    const main = join(out, 'src/cli/main.js');
    if (existsSync(main)) {
      markUsed(out);
      return pathToFileURL(main).href;
    }
    mkdirSync(cache, { recursive: true });
    accessSync(cache, constants.W_OK);
    await build(root, tsconfig, files, out);
    prune(cache, out);
    return pathToFileURL(main).href;
  } catch {
    return undefined;
  }
}

/** The build's time of last use, which pruning goes by (another user's build cannot be stamped: it is kept a day). */
function markUsed(out) {
  try {
    const now = new Date();
    utimesSync(out, now, now);
  } catch {}
}

async function build(root, tsconfig, files, out) {
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
    // Plain ES modules by their package scope, as package.json says for src/ (no reliance on syntax detection).
    writeFileSync(join(temporary, 'package.json'), '{ "type": "module" }\n');
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

function prune(cache, current) {
  const now = Date.now();
  const builds = [];
  for (const name of readdirSync(cache)) {
    const path = join(cache, name);
    if (path === current) continue;
    let used;
    try {
      used = statSync(path).mtimeMs;
    } catch {
      continue; // pruned by another process meanwhile
    }
    if (name.endsWith('.tmp')) {
      if (now - used > ABANDONED_MS) rmSync(path, { recursive: true, force: true });
    } else builds.push({ path, used });
  }
  builds.sort((a, b) => b.used - a.used);
  for (const { path, used } of builds.slice(KEEP))
    if (now - used > KEEP_MS) rmSync(path, { recursive: true, force: true });
}
