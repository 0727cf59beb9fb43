"""Relations inside a household seen from one member (issue 13 item 25).

A household records each member's relation *to the head* (户主, 配偶, 子女, 父母, 孙子女,
其他). The family block of a person's page lists the other members as *that person*
sees them: for the head's unmarried son the head's wife is 母亲, not 配偶.
:func:`relation_to_viewer` derives it from the two relations to the head and the sexes;
a combination it cannot name for certain (a grandchild's view, "other relative") is
shown as 家庭成员 rather than a wrong word, and the head is always 户主 at least.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from jisheng.people.choices import HouseholdRelation as R

MALE = "M"


def _by_sex(sex: str, male: str, female: str, either: str) -> str:
    if sex == MALE:
        return male
    if sex == "F":
        return female
    return either


def _sibling(sex: str, born: datetime.date | None, viewer_born: datetime.date | None) -> str:
    if born is None or viewer_born is None or born == viewer_born:
        return _by_sex(sex, _("Brother"), _("Sister"), _("Sibling"))
    older = born < viewer_born
    if sex == MALE:
        return _("Elder brother") if older else _("Younger brother")
    if sex == "F":
        return _("Elder sister") if older else _("Younger sister")
    return _("Sibling")


def relation_to_viewer(
    *,
    viewer: str,
    other: str,
    other_sex: str,
    viewer_sex: str = "",
    head_sex: str = "",
    other_born: datetime.date | None = None,
    viewer_born: datetime.date | None = None,
) -> str:
    """What ``other`` is to ``viewer``, both given by their relation to the head."""
    member = pgettext("household", "Family member")
    head = _("Head of household")
    spouse = _by_sex(other_sex, _("Husband"), _("Wife"), _("Spouse"))
    son_daughter = _by_sex(other_sex, _("Son"), _("Daughter"), _("Child"))
    father_mother = _by_sex(other_sex, _("Father"), _("Mother"), _("Parent"))
    if viewer == R.HEAD:
        return {
            R.SPOUSE: spouse,
            R.CHILD: son_daughter,
            R.PARENT: father_mother,
            R.GRANDCHILD: _by_sex(other_sex, _("Grandson"), _("Granddaughter"), _("Grandchild")),
        }.get(other, member)
    if other == R.HEAD:
        derived = {
            R.SPOUSE: spouse,
            R.CHILD: father_mother,
            R.PARENT: son_daughter,
        }.get(viewer)
        return f"{derived}（{head}）" if derived else head
    if viewer == R.SPOUSE:
        if other == R.CHILD:
            return son_daughter
        if other == R.PARENT:  # the head's parents: parents-in-law
            if viewer_sex == "F":
                return _by_sex(other_sex, _("Father-in-law (husband's father)"),
                               _("Mother-in-law (husband's mother)"), member)  # fmt: skip
            if viewer_sex == MALE:
                return _by_sex(other_sex, _("Father-in-law (wife's father)"),
                               _("Mother-in-law (wife's mother)"), member)  # fmt: skip
        if other == R.GRANDCHILD:
            return _by_sex(other_sex, _("Grandson"), _("Granddaughter"), _("Grandchild"))
        return member
    if viewer == R.CHILD:
        if other == R.SPOUSE:  # the head's spouse: the child's other parent
            return father_mother
        if other == R.CHILD:
            return _sibling(other_sex, other_born, viewer_born)
        if other == R.PARENT:  # the head's parents: grandparents, by the head's side
            if head_sex == MALE:
                return _by_sex(other_sex, _("Grandfather (father's father)"),
                               _("Grandmother (father's mother)"), member)  # fmt: skip
            if head_sex == "F":
                return _by_sex(other_sex, _("Grandfather (mother's father)"),
                               _("Grandmother (mother's mother)"), member)  # fmt: skip
        return member
    if viewer == R.PARENT:
        if other == R.SPOUSE:  # the head's spouse: son- or daughter-in-law
            return _by_sex(other_sex, _("Son-in-law"), _("Daughter-in-law"), member)
        if other == R.PARENT:
            return spouse
        if other == R.CHILD:
            if head_sex == MALE:
                return _by_sex(other_sex, _("Grandson (son's son)"),
                               _("Granddaughter (son's daughter)"), member)  # fmt: skip
            if head_sex == "F":
                return _by_sex(other_sex, _("Grandson (daughter's son)"),
                               _("Granddaughter (daughter's daughter)"), member)  # fmt: skip
        return member
    return member


def annotate_household(members: list, viewer_person_id: int) -> None:
    """Set ``viewer_relation`` on each :class:`HouseholdMember` of one household: what the
    member is to the person ``viewer_person_id`` (a member of it)."""
    me = next((m for m in members if m.person_id == viewer_person_id), None)
    head = next((m for m in members if m.relation == R.HEAD), None)
    for m in members:
        if me is None:
            m.viewer_relation = m.get_relation_display()
            continue
        m.viewer_relation = relation_to_viewer(
            viewer=me.relation,
            other=m.relation,
            other_sex=m.person.sex,
            viewer_sex=me.person.sex,
            head_sex=head.person.sex if head is not None else "",
            other_born=m.person.birth_date,
            viewer_born=me.person.birth_date,
        )
