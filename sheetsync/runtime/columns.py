"""Spreadsheet column letters and numbers (A = 1, AB = 28): shared by the store and by the readers of files from
outside, which may not import the store."""

from __future__ import annotations

from functools import cache


@cache
def col_letters(col: int) -> str:
    """1 -> "A", 28 -> "AB"."""
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def col_number(letters: bytes) -> int:
    """b"A" -> 1, b"ab" -> 28."""
    number = 0
    for char in letters.upper():
        number = number * 26 + char - 64
    return number
