export default async function globalTeardown(): Promise<void> {
  const embedded = (globalThis as { embeddedTestDatabase?: { stop(): Promise<void> } })
    .embeddedTestDatabase;
  await embedded?.stop();
}
