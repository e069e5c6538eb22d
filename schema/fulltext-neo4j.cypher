// Full-text index for intervention search on Neo4j 5. Queried as 'intervention_search'.
CREATE FULLTEXT INDEX intervention_search IF NOT EXISTS FOR (n:Intervention) ON EACH [n.searchText];
