// The GraphQL Foundation's GraphQL-over-HTTP audit (graphql-http's auditServer) against a
// running server: `node audit.mjs http://127.0.0.1:8000/graphql`. Prints every check and
// exits non-zero when any is not ok (a warning included), so CI holds the server to all of them.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <graphql endpoint url>');
  process.exit(2);
}

const results = await auditServer({ url });
const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
for (const result of results) {
  counts[result.status] += 1;
  const line = `${result.status.padEnd(6)} ${result.id} ${result.name}`;
  if (result.status === 'ok') {
    console.log(line);
  } else {
    const body = await result.response.text().catch(() => '');
    console.log(`${line}\n       ${result.reason}\n       ${result.response.status} ${body.slice(0, 300)}`);
  }
}
console.log(
  `audit of ${url}: ${counts.ok} ok, ${counts.notice} notices, ${counts.warn} warnings, ${counts.error} errors`,
);
process.exit(results.length > 0 && counts.ok === results.length ? 0 : 1);
