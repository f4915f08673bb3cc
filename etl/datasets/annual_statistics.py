"""Annual accident statistics by 市州, as statistical bulletins publish them."""

from __future__ import annotations

from etl.datasets.common import Context, Reject, integer, number, required
from etl.normalize.regions import resolve_region

TABLE = "annual_statistics"


def normalize(fields: dict, ctx: Context) -> dict[str, list[dict]]:
    year = integer(fields, "year")
    if not year or not 1949 < year < 2200:
        raise Reject(f"无法识别的年份：{fields.get('year')!r}")
    region_text = required(fields, "region", "地区")
    region = resolve_region(region_text)
    if region is None:
        raise Reject(f"无法识别的地区：{region_text}")
    deaths, gdp = integer(fields, "deaths"), number(fields, "gdp_yi")
    row = {
        # one row per source, year and region
        "id": f"{ctx.spec.id}-{year}-{region.code}",
        "year": year,
        "region_code": region.code,
        "region_name": region.name,
        "accidents": integer(fields, "accidents"),
        "deaths": deaths,
        "gdp_yi": gdp,
        # 亿元GDP生产安全事故死亡率 (deaths per 100 million yuan of GDP), policy target −30%
        "deaths_per_yi_gdp": round(deaths / gdp, 4) if deaths is not None and gdp else None,
    }
    return {TABLE: [row]}
