"""The OpenAPI description is the same whatever database runs: Django gives integer model fields the range of
the database's column (64 bits on SQLite, 32 on PostgreSQL), which drf-spectacular would write into the
schema. This hook takes those column limits out, so docs/openapi.yaml does not depend on DATABASE_URL."""
from __future__ import annotations

COLUMN_LIMITS = {-(2**15), 2**15 - 1, -(2**31), 2**31 - 1, -(2**63), 2**63 - 1}


def drop_column_limits(result, generator, request, public):
    def walk(node):
        if isinstance(node, dict):
            limits = [key for key in ("minimum", "maximum") if node.get("type") == "integer" and node.get(key) in COLUMN_LIMITS]
            for key in limits:
                del node[key]
            if limits and node.get("format") == "int64":  # said only because of the 64-bit limits
                del node["format"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result
