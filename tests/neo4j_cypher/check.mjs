// Reads Cypher statements on stdin, one JSON line each ({"id": n, "statement": "..."}), as they
// come; prints one JSON line per statement and Cypher version with every diagnostic Neo4j's front
// end gives (errors and warnings), except "parameter not defined" (the app's parameters are
// bound at run time, not declared here).
import { createInterface } from 'node:readline';
import { lintCypherQuery, isNotParamError } from '@neo4j-cypher/language-support';

for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (!line.trim()) continue;
  const { id, statement } = JSON.parse(line);
  for (const version of ['5', '25']) {
    const { diagnostics } = lintCypherQuery(`CYPHER ${version} ${statement}`, {});
    const found = diagnostics.filter(isNotParamError).map((d) => ({
      severity: d.severity === 1 ? 'error' : 'warning', message: d.message,
    }));
    console.log(JSON.stringify({ id, version, diagnostics: found }));
  }
}
