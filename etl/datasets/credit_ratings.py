"""安全生产信用等级 (credit ratings) as published by each authority."""

from __future__ import annotations

from etl.datasets.common import (
    Context,
    enterprise_name,
    integer,
    iso_date,
    region_code,
    required,
    stable_id,
    text,
    uscc,
)

TABLE = "credit_ratings"


def normalize(fields: dict, ctx: Context) -> dict[str, list[dict]]:
    name = enterprise_name(fields, "enterprise_name")
    code = uscc(fields, "uscc")
    rating = required(fields, "rating", "信用等级")
    rated_on = iso_date(fields, "rated_on")
    year = integer(fields, "rating_year") or (int(rated_on[:4]) if rated_on else None)
    row = {
        "id": stable_id("cr", ctx.spec.id, code or name, year, rating if not year else ""),
        "enterprise_name": name,
        "uscc": code,
        "rating": rating,
        "rating_year": year,
        "rated_on": rated_on,
        "valid_until": iso_date(fields, "valid_until"),
        "rater": text(fields, "rater") or ctx.spec.publisher,
        "industry": text(fields, "industry"),
        "region_code": region_code(fields, "region", ctx),
    }
    return {TABLE: [row]}
