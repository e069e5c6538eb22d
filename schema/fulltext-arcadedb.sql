-- Full-text index for intervention search on ArcadeDB: SQL over its HTTP API (Cypher's
-- CREATE FULLTEXT INDEX is refused there). Queried as 'Intervention[searchText]'.
CREATE VERTEX TYPE Intervention IF NOT EXISTS;
CREATE PROPERTY Intervention.searchText IF NOT EXISTS STRING;
CREATE INDEX IF NOT EXISTS ON Intervention (searchText) FULL_TEXT;
