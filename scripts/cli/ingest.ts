export async function run(): Promise<void> {
  await import("../../workers/ingest.ts");
}
