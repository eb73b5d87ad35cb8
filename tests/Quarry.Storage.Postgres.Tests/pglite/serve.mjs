// pglite-server (the same arguments), tied to the process that started it: that process holds our stdin open, so
// when it goes away, however it ends (a test host killed after a timeout included), stdin ends and so does the server.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
await import('./node_modules/@electric-sql/pglite-socket/dist/scripts/server.js');
