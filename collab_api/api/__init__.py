"""The GraphQL schema, one folder per domain: types, queries, mutations and data loaders.

Object types declare their fields in camelCase, as the graph stores them, so graphene's
default resolver reads them straight from the row maps the graph layer returns.
"""
