#!/usr/bin/env node
// The `andon` command (package.json "bin"). Runs the TypeScript CLI through tsx.
import { register } from "tsx/esm/api";

register();
await import("./cli/main.ts");
