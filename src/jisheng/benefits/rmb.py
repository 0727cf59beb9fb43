"""人民币大写: an amount of yuan in the capital Chinese numerals of financial documents
(壹仟贰佰叁拾肆元伍角陆分, 叁佰元整), as the payment roster's total shows it.

A Decimal to the fen (a binary fraction is refused). The rules of the banks'
票据填写规范: 零 between non-zero digits once for any run of zeros (壹仟零伍元),
万/亿 groups, 元整 when there are no jiao or fen, 零 before fen when there are no jiao
(壹元零伍分).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL = ("", "拾", "佰", "仟")
GROUPS = ("", "万", "亿", "万亿")


def _group(n: int) -> str:
    """0 < n < 10000 in 大写, leading zeros not written (the caller adds 零)."""
    text = ""
    zero = False
    for pos in range(3, -1, -1):
        d = n // 10**pos % 10
        if d == 0:
            zero = bool(text)
            continue
        if zero:
            text += "零"
            zero = False
        text += DIGITS[d] + SMALL[pos]
    return text


def _integer(n: int) -> str:
    if n == 0:
        return ""
    groups: list[int] = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    if len(groups) > len(GROUPS):
        raise ValueError("amount too large")
    text = ""
    need_zero = False
    for index in range(len(groups) - 1, -1, -1):
        g = groups[index]
        if g == 0:
            need_zero = bool(text)
            continue
        if text and (need_zero or g < 1000):
            text += "零"
        need_zero = False
        text += _group(g) + GROUPS[index]
    return text


def rmb_upper(amount: Decimal) -> str:
    """``Decimal("1234.56")`` → ``人民币壹仟贰佰叁拾肆元伍角陆分``; negative amounts are
    written with 负; zero is 人民币零元整."""
    if not isinstance(amount, Decimal):
        raise TypeError("an amount of yuan is a Decimal")
    value = amount.quantize(Decimal("0.01"), ROUND_HALF_UP)
    sign = "负" if value < 0 else ""
    fen_total = int(abs(value) * 100)
    yuan, rest = divmod(fen_total, 100)
    jiao, fen = divmod(rest, 10)
    head = _integer(yuan)
    if not head and not rest:
        return "人民币零元整"
    text = head + "元" if head else ""
    if not rest:
        return f"人民币{sign}{text}整"
    if jiao:
        text += DIGITS[jiao] + "角"
    elif head:
        text += "零"
    if fen:
        text += DIGITS[fen] + "分"
    else:
        text += "整"
    return f"人民币{sign}{text}"
