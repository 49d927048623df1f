// Test-facing names for the isolated stack (lib/dev/isolated-stack.ts, shared with `andon bench`).
export {
  type StackEnv as TestEnv,
  scratchPlant as testPlant,
  seedPlantInto as seedTestPlant,
  stackConfig as testConfig,
  startScratchQuestDb as startQuestDbForTest,
  startStack,
} from "#lib/dev/isolated-stack.ts";
