"""The HTTP layer: the GraphQL endpoint, health checks, (later) authentication."""
