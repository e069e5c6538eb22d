"""Domain rules: validation, vocabularies, permissions, the stage scale. No I/O here."""
