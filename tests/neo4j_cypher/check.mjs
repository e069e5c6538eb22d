// Reads a JSON array of Cypher statements on stdin; prints one JSON line per statement and
// Cypher version with every diagnostic Neo4j's front end gives (errors and warnings), except
// "parameter not defined" (the app's parameters are bound at run time, not declared here).
import { lintCypherQuery, isNotParamError } from '@neo4j-cypher/language-support';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const statements = JSON.parse(Buffer.concat(chunks).toString('utf8'));
for (const [index, statement] of statements.entries()) {
  for (const version of ['5', '25']) {
    const { diagnostics } = lintCypherQuery(`CYPHER ${version} ${statement}`, {});
    const found = diagnostics.filter(isNotParamError).map((d) => ({
      severity: d.severity === 1 ? 'error' : 'warning', message: d.message,
    }));
    console.log(JSON.stringify({ index, version, diagnostics: found }));
  }
}
