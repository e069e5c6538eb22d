"""The driver layer: the local ArcadeDB server, the Bolt driver, round-trip counting."""
