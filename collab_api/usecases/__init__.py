"""Use cases: each runs one transaction (or one read) against graph access, applying the
domain's rules. Above graph access, below the GraphQL schema."""
