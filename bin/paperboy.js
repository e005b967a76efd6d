#!/usr/bin/env node
// Loads the TypeScript CLI through tsx in this process, so `npx paperboy` works from a clean clone without a build.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
