"""Enterprises (生产经营单位) and 技术服务机构: names with 示例, valid USCCs, masked legal persons."""

from __future__ import annotations

import datetime as dt

from . import codes, names
from .world import Enterprise, World, rng_for

COAL_CITIES = ("620800", "621000", "620400", "620600", "620700", "620900")
PRINCIPAL_TITLES = {"煤矿": "矿长", "非煤矿山": "矿长", "建筑施工": "项目经理", "道路运输": "总经理"}


class EnterprisePool:
    """Enterprises by (city, industry); accidents draw from it and create more on demand."""

    def __init__(self, world: World):
        self.world = world
        self.by_city_industry: dict[tuple[str, str], list[Enterprise]] = {}
        self.names: set[str] = set()
        self.usccs: set[str] = set()
        self.rng = rng_for(world.seed, "enterprises")

    def create(self, city: str, industry: str, agency: bool = False) -> Enterprise:
        rng = self.rng
        counties = names.CITIES[city][3]
        county = rng.choice(counties)[0]
        prefix = names.CITIES[city][1] if rng.random() < 0.8 else "甘肃"
        name = names.enterprise_name(rng, prefix, industry)
        collisions = 0
        while name in self.names:
            # At national size one prefix and industry (甘肃…工贸) needs more names than two-
            # character brands give, and this loop never ended. Fifty collisions in a row never
            # happen below that (province: at most half of a pair's names are taken, 0.5^50), so
            # smaller profiles keep their bytes.
            collisions += 1
            name = names.enterprise_name(rng, prefix, industry, long=collisions >= 50)
        self.names.add(name)
        # 登记管理机关: mostly the county, sometimes the city or the province.
        draw = rng.random()
        region = county if draw < 0.7 else city if draw < 0.9 else "620000"
        uscc = codes.make_uscc(rng, region)
        while uscc in self.usccs:
            uscc = codes.make_uscc(rng, region)
        self.usccs.add(uscc)
        legal = names.masked_person(rng)
        principal = legal if rng.random() < 0.6 else names.masked_person(rng)
        collection = self.world.agencies if agency else self.world.enterprises
        ent = Enterprise(
            key=f"E{len(self.world.enterprises) + len(self.world.agencies) + 1:05d}",
            name=name,
            uscc=uscc,
            county=county,
            industry=industry,
            legal_rep=legal,
            principal=principal,
            principal_title=PRINCIPAL_TITLES.get(industry, rng.choice(("总经理", "董事长", "厂长"))),
            founded=dt.date(rng.randint(1998, 2018), rng.randint(1, 12), rng.randint(1, 28)),
            agency=agency,
        )
        collection.append(ent)
        if not agency:
            self.by_city_industry.setdefault((city, industry), []).append(ent)
        return ent

    def take(self, city: str, industry: str) -> Enterprise:
        """An enterprise of that city and industry not yet used by an accident."""
        free = self.by_city_industry.get((city, industry))
        if free:
            return free.pop()
        ent = self.create(city, industry)
        self.by_city_industry[(city, industry)].pop()
        return ent


def build_enterprises(world: World, pool: EnterprisePool) -> None:
    profile, rng = world.profile, pool.rng
    total_weight = sum(profile.city_weights.values())
    industries = list(names.INDUSTRY_WEIGHTS)
    weights = list(names.INDUSTRY_WEIGHTS.values())
    for city, weight in profile.city_weights.items():
        for _ in range(round(profile.enterprises * weight / total_weight)):
            industry = rng.choices(industries, weights)[0]
            if industry == "煤矿" and city not in COAL_CITIES:
                industry = "非煤矿山"
            pool.create(city, industry)
    for i in range(profile.agencies):
        pool.create("620100" if i % 3 else rng.choice(list(profile.city_weights)), "技术服务", agency=True)
    # Enterprise names with Latin letters exist; sources print them half- or full-width.
    gas = next(e for e in world.enterprises if e.industry == "燃气")
    prefix = gas.name.split("示例")[0]
    gas.name = f"{prefix}示例LNG燃气有限公司"
