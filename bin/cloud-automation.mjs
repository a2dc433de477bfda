#!/usr/bin/env node
// `npx cloud-automation plan|apply|audit`: runs the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../scripts/cli.ts');
