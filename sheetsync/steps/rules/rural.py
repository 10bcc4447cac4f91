"""RURAL_NO_PHONE: a courier cannot find a village address without calling, so a village needs a phone.

A village is named in the detail address (the address cell; the province, city and district cells
hold official names, which are never villages) as a place ending in 村 or 屯 (`张家村`, `王家屯`), or a
numbered group `3组`, `第三组`, `五村民小组`. Not villages: words and official names containing those
characters (新村 housing estates in cities, 度假村, 城中村, 农村, 乡村, 村上春树路, 村镇银行, 组团,
streets named after a place like 大屯路, the districts 周村区, 苏家屯区, 屯溪区, 奎屯市, and city quarters that
keep a village's name: 中关村, 魏公村, 石牌村 ...). They are
cut out of the text before looking, so `曹杨新村` is no village and `曹杨新村3组` still is.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from sheetsync.i18n import text
from sheetsync.model.records import Level
from sheetsync.steps.rules.findings import Findings, arrow

_NOT_VILLAGES: Final = (
    r"新村|度假村|地球村|城中村|农村|乡村|村上|村镇银行|组团|[村屯](?:路|街|大道|巷|弄)"
    r"|周村|马村|孟村|奎屯|苏家屯|扎兰屯|北屯|头屯河|屯溪|屯留|屯昌|屯门"
    r"|中关村|魏公村|大冲村|岗厦村|上沙村|下沙村|石牌村|冼村|杨箕村|猎德村|白石洲|小关村|双榆树|八里庄"
)
"""Names of no village: housing estates, banks, districts, and city quarters that keep an old village's name
(北京 中关村, 魏公村; 深圳、广州 urban villages such as 大冲村, 石牌村), where couriers find the street."""
_NAME: Final = r"[^\x00-\x{33FF}镇乡区县市省州盟旗路街道巷弄号楼栋室单元组村屯]"
"""A character of a village's own name: a Chinese character that does not end another kind of place."""
VILLAGE: Final = rf"(?P<place>第?[0-9一二三四五六七八九十两百]+(?:村民)?小?组|{_NAME}{{1,4}}[村屯])"


def villages(detail: pd.Series) -> pd.Series:
    """The village each address names (`石梁村`, `3组`), NA where it names none."""
    text = pc.utf8_normalize(arrow(detail), "NFKC")
    text = pc.replace_substring_regex(pc.replace_substring_regex(text, r"\s+", ""), _NOT_VILLAGES, "·")
    place = pc.struct_field(pc.extract_regex(text, VILLAGE), "place")
    return pd.Series(pd.array(place, dtype="str"), index=detail.index)


def findings(detail: pd.Series, rows: np.ndarray, level: Level) -> list[Findings]:
    """RURAL_NO_PHONE on `rows` (positions of rows with no usable phone) whose `detail` (aligned with rows) names a village."""
    if not len(rows):
        return []
    place = villages(detail).to_numpy(dtype=object)
    hit = pd.notna(place)
    if not hit.any():
        return []
    messages = np.array([text("rule.RURAL_NO_PHONE", place=p) for p in place[hit]], dtype=object)
    return [Findings(rows[hit], "RURAL_NO_PHONE", "phone", messages, level)]

