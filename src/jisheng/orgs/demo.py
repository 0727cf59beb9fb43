"""The demo organisation: 示范县, a fictional county with townships, villages, a mine and a
school, their staff positions, a leading group and one login per role.

Every name and code is invented (unit codes start with 9901, which no real division
uses). :func:`load_demo` writes through the services, audited as the system, and is
idempotent: what already exists (matched by unit code, username, committee name, …) is
left as it is, so re-running it changes nothing and keeps any data added since.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction

from jisheng.orgs import services
from jisheng.orgs.choices import CommitteeKind, CommitteeRole, PositionRole, Role, UnitType
from jisheng.orgs.models import Committee, CommitteeMember, Position, Unit, User
from jisheng.orgs.roles import ROLE_NAME_ZH

DEMO_PASSWORD = "Shifan-2026"
COUNTY_CODE = "990100000000"
START = datetime.date(2026, 1, 1)

# (code, name, type, villages/communities [(code suffix, name, type)])
TOWNSHIPS: list[tuple[str, str, str, list[tuple[str, str, str]]]] = [
    (
        "001",
        "青石镇",
        UnitType.TOWNSHIP,
        [
            ("001", "柳河村", UnitType.VILLAGE),
            ("002", "石桥村", UnitType.VILLAGE),
            ("003", "杏花村", UnitType.VILLAGE),
            ("004", "松岭村", UnitType.VILLAGE),
        ],
    ),
    (
        "002",
        "云溪镇",
        UnitType.TOWNSHIP,
        [
            ("001", "白鹭村", UnitType.VILLAGE),
            ("002", "桃源村", UnitType.VILLAGE),
            ("003", "竹林村", UnitType.VILLAGE),
        ],
    ),
    (
        "003",
        "月湖街道",
        UnitType.STREET,
        [
            ("001", "明珠社区", UnitType.COMMUNITY),
            ("002", "翠苑社区", UnitType.COMMUNITY),
            ("003", "文昌社区", UnitType.COMMUNITY),
            ("004", "滨湖社区", UnitType.COMMUNITY),
            ("005", "望月社区", UnitType.COMMUNITY),
        ],
    ),
    (
        "004",
        "金坪乡",
        UnitType.TOWNSHIP,
        [
            ("001", "枫林村", UnitType.VILLAGE),
            ("002", "梨园村", UnitType.VILLAGE),
            ("003", "双井村", UnitType.VILLAGE),
        ],
    ),
    (
        "005",
        "星河街道",
        UnitType.STREET,
        [
            ("001", "星光社区", UnitType.COMMUNITY),
            ("002", "和乐社区", UnitType.COMMUNITY),
            ("003", "锦绣社区", UnitType.COMMUNITY),
            ("004", "春晖社区", UnitType.COMMUNITY),
        ],
    ),
]

# Association groups (协会小组) under 柳河村 (990100001001): free codes.
GROUPS = [
    ("990100001001-X01", "柳河村第一协会小组"),
    ("990100001001-X02", "柳河村第二协会小组"),
]

# Work units under the county: (code, name, type, parent code or None for the county)
WORK_UNITS: list[tuple[str, str, str, str | None]] = [
    ("KY001", "示范煤矿", UnitType.ENTERPRISE, None),
    ("KY001-01", "一号井", UnitType.BRANCH, "KY001"),
    ("KY001-02", "二号井", UnitType.BRANCH, "KY001"),
    ("KY001-01-01", "采煤一队", UnitType.SECTION, "KY001-01"),
    ("KY001-ZG", "政工科", UnitType.SECTION, "KY001"),
    ("KY001-GH", "工会", UnitType.SECTION, "KY001"),
    ("KY001-LZ", "劳资科", UnitType.SECTION, "KY001"),
    ("XX001", "示范中学", UnitType.SCHOOL, None),
    ("XX001-JW", "教务处", UnitType.SECTION, "XX001"),
    ("XX001-ZJ", "政教处", UnitType.SECTION, "XX001"),
    ("XX001-ZW", "总务处", UnitType.SECTION, "XX001"),
]

# Invented people: a surname and a two-character given name picked in turn.
_SURNAMES = "赵钱孙李周吴郑冯陈褚卫蒋沈韩杨朱秦许何吕施张孔曹严华金魏陶姜"
_GIVEN = [
    "明远",
    "立新",
    "丽华",
    "秀英",
    "建国",
    "晓梅",
    "志强",
    "桂芳",
    "文博",
    "海燕",
    "春生",
    "玉兰",
    "国庆",
    "淑珍",
    "永康",
    "慧敏",
    "德胜",
    "雪琴",
    "长青",
    "红霞",
    "振华",
    "美玲",
    "学军",
    "凤英",
    "宏伟",
    "小燕",
    "家豪",
    "翠萍",
    "卫东",
    "静怡",
]

# Positions of every township/street: (role, job title)
LEVEL_POSITIONS: list[tuple[str, str]] = [
    (PositionRole.FIRST_RESPONSIBLE, "镇长"),
    (PositionRole.LEADER_IN_CHARGE, "分管副职"),
    (PositionRole.OFFICE_DIRECTOR, "计生办主任"),
    (PositionRole.SPECIALIST, "计生专干"),
    (PositionRole.PROPAGANDIST, "计生宣传员"),
    (PositionRole.COMMODITY_KEEPER, "药管员"),
]

# Demo logins: (username, role, unit code, full name)
DEMO_USERS: list[tuple[str, str, str, str]] = [
    ("admin", Role.ADMIN, COUNTY_CODE, "系统管理员（演示）"),
    ("jsb", Role.OFFICE, COUNTY_CODE, "孙丽华"),
    ("zhen", Role.OFFICE, "990100001000", "冯桂芳"),
    ("kuang", Role.OFFICE, "KY001", "陈文博"),
    ("zhuangan", Role.FIELD, "990100001001", "褚海燕"),
    ("lingdao", Role.LEADER, COUNTY_CODE, "钱立新"),
    ("yaoju", Role.COMMODITY, COUNTY_CODE, "吴晓梅"),
    ("kaohe", Role.ASSESSOR, COUNTY_CODE, "卫春生"),
    ("shenji", Role.AUDITOR, COUNTY_CODE, "蒋玉兰"),
    ("caizheng", Role.FINANCE, COUNTY_CODE, "沈国华"),
    ("daifa", Role.PAYER, COUNTY_CODE, "韩秀英"),
]

LEADING_GROUP = "示范县人口与计划生育领导小组"
# (name, role, affiliation, duties)
LEADING_GROUP_MEMBERS: list[tuple[str, str, str, str]] = [
    ("赵明远", CommitteeRole.CHAIR, "县人民政府 县长", "全面负责全县人口与计划生育工作"),
    (
        "钱立新",
        CommitteeRole.VICE_CHAIR,
        "县人民政府 副县长",
        "分管人口与计划生育工作，组织落实目标管理责任制",
    ),
    ("沈国庆", CommitteeRole.MEMBER, "县卫生健康局 局长", "负责技术服务、药具供应和妇幼保健"),
    ("韩淑珍", CommitteeRole.MEMBER, "县公安局 副局长", "负责户籍登记和流动人口信息共享"),
    ("杨永康", CommitteeRole.MEMBER, "县民政局 局长", "负责婚姻登记信息通报"),
    ("朱慧敏", CommitteeRole.MEMBER, "县统计局 局长", "负责人口统计和数据质量"),
    ("秦德胜", CommitteeRole.MEMBER, "县财政局 局长", "负责经费保障和奖励扶助资金"),
    ("孙丽华", CommitteeRole.SECRETARY, "县计生办 主任", "负责领导小组办公室日常工作"),
]

MINE_COMMITTEE = "示范煤矿人口与计划生育委员会"
MINE_COMMITTEE_MEMBERS: list[tuple[str, str, str, str]] = [
    ("许雪琴", CommitteeRole.CHAIR, "矿长", "第一责任人，对本矿计划生育工作负总责"),
    ("何长青", CommitteeRole.VICE_CHAIR, "党委副书记", "分管计划生育工作"),
    ("吕红霞", CommitteeRole.MEMBER, "工会主席", "组织宣传教育和女工服务"),
    ("施振华", CommitteeRole.MEMBER, "劳资科 科长", "人员变动时配合办理管理移交"),
    ("陈文博", CommitteeRole.SECRETARY, "计生办 主任", "负责委员会日常工作和台帐管理"),
]


@dataclass
class DemoResult:
    """What :func:`load_demo` did: counts of rows it created (all zero on a re-run)."""

    units: int = 0
    positions: int = 0
    committees: int = 0
    members: int = 0
    users: int = 0
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # username, role, unit
    password: str = DEMO_PASSWORD

    @property
    def created_anything(self) -> bool:
        return any((self.units, self.positions, self.committees, self.members, self.users))


def _name(index: int) -> str:
    return _SURNAMES[index % len(_SURNAMES)] + _GIVEN[(index * 7) % len(_GIVEN)]


def _unit(result: DemoResult, code: str, name: str, unit_type: str, parent: Unit | None) -> Unit:
    existing = Unit.objects.filter(code=code).first()
    if existing is not None:
        return existing
    result.units += 1
    return services.unit_create(
        actor=None, parent=parent, code=code, name=name, unit_type=unit_type
    )


def _position(
    result: DemoResult, unit: Unit, role: str, holder: str, title: str, user: User | None = None
) -> None:
    if Position.objects.filter(unit=unit, role=role, holder_name=holder).exists():
        return
    result.positions += 1
    services.position_create(
        actor=None,
        unit=unit,
        role=role,
        holder_name=holder,
        title=title,
        start_date=START,
        user=user,
    )


def _committee(
    result: DemoResult, unit: Unit, name: str, kind: str, members: list[tuple[str, str, str, str]]
) -> None:
    committee = Committee.objects.filter(unit=unit, name=name).first()
    if committee is None:
        result.committees += 1
        committee = services.committee_create(
            actor=None, unit=unit, name=name, kind=kind, established_on=START
        )
    for member_name, role, affiliation, duties in members:
        if CommitteeMember.objects.filter(committee=committee, name=member_name).exists():
            continue
        result.members += 1
        services.committee_member_add(
            actor=None,
            committee=committee,
            name=member_name,
            role=role,
            affiliation=affiliation,
            duties=duties,
            start_date=START,
        )


@transaction.atomic
def load_demo() -> DemoResult:
    """Create whatever part of the demo organisation is missing; return what was created."""
    result = DemoResult()
    county = _unit(result, COUNTY_CODE, "示范县", UnitType.COUNTY, None)
    units: dict[str, Unit] = {COUNTY_CODE: county}
    for town_digits, town_name, town_type, villages in TOWNSHIPS:
        town_code = f"990100{town_digits}000"
        town = _unit(result, town_code, town_name, town_type, county)
        units[town_code] = town
        for village_digits, village_name, village_type in villages:
            code = f"990100{town_digits}{village_digits}"
            units[code] = _unit(result, code, village_name, village_type, town)
    for code, name in GROUPS:
        units[code] = _unit(result, code, name, UnitType.GROUP, units["990100001001"])
    for code, name, unit_type, parent_code in WORK_UNITS:
        parent = units[parent_code or COUNTY_CODE]
        units[code] = _unit(result, code, name, unit_type, parent)

    users: dict[str, User] = {}
    for username, role, unit_code, full_name in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            result.users += 1
            user = services.user_create(
                actor=None,
                username=username,
                unit=units[unit_code],
                roles=[role],
                password=DEMO_PASSWORD,
                full_name=full_name,
            )
        users[username] = user
        result.logins.append((username, ROLE_NAME_ZH[role], units[unit_code].name))

    # Staff of the county and of each township/street; some holders are demo logins.
    _position(result, county, PositionRole.FIRST_RESPONSIBLE, "赵明远", "县长")
    _position(
        result, county, PositionRole.LEADER_IN_CHARGE, "钱立新", "副县长", user=users["lingdao"]
    )
    _position(
        result, county, PositionRole.OFFICE_DIRECTOR, "孙丽华", "县计生办主任", user=users["jsb"]
    )
    _position(result, county, PositionRole.SPECIALIST, "李秀英", "计生专干")
    _position(result, county, PositionRole.PROPAGANDIST, "周建国", "计生宣传员")
    _position(
        result,
        county,
        PositionRole.COMMODITY_KEEPER,
        "吴晓梅",
        "县药具站药管员",
        user=users["yaoju"],
    )
    person = 10
    for town_digits, town_name, _type, _villages in TOWNSHIPS:
        town = units[f"990100{town_digits}000"]
        head = (
            "镇长"
            if town_name.endswith("镇")
            else "乡长"
            if town_name.endswith("乡")
            else ("街道办事处主任")
        )
        for role, title in LEVEL_POSITIONS:
            if town.code == "990100001000" and role == PositionRole.OFFICE_DIRECTOR:
                _position(result, town, role, "冯桂芳", title, user=users["zhen"])
                continue
            holder = _name(person)
            person += 1
            _position(
                result,
                town,
                role,
                holder,
                head if role == PositionRole.FIRST_RESPONSIBLE else title,
            )
    liuhe = units["990100001001"]
    _position(
        result, liuhe, PositionRole.SPECIALIST, "褚海燕", "村计生专干", user=users["zhuangan"]
    )
    _position(result, liuhe, PositionRole.ASSOCIATION_HEAD, "卫秀英", "计生协会会长")
    for index, (code, _group_name) in enumerate(GROUPS):
        _position(result, units[code], PositionRole.GROUP_LEADER, _name(100 + index), "小组长")
    mine, school = units["KY001"], units["XX001"]
    _position(result, mine, PositionRole.FIRST_RESPONSIBLE, "许雪琴", "矿长")
    _position(result, mine, PositionRole.LEADER_IN_CHARGE, "何长青", "党委副书记")
    _position(
        result, mine, PositionRole.OFFICE_DIRECTOR, "陈文博", "计生办主任", user=users["kuang"]
    )
    _position(result, units["KY001-01"], PositionRole.PROPAGANDIST, "韩小燕", "兼职宣传员")
    _position(result, units["KY001-02"], PositionRole.PROPAGANDIST, "杨翠萍", "兼职宣传员")
    _position(result, school, PositionRole.FIRST_RESPONSIBLE, "金家豪", "校长")
    _position(result, school, PositionRole.SPECIALIST, "魏静怡", "计生专干（兼）")

    _committee(result, county, LEADING_GROUP, CommitteeKind.LEADING_GROUP, LEADING_GROUP_MEMBERS)
    _committee(result, mine, MINE_COMMITTEE, CommitteeKind.COMMITTEE, MINE_COMMITTEE_MEMBERS)
    return result
