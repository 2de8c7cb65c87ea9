"""The gazetteer glue (lawreports/places.py): names split into divisions, completed only when one place fits."""

from __future__ import annotations

import pytest

from lawreports import places


@pytest.mark.parametrize("name, units", [
    ("重庆市长寿区司法局", ["重庆市", "长寿区"]),
    ("中共宣州区新田镇委员会", ["宣州区", "新田镇"]),
    ("桃源县人民政府", ["桃源县"]),
    ("区政府办公室", []),
    ("市场监督管理局", []),
    ("", []),
    ("国家税务总局温州市税务局", ["温州市"]),  # a central body's local office: its place follows the central name
    ("中国人民银行温州市分行", ["温州市"]),
    ("西安高新区管委会", ["西安市", "高新区"]),  # a city's short name, from the gazetteer's own column
    ("宁波海关", ["宁波市"]),
    ("朝阳区司法局", ["朝阳区"]),  # a full name wins over a short one (朝阳 is also 朝阳市's)
    ("仙居县林业局", ["仙居县"]),  # the tables' forestry units named 林业局 are not the office's place
    ("国家发展和改革委员会", []),
])
def test_a_name_opens_with_the_divisions_it_names(name, units):
    assert places.gazetteer().units(name) == units


@pytest.mark.parametrize("name, region", [
    ("桃源县人民政府", "湖南省常德市桃源县"),
    ("光明区司法局", "广东省深圳市光明区"),
    ("深圳市光明区", "广东省深圳市光明区"),
    ("宣州区新田镇人民政府", "安徽省宣城市宣州区新田镇"),  # one of eight 新田镇: the county decides
    ("留下街道", "浙江省杭州市西湖区留下街道"),  # a town named alone, the only one of its name
    ("天津市静海区人民政府", "天津市静海区"),  # a municipality is written once
    ("仙桃市人民政府", "湖北省仙桃市"),  # under its province directly: no pseudo city in between
    ("国家税务总局三门县税务局", "浙江省台州市三门县"),
    ("宁波海关", "浙江省宁波市"),
    ("中国证监会浙江监管局", "浙江省"),
])
def test_a_place_found_once_is_completed_to_its_full_form(name, region):
    found = places.region_of(name, default="天津市")
    assert (found.region, found.how) == (region, "unique")


def test_a_name_naming_no_place_gets_nothing_not_the_settings_region():
    assert places.region_of("区政府办公室", default="天津市") == places.Found(None, "none")
    assert places.region_of(None).region is None


def test_several_places_and_nothing_deciding_keeps_the_text():
    assert places.region_of("新田镇人民政府", default="天津市") == places.Found("新田镇", "ambiguous")
    assert places.region_of("鼓楼区司法局") == places.Found("鼓楼区", "ambiguous")


def test_the_text_decides_between_places_of_one_name():
    found = places.region_of("东城街道", context="落实《清城区2022年法治政府建设工作要点》")
    assert found == places.Found("广东省清远市清城区东城街道", "text")


def test_a_tie_in_the_text_decides_nothing():
    both = "学习福州市和南京市的经验"
    assert places.region_of("鼓楼区", context=both).how == "ambiguous"


def test_the_settings_decide_only_after_the_text():
    assert places.region_of("河东区", default="天津市") == places.Found("天津市河东区", "settings")
    assert places.region_of("河东区", context="临沂市", default="天津市") == places.Found("山东省临沂市河东区", "text")


def test_places_that_do_not_nest_are_kept_as_written():
    assert places.region_of("天津市桃源县") == places.Found("天津市桃源县", "unknown")


def test_a_town_the_tables_lack_is_kept_after_its_completed_county():
    found = places.region_of("栖霞区向阳街道办事处")
    assert found == places.Found("江苏省南京市栖霞区向阳街道", "unknown")


def test_names_place():
    assert places.names_place("桃源县人民政府")
    assert not places.names_place("县人民政府")
    assert not places.names_place(None)


def test_the_gazetteer_is_read_once_per_process():
    assert places.gazetteer() is places.gazetteer()
    assert len(places.gazetteer().by_name) > 30000  # provinces, cities, counties and towns


def test_a_missing_gazetteer_library_is_named(monkeypatch):
    monkeypatch.setattr(places, "GAZETTEER", ("no_such_gazetteer_pkg", "x.zip", "x.txt"))
    with pytest.raises(places.GazetteerMissing, match="pip install"):
        places._read()


def test_short_names_only_where_one_division_has_them():
    short = places.gazetteer().short
    assert short["西安"] == "西安市" and short["吉林"] == "吉林省"  # 吉林市's short name is 吉林市 itself
    assert "省直辖" not in short and all(len(name) >= 2 for name in short)
