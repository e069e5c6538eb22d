// Runs graphql-http's auditServer (every MUST, SHOULD and MAY check of the GraphQL-over-HTTP
// specification) against the URL given, optionally with a bearer token in TOKEN.
// Prints one JSON line per check and exits 1 if any is not "ok".
import { auditServer } from 'graphql-http';

const url = process.argv[2];
const token = process.env.TOKEN;
const fetchFn = token
  ? (input, init = {}) => fetch(input, { ...init, headers: { ...(init.headers || {}), authorization: `Bearer ${token}` } })
  : fetch;
const results = await auditServer({ url, fetchFn });
for (const r of results) {
  console.log(JSON.stringify({ id: r.id, name: r.name, status: r.status, reason: r.reason ?? null }));
}
process.exit(results.every((r) => r.status === 'ok') ? 0 : 1);
