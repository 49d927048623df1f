import { run as users } from "./users.ts";

export const run = (argv: string[]) => users(argv, "tokens");
