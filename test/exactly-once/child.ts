// One Lambda-like invocation in its own process, so a test can kill -9 it at any point.
// argv: <function> <event JSON>; the config file is named by AUTOMATION_CONFIG.
const [fn, eventJson] = process.argv.slice(2);
const { handler } = (await import(`../../functions/${fn}.ts`)) as { handler: (e: unknown, c: unknown) => Promise<unknown> };
await handler(JSON.parse(eventJson!), { functionName: fn, awsRequestId: `child-${process.pid}`, getRemainingTimeInMillis: () => 900_000 });
export {};
