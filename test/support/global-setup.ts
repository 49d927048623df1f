import type { TestProject } from "vitest/node";
import { startStack } from "./stack.ts";

declare module "vitest" {
  export interface ProvidedContext {
    stack: import("./stack.ts").TestEnv;
  }
}

export default async function setup(project: TestProject) {
  const { env, stop } = await startStack();
  project.provide("stack", env);
  return stop;
}
