"""Synonyms per profile, hyphenated compounds, and the case-type picker's terms (issue #21)."""

import pytest

from cskh.search import selectors
from cskh.search.synonyms import thesaurus


def find(user, q, kind=None, limit=20):
    return selectors.search(user, q, kind=kind, limit=limit)


def refs(hits):
    return [h.id for h in hits]


def open_one(world, description, type_code="outage"):
    from cskh.cases.services import open_case
    from cskh.catalog.services import get_case_type

    return open_case(
        customer=world["customer"], case_type=get_case_type(type_code), description=description
    )


def test_groups_take_the_longest_phrase_and_keep_the_typed_words_first():
    electricity = thesaurus("electricity")
    groups = electricity.groups("cup dien tu sang")
    assert groups[0][0] == ("cup", "dien")
    assert ("mat", "dien") in groups[0] and ("cat", "dien") in groups[0]
    assert groups[1:] == [(("tu",),), (("sang",),)]
    # the profile decides: "rot mang" is a telecom phrase only
    assert thesaurus("telecom").groups("rot mang")[0][1:]
    assert electricity.groups("rot mang") == [(("rot",),), (("mang",),)]
    # hyphenated words: the parts and the joined word; "wifi" splits through common.txt
    assert electricity.groups("wi-fi") == [(("wi", "fi"), ("wifi",))]
    assert ("wi", "fi") in electricity.groups("wifi")[0]
    assert electricity.groups("k-plus") == [(("k", "plus"), ("kplus",))]


def test_wifi_finds_wi_fi_and_back(world):
    hyphen = open_one(world, "Wi-Fi yếu, xem phim bị giật")
    joined = open_one(world, "Cục wifi nhấp nháy đèn đỏ")
    agent = world["agent"]
    assert set(refs(find(agent, "wifi", kind="case"))) == {hyphen.number, joined.number}
    assert set(refs(find(agent, "wi-fi", kind="case"))) == {hyphen.number, joined.number}
    hits = find(agent, "wifi", kind="case")
    marked = " ".join(h.snippet for h in hits)
    assert "<mark>Wi</mark>-<mark>Fi</mark>" in marked and "<mark>wifi</mark>" in marked


def test_cup_dien_finds_mat_dien_and_the_synonym_is_marked(world):
    case = open_one(world, "Mất điện cả khu phố từ sáng")
    other = open_one(world, "Hỏi lịch thu tiền", type_code="general")
    hits = find(world["agent"], "cup dien", kind="case")
    assert refs(hits) == [case.number]
    assert other.number not in refs(hits)
    assert "<mark>Mất</mark> <mark>điện</mark>" in hits[0].snippet
    # the other members of the set as well
    assert refs(find(world["agent"], "chap chon", kind="case")) == []
    weak = open_one(world, "Điện yếu, bóng đèn tối", type_code="power_quality")
    assert refs(find(world["agent"], "chap chon", kind="case")) == [weak.number]
    cut = open_one(world, "Dây điện đứt trước cổng", type_code="hazard")
    assert refs(find(world["agent"], "dut day", kind="case")) == [cut.number]


def test_typed_words_rank_above_synonyms(world):
    synonym = open_one(world, "Cúp điện từ sáng")
    typed = open_one(world, "Mất điện từ sáng")
    hits = find(world["agent"], "mat dien tu sang")
    cases = [h for h in hits if h.kind == "case"]
    assert [h.id for h in cases[:2]] == [typed.number, synonym.number]
    assert cases[0].score > cases[1].score


def test_hoa_don_cao_finds_the_billing_and_tariff_articles(world):
    from cskh.knowledge.models import Article
    from cskh.knowledge.services import install_demo_content
    from cskh.search import services

    install_demo_content("electricity")
    services.rebuild(kind="article")  # as `cskh demo` does after loading the content
    slugs = dict(Article.objects.values_list("id", "slug"))
    found = {slugs[h.id] for h in find(world["agent"], "hoa don cao", kind="article")}
    assert {"bieu-gia-dien-sinh-hoat-bac-thang", "hoa-don-dien-tu-va-tra-cuu"} <= found
    assert "xu-ly-mat-dien" not in found


def test_telecom_rot_mang_finds_mat_ket_noi(world):
    from cskh.cases.services import open_case
    from cskh.catalog.services import get_case_type, install_profile

    install_profile("telecom")  # the active profile's synonyms apply
    agent, customer = world["agent"], world["customer"]

    case = open_case(
        customer=customer,
        case_type=get_case_type("internet_down"),
        description="Mất kết nối từ tối qua, đèn LOS đỏ",
    )
    assert refs(find(agent, "rot mang", kind="case")) == [case.number]


def test_type_picker_finds_a_type_by_its_synonyms(client, world):
    from cskh.desk.selectors import case_types, picker_types

    terms = {t["code"]: t["folded"] for t in picker_types(case_types())}
    assert "cup dien" in terms["outage"] and "mat dien" in terms["outage"]
    assert "chap chon" in terms["power_quality"] and "dien yeu" in terms["power_quality"]
    assert "dut day" in terms["hazard"]
    assert "hoa don cao" in terms["billing"]
    assert "cup dien" not in terms["billing"]
    client.force_login(world["agent"])
    html = client.get("/desk/", {"customer": world["customer"].pk}).content.decode()
    assert 'data-code="outage"' in html
    row = html[html.index('id="type-outage"') :].split("</li>", 1)[0]
    assert "cup dien" in row


@pytest.mark.parametrize("text", ["mat dien", "cup dien", "wi-fi"])
def test_synonym_queries_are_plain_text_to_the_database(world, text):
    open_one(world, "Mất điện, wifi không vào được")
    assert find(world["agent"], text, kind="case")
