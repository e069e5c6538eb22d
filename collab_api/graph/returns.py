"""Graph access for quarterly returns as the national team treats them: one return per
collaborative, intervention and quarter (`QuarterlyReturn {key}`), the latest replacing the
earlier. The answers an import replaces are the quarter's answers that an earlier import of the
same return wrote (`AdoptionObservation.returnKey`) and those of the cells it lists (its sites'
rows); any of them the new file leaves out is withdrawn: kept as a `WithdrawnAnswer` beside its
adoption, with who withdrew it, when and by which return, never silently deleted."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from collab_api.db.graph import Runner
from collab_api.domain.rows import ReturnUploadRow, WithdrawnRow
from collab_api.graph.common import shaped_all
from collab_api.graph.adoptions import KEEP_LATEST
from collab_api.graph.spread_tally import KEEP_ANSWERS, answers_and_latest
from collab_api.graph.tally_keeping import keeping_tallies


def return_key(collaborative: str | None, intervention: str, quarter_index: int) -> str:
    return f"{collaborative or 'ALL'}|{intervention}|{quarter_index}"


async def replaceable(runner: Runner, key: str, covered: Sequence[str]) -> list[WithdrawnRow]:
    """The answers a new import of the return `key` replaces: those it wrote before, and those
    at the observation keys of the cells it covers (answers recorded on the pages included)."""
    fields = """RETURN x.key AS key, a.organisation AS site, a.componentKey AS component, a.careSetting AS careSetting,
               x.quarter AS quarter, x.stage AS stage, x.notApplicable AS notApplicable"""
    written = await runner.read("MATCH (x:AdoptionObservation {returnKey: $key})<-[:OBSERVED]-(a:Adoption) " + fields, {"key": key})
    at_cells = await runner.read("""
        UNWIND $covered AS covered
        MATCH (x:AdoptionObservation {key: covered})<-[:OBSERVED]-(a:Adoption) """ + fields, {"covered": list(covered)})
    rows = list({row["key"]: row for row in [*written, *at_cells]}.values())
    return shaped_all(WithdrawnRow, sorted(rows, key=lambda r: r["key"]))


async def withdraw(runner: Runner, answers: Sequence[WithdrawnRow], intervention: str, *, key: str, actor: str, at: str) -> None:
    """Withdraw these answers: each kept as a WithdrawnAnswer of its adoption, the observation
    gone from the counts; the adoptions' kept answers and the tallies follow, in this transaction."""
    if not answers:
        return

    async def change(tx: Runner) -> None:
        await tx.write("""
            UNWIND $keys AS key
            MATCH (x:AdoptionObservation {key: key})<-[:OBSERVED]-(a:Adoption)  // from the answer, by its key
            CREATE (a)-[:WITHDREW]->(:WithdrawnAnswer {observationKey: x.key, quarter: x.quarter, quarterIndex: x.quarterIndex,
                stage: x.stage, notApplicable: x.notApplicable, content: x.content, returnKey: x.returnKey,
                withdrawnAt: datetime($at), withdrawnBy: $actor, byReturn: $return})
            DETACH DELETE x""", {"keys": [answer["key"] for answer in answers], "at": at, "actor": actor, "return": key})
        await tx.write("""
            UNWIND $sites AS site
            MATCH (:Organisation {odsCode: site})-[:ADOPTED]->(a:Adoption) WHERE a.interventionId = $intervention""" + \
            answers_and_latest("a") + """
            SET """ + KEEP_LATEST + ", " + KEEP_ANSWERS,
            {"sites": sorted({answer["site"] for answer in answers}), "intervention": intervention})

    await keeping_tallies(runner, [(site, intervention) for site in sorted({answer["site"] for answer in answers})], change)


async def imported(runner: Runner, key: str) -> bool:
    """Has this return (collaborative, intervention, quarter) been imported before?"""
    return bool(await runner.read("MATCH (r:QuarterlyReturn {key: $key}) RETURN r.key AS key", {"key": key}))


async def record(runner: Runner, key: str, *, collaborative: str | None, intervention: str, quarter: str, file: str | None,
                 actor: str, at: str) -> int:
    """Note this import of the return; returns how many times it has been imported."""
    rows = await runner.write("""
        MERGE (r:QuarterlyReturn {key: $key})
        ON CREATE SET r.collaborative = $collaborative, r.intervention = $intervention, r.quarter = $quarter, r.imports = 0
        SET r.imports = r.imports + 1, r.file = $file, r.importedAt = datetime($at), r.importedBy = $actor
        RETURN r.imports AS imports""",
        {"key": key, "collaborative": collaborative, "intervention": intervention, "quarter": quarter, "file": file,
         "at": at, "actor": actor})
    return int(rows[0]["imports"])


async def record_upload(runner: Runner, key: str, upload: dict[str, Any]) -> None:
    """One upload of a return (kept, with who, when and what it changed; the newest replaces the
    earlier in what is counted, but every upload stays listed)."""
    await runner.write("""
        MERGE (r:QuarterlyReturn {key: $key})
        CREATE (u:ReturnUpload) SET u = $upload, u.importedAt = datetime()
        CREATE (r)-[:HAS_UPLOAD]->(u)""", {"key": key, "upload": upload})


async def uploads(runner: Runner, collaborative: str | None, limit: int) -> list[ReturnUploadRow]:
    """A collaborative's uploads (all of them with None), newest first."""
    rows = await runner.read("""
        MATCH (r:QuarterlyReturn)-[:HAS_UPLOAD]->(u:ReturnUpload) WHERE $collaborative IS NULL OR u.collaborative = $collaborative
        WITH r, u ORDER BY u.importedAt DESC LIMIT $limit
        OPTIONAL MATCH (i:Intervention {id: r.intervention})
        RETURN u {.id, .file, .quarter, .collaborative, .importedAt, .importedBy, .importedByName, .created, .corrected,
                  .unchanged, .withdrawn, .rejected, intervention: r.intervention, interventionTitle: i.title} AS u""",
        {"collaborative": collaborative, "limit": limit})
    return shaped_all(ReturnUploadRow, [row["u"] for row in rows])
