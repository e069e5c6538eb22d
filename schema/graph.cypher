// Graph constraints and indexes: plain Cypher that runs on Neo4j 5 and on ArcadeDB.
// Applied idempotently at startup and by `collab schema apply`. Each statement ends with ";".

// Natural keys
CREATE CONSTRAINT collaborative_code IF NOT EXISTS FOR (n:Collaborative) REQUIRE n.code IS UNIQUE;
CREATE CONSTRAINT icb_name IF NOT EXISTS FOR (n:ICB) REQUIRE n.name IS UNIQUE;
CREATE CONSTRAINT organisation_ods_code IF NOT EXISTS FOR (n:Organisation) REQUIRE n.odsCode IS UNIQUE;
CREATE CONSTRAINT priority_id IF NOT EXISTS FOR (n:Priority) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT intervention_id IF NOT EXISTS FOR (n:Intervention) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT intervention_version_key IF NOT EXISTS FOR (n:InterventionVersion) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT component_key IF NOT EXISTS FOR (n:Component) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT adoption_stage_number IF NOT EXISTS FOR (n:AdoptionStage) REQUIRE n.stage IS UNIQUE;
CREATE CONSTRAINT adoption_key IF NOT EXISTS FOR (n:Adoption) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT adoption_id IF NOT EXISTS FOR (n:Adoption) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT observation_key IF NOT EXISTS FOR (n:AdoptionObservation) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT web_session_id IF NOT EXISTS FOR (n:WebSession) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT quarterly_return_key IF NOT EXISTS FOR (n:QuarterlyReturn) REQUIRE n.key IS UNIQUE;

// The learning loop: people, what they follow, questions and answers, notifications (the outbox)
CREATE CONSTRAINT person_subject IF NOT EXISTS FOR (n:Person) REQUIRE n.subject IS UNIQUE;
CREATE CONSTRAINT follow_key IF NOT EXISTS FOR (n:Follow) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT question_id IF NOT EXISTS FOR (n:Question) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT answer_id IF NOT EXISTS FOR (n:Answer) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT notification_key IF NOT EXISTS FOR (n:Notification) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT digest_key IF NOT EXISTS FOR (n:Digest) REQUIRE n.key IS UNIQUE;
CREATE INDEX question_about IF NOT EXISTS FOR (n:Question) ON (n.aboutId);
CREATE INDEX notification_mail IF NOT EXISTS FOR (n:Notification) ON (n.mail);
CREATE INDEX follow_kind IF NOT EXISTS FOR (n:Follow) ON (n.kind);

// Lookups and filters
CREATE INDEX observation_return IF NOT EXISTS FOR (n:AdoptionObservation) ON (n.returnKey);
CREATE INDEX organisation_kind IF NOT EXISTS FOR (n:Organisation) ON (n.kind);
CREATE INDEX organisation_name IF NOT EXISTS FOR (n:Organisation) ON (n.name);
CREATE INDEX intervention_status IF NOT EXISTS FOR (n:Intervention) ON (n.status);
CREATE INDEX priority_status IF NOT EXISTS FOR (n:Priority) ON (n.status);
CREATE INDEX observation_quarter IF NOT EXISTS FOR (n:AdoptionObservation) ON (n.quarter);
CREATE INDEX observation_quarter_index IF NOT EXISTS FOR (n:AdoptionObservation) ON (n.quarterIndex);
CREATE INDEX icb_ods_code IF NOT EXISTS FOR (n:ICB) ON (n.odsCode);

// The audit trail
CREATE CONSTRAINT audit_event_id IF NOT EXISTS FOR (n:AuditEvent) REQUIRE n.id IS UNIQUE;
CREATE INDEX audit_event_subject IF NOT EXISTS FOR (n:AuditEvent) ON (n.subject);
CREATE INDEX audit_event_at IF NOT EXISTS FOR (n:AuditEvent) ON (n.at);

// The spread report's tallies (collab_api/domain/spread_tally.py): one per intervention,
// quarter, component and care setting; read by bucket, rebuilt by intervention.
CREATE CONSTRAINT spread_tally_key IF NOT EXISTS FOR (n:SpreadTally) REQUIRE n.key IS UNIQUE;
CREATE INDEX spread_tally_bucket IF NOT EXISTS FOR (n:SpreadTally) ON (n.bucket);
CREATE INDEX spread_tally_intervention IF NOT EXISTS FOR (n:SpreadTally) ON (n.intervention);
CREATE CONSTRAINT spread_participation_intervention IF NOT EXISTS FOR (n:SpreadParticipation) REQUIRE n.intervention IS UNIQUE;
CREATE CONSTRAINT spread_sites_key IF NOT EXISTS FOR (n:SpreadSites) REQUIRE n.key IS UNIQUE;
CREATE INDEX spread_sites_intervention IF NOT EXISTS FOR (n:SpreadSites) ON (n.intervention);
CREATE CONSTRAINT lineage_bucket_key IF NOT EXISTS FOR (n:LineageBucket) REQUIRE n.key IS UNIQUE;
CREATE INDEX lineage_bucket_intervention IF NOT EXISTS FOR (n:LineageBucket) ON (n.intervention);
CREATE CONSTRAINT lineage_resolved_key IF NOT EXISTS FOR (n:LineageResolved) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT report_resolved_key IF NOT EXISTS FOR (n:ReportResolved) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT spread_cells_key IF NOT EXISTS FOR (n:SpreadCells) REQUIRE n.key IS UNIQUE;
CREATE INDEX spread_cells_intervention IF NOT EXISTS FOR (n:SpreadCells) ON (n.intervention);
CREATE INDEX spread_cells_tally IF NOT EXISTS FOR (n:SpreadCells) ON (n.tally);
