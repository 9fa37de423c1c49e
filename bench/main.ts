// `npm run bench -- <suite>`: each suite is bench/<suite>.ts exporting `run()`, which returns one JSON object.
const suites = ['metrics', 'ingest', 'bot', 'reanalysis', 'cli', 'footprint', 'startup'] as const;

const requested = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const selected = requested.length > 0 ? requested : [...suites];
for (const name of selected) {
  if (!(suites as readonly string[]).includes(name)) {
    process.stderr.write(`Unknown benchmark suite "${name}". Suites: ${suites.join(', ')}\n`);
    process.exit(2);
  }
}
for (const name of selected) {
  const suite = (await import(`./${name}.ts`)) as { run: () => Promise<Record<string, unknown>> };
  const result = await suite.run();
  process.stdout.write(`${JSON.stringify({ suite: name, ...result })}\n`);
}
