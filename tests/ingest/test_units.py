from duban.ingest.model import LEAD, RESPONSIBLE
from duban.ingest.units import is_group, parse_units, split_names


def roles(text, **kw):
    clause = parse_units(text, **kw)
    return [(u.name, u.role, u.group, u.aliases) for u in clause.units], clause.warnings


def test_lead_then_groups_responsible():
    units, warnings = roles("区财政局、区发展改革局牵头；区政府各办、局，各街道办事处负责落实")
    assert units == [
        ("区财政局", LEAD, False, []),
        ("区发展改革局", LEAD, False, []),
        ("区政府各办、局", RESPONSIBLE, True, []),
        ("各街道办事处", RESPONSIBLE, True, []),
    ]
    assert warnings == []


def test_bracketed_name_is_an_alias_not_a_second_unit():
    units, _ = roles("区财政局（区金融办）牵头；区政府各办、局，各街道办事处负责落实")
    assert units[0] == ("区财政局", LEAD, False, ["区金融办"])
    units, _ = roles("区住房城乡建设局（区防震减灾局、区人防办）、区交通运输局分别负责落实")
    assert units == [
        ("区住房城乡建设局", RESPONSIBLE, False, ["区防震减灾局", "区人防办"]),
        ("区交通运输局", RESPONSIBLE, False, []),
    ]
    # half-width brackets too
    assert roles("区财政局(区金融办)牵头")[0] == [("区财政局", LEAD, False, ["区金融办"])]


def test_verb_applies_to_every_name_since_the_previous_verb():
    units, _ = roles("区发展改革局、区科技工信局、相关行业主管部门、监督部门；各街道办事处分别负责落实")
    assert [(n, r, g) for n, r, g, _ in units] == [
        ("区发展改革局", RESPONSIBLE, False),
        ("区科技工信局", RESPONSIBLE, False),
        ("相关行业主管部门", RESPONSIBLE, True),
        ("监督部门", RESPONSIBLE, True),
        ("各街道办事处", RESPONSIBLE, True),
    ]


def test_longest_verb_wins():
    units, _ = roles("区气象局牵头落实;区政府相关办、局,各街道办事处按照职责分工负责")
    assert units == [
        ("区气象局", LEAD, False, []),
        ("区政府相关办、局", RESPONSIBLE, True, []),
        ("各街道办事处", RESPONSIBLE, True, []),
    ]


def test_comma_between_lead_and_responsible_clauses():
    units, _ = roles("区政府办公室、区委网信办牵头，区政府各办、局，各街道办事处负责落实")
    assert [(n, r) for n, r, _, _ in units] == [
        ("区政府办公室", LEAD), ("区委网信办", LEAD), ("区政府各办、局", RESPONSIBLE), ("各街道办事处", RESPONSIBLE),
    ]


def test_labelled_roles():
    units, _ = roles("牵头单位：市发展改革委；责任单位：各县（市、区）人民政府、市直有关部门；配合单位：市财政局")
    assert units == [
        ("市发展改革委", LEAD, False, []),
        ("各县（市、区）人民政府", RESPONSIBLE, True, []),
        ("市直有关部门", RESPONSIBLE, True, []),
        ("市财政局", RESPONSIBLE, False, []),
    ]


def test_role_in_brackets():
    units, _ = roles("区卫生健康局（牵头）、区民政局", default_role=RESPONSIBLE, role_from_column=True)
    assert units == [("区卫生健康局", LEAD, False, []), ("区民政局", RESPONSIBLE, False, [])]


def test_names_without_a_verb_are_a_doubt_unless_the_column_says_the_role():
    units, warnings = roles("区政府办公室、区财政局")
    assert [u[1] for u in units] == [LEAD, LEAD] and warnings
    units, warnings = roles("区政府办公室、区财政局", default_role=RESPONSIBLE, role_from_column=True)
    assert [u[1] for u in units] == [RESPONSIBLE, RESPONSIBLE] and warnings == []


def test_split_names_keeps_group_phrases_and_brackets_whole():
    assert split_names("区政府各委、办、局，各乡镇（街道）、区财政局等") == ["区政府各委、办、局", "各乡镇（街道）", "区财政局"]


def test_is_group():
    for name in ["区政府各办、局", "各街道办事处", "区政府相关办、局", "区政府各有关办、局", "相关行业主管部门", "监督部门"]:
        assert is_group(name), name
    for name in ["区政府办公室", "区委网信办", "区消防救援大队", "区疫情防控指挥部办公室", "区商务和投资促进局"]:
        assert not is_group(name), name


def test_a_unit_named_twice_is_kept_once_with_the_stronger_role():
    units, _ = roles("区政府办公室牵头；区政府办公室、各街道办事处负责落实")
    assert [(n, r) for n, r, _, _ in units] == [("区政府办公室", LEAD), ("各街道办事处", RESPONSIBLE)]


def test_wei_qiantou_danwei_is_a_verb_not_part_of_the_name():
    units, _ = roles("区财政局为牵头单位，区审计局为配合单位")
    assert [(n, r) for n, r, _, _ in units] == [("区财政局", LEAD), ("区审计局", RESPONSIBLE)]


def test_et_cetera_keeps_the_named_unit_and_says_the_rest_is_not_listed():
    units, warnings = roles("区财政局、区审计局等单位负责落实")
    assert [n for n, _, _, _ in units] == ["区财政局", "区审计局"]
    assert warnings and "等" in warnings[0]


def test_spaces_between_names_separate_them_but_a_wrapped_name_is_joined():
    units, _ = roles("区政府办公室 区发展改革局 区城市 管理局 区政府 办公室（区金融办） 区财政局负责落实")
    assert [n for n, _, _, _ in units] == ["区政府办公室", "区发展改革局", "区城市管理局", "区财政局"]
    assert units[0][3] == ["区金融办"]  # the wrapped "区政府 办公室（区金融办）" is the same unit, with its alias


def test_names_after_the_last_verb_are_responsible_with_a_warning():
    units, warnings = roles("区政府办公室牵头，区政府各办、局，各街道办事处")
    assert [(n, r) for n, r, _, _ in units] == [
        ("区政府办公室", LEAD), ("区政府各办、局", RESPONSIBLE), ("各街道办事处", RESPONSIBLE),
    ]
    assert warnings and "负责落实" in warnings[0]
