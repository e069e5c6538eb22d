"""GraphQL enums made from the domain's controlled lists."""

from __future__ import annotations

import graphene

from collab_api.domain import vocabulary

OrganisationKind = graphene.Enum.from_enum(vocabulary.OrganisationKind, description="What kind of organisation.")
InterventionStatus = graphene.Enum.from_enum(
    vocabulary.InterventionStatus, description=(
        "Lifecycle: IDEA, TESTING, IMPLEMENTED, EVALUATED, PROVEN; or closed: DID_NOT_WORK (tried, did not work) or "
        "STOPPED, each with what was learned (the note of the version that closed it: `lessons`), or RETIRED.")
)
PriorityStatus = graphene.Enum.from_enum(vocabulary.PriorityStatus)
CareSetting = graphene.Enum(
    "CareSetting",
    [(setting.code, setting.code) for setting in vocabulary.CARE_SETTINGS],
    description="Care settings, from one controlled list (broad services and the Martha's Rule settings).",
)


def value_of(enum_value: object) -> str | None:
    """Enum arguments arrive as values or enum members depending on the path; give the value."""
    if enum_value is None:
        return None
    return getattr(enum_value, "value", enum_value)  # type: ignore[return-value]
