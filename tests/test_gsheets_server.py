"""The fake Google Sheets API (tests/gsheets_server.py) driven by the real gspread client and google-auth.

The answers are checked against Google's documented shapes; each check names the page it follows.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import gspread
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth.exceptions import RefreshError
from google.oauth2.service_account import Credentials
from gsheets_server import FakeSheets
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient
from gspread.utils import DateTimeOption, ValueInputOption, ValueRenderOption

GOOGLE = "https://sheets.googleapis.com"
SCOPES = ["https://www.googleapis.com/auth/spreadsheets"]
SHEET = "订单"
BIG_ID = "1234567890123456789"  # 19 digits: more than a double holds


def client_for(fake: FakeSheets, key: Path) -> gspread.Client:
    """The real gspread client, its URLs pointed at the fake, authorised by a service-account key."""
    base = fake.base_url

    class LocalClient(HTTPClient):
        def request(self, method: str, endpoint: str, *args: Any, **kwargs: Any) -> requests.Response:
            return super().request(method, endpoint.replace(GOOGLE, base), *args, **kwargs)

    credentials = Credentials.from_service_account_file(str(key), scopes=SCOPES)
    return gspread.Client(credentials, http_client=LocalClient)


@pytest.fixture
def fake() -> Iterator[FakeSheets]:
    with FakeSheets() as server:
        yield server
        assert server.server_errors == []


@pytest.fixture
def gc(fake: FakeSheets, tmp_path: Path) -> gspread.Client:
    return client_for(fake, fake.key_file(tmp_path))


@pytest.fixture
def sid(fake: FakeSheets) -> str:
    return fake.create("desk", (SHEET, "看板"))


@pytest.fixture
def ws(gc: gspread.Client, sid: str) -> gspread.Worksheet:
    return gc.open_by_key(sid).worksheet(SHEET)


def api_error(exc: pytest.ExceptionInfo[APIError]) -> dict[str, Any]:
    body: dict[str, Any] = exc.value.response.json()
    return body["error"]


def cells(ws: gspread.Worksheet, values: list[list[dict[str, Any]]], *, row: int = 0, col: int = 0,
          fields: str = "userEnteredValue") -> dict[str, Any]:
    return ws.spreadsheet.batch_update({"requests": [{"updateCells": {
        "start": {"sheetId": ws.id, "rowIndex": row, "columnIndex": col},
        "rows": [{"values": line} for line in values], "fields": fields}}]})


# --- opening, auth ------------------------------------------------------------------------------------------


def test_open_by_key_lists_the_worksheets(fake: FakeSheets, gc: gspread.Client, sid: str) -> None:
    assert len(sid) == 44
    sh = gc.open_by_key(sid)
    assert sh.title == "desk"
    assert [w.title for w in sh.worksheets()] == [SHEET, "看板"]
    first = sh.worksheet(SHEET)
    assert (first.id, first.row_count, first.col_count) == (0, 1000, 26)
    token, metadata = fake.requests[0], fake.requests[1]
    assert (token.method, token.path, token.status) == ("POST", "/token", 200)
    form = parse_qs(token.body.decode())
    assert form["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"] and form["assertion"][0].count(".") == 2
    assert json.loads(token.response)["token_type"] == "Bearer"
    assert (metadata.method, metadata.path, metadata.param("includeGridData")) == ("GET", f"/v4/spreadsheets/{sid}", "false")
    assert metadata.headers["authorization"].startswith("Bearer ya29.")


def test_unknown_spreadsheet_is_not_found(gc: gspread.Client) -> None:
    with pytest.raises(gspread.SpreadsheetNotFound) as exc:
        gc.open_by_key("1" + "x" * 43)
    body = exc.value.args[0].json()  # gspread raises SpreadsheetNotFound(response)
    assert body == {"error": {"code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND"}}


def test_requests_without_a_token_this_server_issued_are_unauthenticated(fake: FakeSheets, sid: str) -> None:
    for headers in ({}, {"Authorization": "Bearer ya29.made-up"}, {"Authorization": "Basic Zm9vOmJhcg=="}):
        answer = requests.get(f"{fake.base_url}/v4/spreadsheets/{sid}", headers=headers, timeout=5)
        assert answer.status_code == 401
        # https://developers.google.com/analytics/devguides/reporting/data/v1/errors: Google APIs answer an error as
        # {"error": {"code": <HTTP status>, "message": ..., "status": <canonical code>}}
        error = answer.json()["error"]
        assert (error["code"], error["status"]) == (401, "UNAUTHENTICATED")
        assert error["message"].startswith("Request had invalid authentication credentials.")


def test_the_token_endpoint_checks_the_jwt_signature(fake: FakeSheets, sid: str, tmp_path: Path) -> None:
    key = fake.key_file(tmp_path / "ok")
    stranger = json.loads(key.read_text(encoding="utf-8"))  # same account, a private key this server never made
    stranger["private_key"] = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(stranger), encoding="utf-8")
    with pytest.raises(RefreshError, match="invalid_grant"):
        client_for(fake, forged).open_by_key(sid)
    answer = requests.post(fake.token_uri, data={"grant_type": "client_credentials"}, timeout=5)
    assert answer.status_code == 400 and answer.json()["error"] == "unsupported_grant_type"
    assert client_for(fake, key).open_by_key(sid).title == "desk"


def test_an_expired_token_is_refreshed_by_the_client(fake: FakeSheets, gc: gspread.Client, sid: str) -> None:
    sh = gc.open_by_key(sid)
    fake.expire_tokens()
    assert sh.worksheet(SHEET).title == SHEET
    tail = [(r.path.rpartition("/")[2][:5], r.status) for r in fake.requests[-3:]]
    assert tail == [(sid[:5], 401), ("token", 200), (sid[:5], 200)]


# --- values: RAW, USER_ENTERED, typed values ----------------------------------------------------------------


def test_raw_keeps_text_as_text(fake: FakeSheets, ws: gspread.Worksheet, sid: str) -> None:
    ws.update([["0012", "=SUM(1,2)", BIG_ID, "'0012", "TRUE"]], "A1", raw=True)
    assert ws.get("A1:E1", value_render_option=ValueRenderOption.unformatted) == [["0012", "=SUM(1,2)", BIG_ID, "'0012", "TRUE"]]
    assert fake.values(sid, SHEET) == [["0012", "=SUM(1,2)", BIG_ID, "'0012", "TRUE"]]
    assert fake.cell(sid, SHEET, 1, 2)["userEnteredValue"] == {"stringValue": "=SUM(1,2)"}


def test_user_entered_parses_like_a_person_typing(fake: FakeSheets, ws: gspread.Worksheet, sid: str) -> None:
    ws.update([["0012", "=SUM(1,2)", BIG_ID, "+86 138 0013 8000", "+86-138-0013-8000", "2024-01-05", "true", "'0012",
                "1,234.5", "12%"]], "A1", raw=False)
    unformatted = ws.get("A1:J1", value_render_option=ValueRenderOption.unformatted)[0]
    assert unformatted[:3] == [12, 3, float(BIG_ID)]
    assert int(unformatted[2]) != int(BIG_ID)  # the id lost its last digits
    assert unformatted[3:] == ["#ERROR!", -8065, 45296, True, "0012", 1234.5, 0.12]
    formatted = ws.get("A1:J1")[0]
    assert formatted == ["12", "3", "1.23457E+18", "#ERROR!", "-8065", "2024-01-05", "TRUE", "0012", "1,234.50", "12%"]
    formulas = ws.get("A1:E1", value_render_option=ValueRenderOption.formula)[0]
    assert formulas == [12, "=SUM(1,2)", float(BIG_ID), "=+86 138 0013 8000", "=+86-138-0013-8000"]
    assert fake.cell(sid, SHEET, 1, 2)["userEnteredValue"] == {"formulaValue": "=SUM(1,2)"}
    assert fake.format_of(sid, SHEET, 1, 6)["numberFormat"]["type"] == "DATE"
    as_text = ws.get("F1", value_render_option=ValueRenderOption.unformatted,
                     date_time_render_option=DateTimeOption.formatted_string)
    assert as_text == [["2024-01-05"]]


def test_a_text_formatted_column_keeps_what_is_typed(fake: FakeSheets, ws: gspread.Worksheet, sid: str) -> None:
    ws.spreadsheet.batch_update({"requests": [{"repeatCell": {
        "range": {"sheetId": ws.id, "startColumnIndex": 0, "endColumnIndex": 1},
        "cell": {"userEnteredFormat": {"numberFormat": {"type": "TEXT"}}}, "fields": "userEnteredFormat.numberFormat"}}]})
    ws.update([["0012", "0012"], [BIG_ID, BIG_ID]], "A1", raw=False)
    assert fake.values(sid, SHEET) == [["0012", 12], [BIG_ID, float(BIG_ID)]]
    fake.set_cell(sid, SHEET, 3, 1, "007", as_typed=True)
    fake.set_cell(sid, SHEET, 3, 2, "007", as_typed=True)
    assert fake.values(sid, SHEET)[2] == ["007", 7]


def test_typed_values_keep_their_type(fake: FakeSheets, ws: gspread.Worksheet, sid: str) -> None:
    answer = cells(ws, [[
        {"userEnteredValue": {"stringValue": "0012"}, "userEnteredFormat": {"backgroundColor": {"red": 1, "green": 0.9}}},
        {"userEnteredValue": {"numberValue": 12.5}},
        {"userEnteredValue": {"boolValue": True}},
        {"userEnteredValue": {"stringValue": BIG_ID}},
        {"userEnteredValue": {"formulaValue": "=1+1"}},
        {"userEnteredValue": {"stringValue": "=1+1"}},
    ]], fields="userEnteredValue,userEnteredFormat.backgroundColor")
    # https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/batchUpdate#response-body:
    # {"spreadsheetId": string, "replies": [Response]} - "maps 1:1 with the updates, although replies to some
    # requests may be empty"
    assert answer == {"spreadsheetId": sid, "replies": [{}]}
    assert ws.get("A1:F1", value_render_option=ValueRenderOption.unformatted) == [["0012", 12.5, True, BIG_ID, 2, "=1+1"]]
    assert ws.get("A1:F1") == [["0012", "12.5", "TRUE", BIG_ID, "2", "=1+1"]]
    assert fake.format_of(sid, SHEET, 1, 1) == {"backgroundColor": {"red": 1, "green": 0.9}}
    assert fake.format_of(sid, SHEET, 1, 2) == {}


def test_only_the_masked_fields_change(fake: FakeSheets, ws: gspread.Worksheet, sid: str) -> None:
    cells(ws, [[{"userEnteredValue": {"numberValue": 1234.5},
                 "userEnteredFormat": {"numberFormat": {"type": "NUMBER", "pattern": "#,##0.00"},
                                       "backgroundColor": {"red": 1}}}]], fields="*")
    assert ws.get("A1") == [["1,234.50"]]
    cells(ws, [[{"userEnteredValue": {"stringValue": "ignored"}, "userEnteredFormat": {"backgroundColor": {"green": 1}}}]],
          fields="userEnteredFormat.backgroundColor")
    assert fake.values(sid, SHEET) == [[1234.5]]
    assert fake.format_of(sid, SHEET, 1, 1) == {"numberFormat": {"type": "NUMBER", "pattern": "#,##0.00"},
                                                 "backgroundColor": {"green": 1}}
    cells(ws, [[{}]], fields="userEnteredFormat(numberFormat)")  # masked but absent: cleared
    assert fake.format_of(sid, SHEET, 1, 1) == {"backgroundColor": {"green": 1}}
    assert ws.get("A1") == [["1234.5"]]
    cells(ws, [[{}]], fields="userEnteredValue")
    assert fake.values(sid, SHEET) == []


def test_update_cells_over_a_range_clears_what_the_rows_leave_out(fake: FakeSheets, ws: gspread.Worksheet, sid: str) -> None:
    # UpdateCellsRequest.range: "If the data in rows does not cover the entire requested range, the fields matching
    # those set in fields will be cleared." (developers.google.com/sheets/api/reference/rest/v4/spreadsheets/request)
    ws.update([["a", "b"], ["c", "d"]], "A1")
    ws.spreadsheet.batch_update({"requests": [{"updateCells": {
        "range": {"sheetId": ws.id, "startRowIndex": 0, "endRowIndex": 2, "startColumnIndex": 0, "endColumnIndex": 2},
        "rows": [{"values": [{"userEnteredValue": {"stringValue": "x"}}]}], "fields": "userEnteredValue"}}]})
    assert fake.values(sid, SHEET) == [["x"]]
    with pytest.raises(APIError) as exc:
        ws.spreadsheet.batch_update({"requests": [{"updateCells": {
            "range": {"sheetId": ws.id, "startRowIndex": 0, "endRowIndex": 1, "startColumnIndex": 0, "endColumnIndex": 1},
            "rows": [{"values": [{}]}, {"values": [{}]}], "fields": "userEnteredValue"}}]})
    assert "beyond the last requested row" in api_error(exc)["message"]


# --- atomicity and grid limits ------------------------------------------------------------------------------


def test_a_batch_with_one_invalid_request_changes_nothing(fake: FakeSheets, ws: gspread.Worksheet, sid: str) -> None:
    ws.update([["before"]], "A1")
    good = {"updateCells": {"start": {"sheetId": ws.id}, "rows": [{"values": [{"userEnteredValue": {"stringValue": "after"}}]}],
                            "fields": "userEnteredValue"}}
    grow = {"appendDimension": {"sheetId": ws.id, "dimension": "ROWS", "length": 5}}
    bad: dict[str, Any]
    for bad in ({"fooBar": {}},  # unknown kind
                {"updateCells": {"start": {"sheetId": ws.id, "rowIndex": 1005}, "rows": [{"values": [{}]}],
                                 "fields": "userEnteredValue"}},  # past the grid, even after growing by 5
                {"updateCells": {"start": {"sheetId": 999}, "rows": [], "fields": "userEnteredValue"}},  # no such sheet
                {"updateCells": {"start": {"sheetId": ws.id}, "rows": []}}):  # no fields
        with pytest.raises(APIError) as exc:
            ws.spreadsheet.batch_update({"requests": [good, grow, bad]})
        error = api_error(exc)
        assert (error["code"], error["status"]) == (400, "INVALID_ARGUMENT")
        assert fake.values(sid, SHEET) == [["before"]]
        assert fake.sheet_properties(sid, SHEET)["gridProperties"]["rowCount"] == 1000


def test_writing_past_the_grid_needs_the_grid_grown_first(fake: FakeSheets, ws: gspread.Worksheet, sid: str) -> None:
    with pytest.raises(APIError) as exc:
        ws.update([["x"]], "A1001")
    assert api_error(exc)["message"] == "Range ('订单'!A1001) exceeds grid limits. Max rows: 1000, max columns: 26"
    with pytest.raises(APIError) as exc:
        ws.update([["x"] * 27], "A1")
    assert "exceeds grid limits" in api_error(exc)["message"]
    with pytest.raises(APIError) as exc:
        cells(ws, [[{"userEnteredValue": {"stringValue": "x"}}]], row=1000)
    assert api_error(exc)["message"] == ("Invalid requests[0].updateCells: GridCoordinate.rowIndex[1000] is after last row "
                                         "in grid[999]")
    with pytest.raises(APIError):
        ws.get("A1:A1001")
    ws.spreadsheet.batch_update({"requests": [{"appendDimension": {"sheetId": ws.id, "dimension": "ROWS", "length": 1}}]})
    cells(ws, [[{"userEnteredValue": {"stringValue": "x"}}]], row=1000)
    assert fake.values(sid, SHEET)[1000] == ["x"]
    ws.spreadsheet.batch_update({"requests": [{"appendCells": {
        "sheetId": ws.id, "rows": [{"values": [{"userEnteredValue": {"stringValue": "y"}}]}], "fields": "userEnteredValue"}}]})
    assert fake.sheet_properties(sid, SHEET)["gridProperties"]["rowCount"] == 1002  # appendCells grows the grid itself
    assert fake.values(sid, SHEET)[1001] == ["y"]


# --- faults ---------------------------------------------------------------------------------------------------


def test_429_arrives_with_retry_after_and_googles_body(fake: FakeSheets, ws: gspread.Worksheet, sid: str) -> None:
    fake.fail_next(429, retry_after=7, match="/values/")
    with pytest.raises(APIError) as exc:
        ws.update([["x"]], "A1")
    answer = exc.value.response
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "7"
    error = answer.json()["error"]
    assert (error["code"], error["status"]) == (429, "RESOURCE_EXHAUSTED")
    assert "Write requests per minute per user" in error["message"]
    assert error["details"][0]["reason"] == "RATE_LIMIT_EXCEEDED"
    assert fake.values(sid, SHEET) == []  # a refused write changes nothing
    ws.update([["x"]], "A1")
    assert fake.values(sid, SHEET) == [["x"]]
    assert [r.status for r in fake.api_requests() if "/values/" in r.path] == [429, 200]


def test_500_and_503_are_consumed_in_order(fake: FakeSheets, ws: gspread.Worksheet) -> None:
    fake.fail_next(500)
    fake.fail_next(503, times=2)
    seen = []
    for _ in range(3):
        with pytest.raises(APIError) as exc:
            ws.get("A1")
        seen.append((exc.value.response.status_code, api_error(exc)["status"]))
    assert seen == [(500, "INTERNAL"), (503, "UNAVAILABLE"), (503, "UNAVAILABLE")]
    assert ws.get("A1") == [[]]  # gspread's reading of a ValueRange without "values"


def test_a_delayed_write_lands_although_the_client_stopped_waiting(fake: FakeSheets, gc: gspread.Client,
                                                                    ws: gspread.Worksheet, sid: str) -> None:
    fake.delay_next(0.4, match="/values/")
    started = time.monotonic()
    ws.get("A1")
    assert time.monotonic() - started >= 0.4
    gc.set_timeout(0.1)
    fake.delay_next(1.0, match="/values/")
    with pytest.raises(requests.exceptions.ReadTimeout):
        ws.update([["sent once"]], "A1")
    gc.set_timeout(None)
    assert fake.values(sid, SHEET) == [["sent once"]]


def test_before_next_puts_a_persons_edit_between_a_read_and_a_write(fake: FakeSheets, ws: gspread.Worksheet, sid: str) -> None:
    ws.update([["订单号", "状态"], ["A-1", "待发货"], ["A-2", "待发货"]], "A1")
    rows = ws.get_all_values()  # the store reads ...
    row_of_a1 = next(i for i, row in enumerate(rows) if row[0] == "A-1")
    fake.before_next(lambda: fake.insert_rows(sid, SHEET, 2), match=":batchUpdate")  # ... a person inserts a row ...
    cells(ws, [[{"userEnteredValue": {"stringValue": "已发货"}}]], row=row_of_a1, col=1)  # ... the store writes by position
    assert fake.values(sid, SHEET) == [["订单号", "状态"], ["", "已发货"], ["A-1", "待发货"], ["A-2", "待发货"]]
    cells(ws, [[{"userEnteredValue": {"stringValue": "x"}}]], row=9)  # the action ran once only
    assert len(fake.values(sid, SHEET)) == 10


# --- a person's hands ---------------------------------------------------------------------------------------


def test_a_persons_edits_sorts_inserts_and_deletes(fake: FakeSheets, ws: gspread.Worksheet, sid: str) -> None:
    ws.update([["单号", "金额"], ["b", 30], ["a", 5], ["c", ""], ["d", "x"], ["e", 12]], "A1")
    fake.sort_rows(sid, SHEET, 2, 2)
    assert [row[0] for row in fake.values(sid, SHEET)] == ["单号", "a", "e", "b", "d", "c"]
    fake.sort_rows(sid, SHEET, 2, 2, descending=True)
    assert [row[0] for row in fake.values(sid, SHEET)] == ["单号", "d", "b", "e", "a", "c"]
    fake.set_cell(sid, SHEET, 2, 2, "=SUM(A1)")
    fake.set_cell(sid, SHEET, 3, 2, 99)
    fake.set_cell(sid, SHEET, 4, 2, None)
    fake.insert_rows(sid, SHEET, 2, count=2)
    fake.delete_rows(sid, SHEET, 7)
    assert fake.values(sid, SHEET) == [["单号", "金额"], [], [], ["d", "=SUM(A1)"], ["b", 99], ["e"], ["c"]]
    assert ws.get("B4", value_render_option=ValueRenderOption.formula) == [["=SUM(A1)"]]
    assert fake.sheet_properties(sid, SHEET)["gridProperties"]["rowCount"] == 1001
    with pytest.raises(IndexError):
        fake.set_cell(sid, SHEET, 1002, 1, "outside")


# --- ranges and the documented shapes -----------------------------------------------------------------------


def test_value_ranges_follow_googles_shape_and_trimming(fake: FakeSheets, gc: gspread.Client, ws: gspread.Worksheet,
                                                        sid: str) -> None:
    ws.update([["a", "", "c"], ["", "", ""], [1, None, None], ["", "", ""]], "A1")
    sh = gc.open_by_key(sid)
    # ValueRange (developers.google.com/sheets/api/reference/rest/v4/spreadsheets.values#ValueRange):
    # {"range": string, "majorDimension": enum, "values": [[value]]}; "For output, this range indicates the entire
    # requested range, even though the values will exclude trailing rows and columns."
    whole = sh.values_get("'订单'!A1:Z", params={"valueRenderOption": "UNFORMATTED_VALUE"})
    assert whole == {"range": "'订单'!A1:Z1000", "majorDimension": "ROWS", "values": [["a", "", "c"], [], [1]]}
    assert isinstance(whole["values"][2][0], int)
    assert sh.values_get(SHEET)["range"] == "'订单'!A1:Z1000"
    assert sh.values_get("'订单'!A:A") == {"range": "'订单'!A1:A1000", "majorDimension": "ROWS", "values": [["a"], [], ["1"]]}
    assert sh.values_get("'订单'!2:5") == {"range": "'订单'!A2:Z5", "majorDimension": "ROWS", "values": [[], ["1"]]}
    assert sh.values_get("'订单'!D1:E9") == {"range": "'订单'!D1:E9", "majorDimension": "ROWS"}  # no "values" when empty
    columns = sh.values_get("'订单'!A1:C3", params={"majorDimension": "COLUMNS"})
    assert columns["values"] == [["a", "", "1"], [], ["c"]]
    batch = sh.values_batch_get(["'订单'!A1", "看板!A1:B2"])
    assert batch == {"spreadsheetId": sid, "valueRanges": [
        {"range": "'订单'!A1", "majorDimension": "ROWS", "values": [["a"]]},
        {"range": "'看板'!A1:B2", "majorDimension": "ROWS"}]}
    with pytest.raises(APIError) as exc:
        sh.values_get("'没有'!A1")
    assert api_error(exc)["message"] == "Unable to parse range: '没有'!A1"


def test_update_answers_follow_the_documented_shapes(ws: gspread.Worksheet, sid: str) -> None:
    # UpdateValuesResponse (developers.google.com/sheets/reference/rest/v4/UpdateValuesResponse):
    # spreadsheetId, updatedRange (string), updatedRows, updatedColumns, updatedCells (integers)
    answer = ws.update([[1, 2], [3, 4]], "B2")
    assert answer == {"spreadsheetId": sid, "updatedRange": "'订单'!B2:C3", "updatedRows": 2, "updatedColumns": 2,
                      "updatedCells": 4}
    batch = ws.batch_update([{"range": "A1", "values": [["x"]]}, {"range": "D1:E1", "values": [["y", "z"]]}])
    assert batch["totalUpdatedCells"] == 3 and batch["totalUpdatedSheets"] == 1
    assert [r["updatedRange"] for r in batch["responses"]] == ["'订单'!A1", "'订单'!D1:E1"]
    with pytest.raises(APIError) as exc:
        ws.update([["x"], ["y"]], "A1:A1")
    assert "but tried writing to row [2]" in api_error(exc)["message"]


def test_the_spreadsheet_resource_follows_the_documented_shape(fake: FakeSheets, gc: gspread.Client, sid: str) -> None:
    sh = gc.open_by_key(sid)
    sh.worksheet(SHEET).freeze(rows=1)
    resource = sh.fetch_sheet_metadata()
    # Spreadsheet (developers.google.com/sheets/api/reference/rest/v4/spreadsheets#Spreadsheet) and SheetProperties /
    # GridProperties (.../spreadsheets/sheets#SheetProperties): sheetId, title, index (integers and strings),
    # sheetType GRID, gridProperties {rowCount, columnCount, frozenRowCount} as integers
    assert resource["spreadsheetId"] == sid and resource["properties"]["title"] == "desk"
    first, second = (s["properties"] for s in resource["sheets"])
    assert first == {"sheetId": 0, "title": SHEET, "index": 0, "sheetType": "GRID",
                     "gridProperties": {"rowCount": 1000, "columnCount": 26, "frozenRowCount": 1}}
    assert isinstance(second["sheetId"], int) and second["sheetId"] > 0 and second["index"] == 1
    assert "frozenRowCount" not in second["gridProperties"]  # proto3 JSON leaves zero values out
    assert "data" not in resource["sheets"][0]


def test_include_grid_data_answers_cell_data(fake: FakeSheets, gc: gspread.Client, ws: gspread.Worksheet, sid: str) -> None:
    cells(ws, [[{"userEnteredValue": {"numberValue": 0.125},
                 "userEnteredFormat": {"numberFormat": {"type": "PERCENT", "pattern": "0.0%"}}},
                {"userEnteredValue": {"stringValue": "0012"}}],
               [{}, {"userEnteredValue": {"formulaValue": "=1/0"}}]], fields="*")
    # spreadsheets.get (developers.google.com/sheets/api/reference/rest/v4/spreadsheets/get): grid data comes with
    # includeGridData=true, limited to the `ranges` asked for; GridData holds rowData[].values[] of CellData
    resource = gc.open_by_key(sid).fetch_sheet_metadata(params={"includeGridData": "true", "ranges": "'订单'!A1:B3",
                                                                "fields": "sheets(properties,data)"})
    assert [s["properties"]["title"] for s in resource["sheets"]] == [SHEET]
    data = resource["sheets"][0]["data"][0]
    first, second = data["rowData"]
    assert first["values"][0] == {"userEnteredValue": {"numberValue": 0.125}, "effectiveValue": {"numberValue": 0.125},
                                  "formattedValue": "12.5%",
                                  "userEnteredFormat": {"numberFormat": {"type": "PERCENT", "pattern": "0.0%"}}}
    assert first["values"][1]["effectiveValue"] == {"stringValue": "0012"}
    assert second["values"][0] == {}
    assert second["values"][1]["formattedValue"] == "#DIV/0!"
    assert len(data["rowMetadata"]) == 3 and data["columnMetadata"][0] == {"pixelSize": 100}


# --- the other batchUpdate requests -------------------------------------------------------------------------


def test_sheet_level_requests(fake: FakeSheets, ws: gspread.Worksheet, sid: str) -> None:
    sh = ws.spreadsheet
    reply = sh.batch_update({"requests": [{"addSheet": {"properties": {"title": "售后", "gridProperties": {
        "rowCount": 50, "columnCount": 8, "frozenRowCount": 1}}}}]})["replies"][0]["addSheet"]["properties"]
    assert reply["title"] == "售后" and reply["index"] == 2
    assert reply["gridProperties"] == {"rowCount": 50, "columnCount": 8, "frozenRowCount": 1}
    with pytest.raises(APIError) as exc:
        sh.batch_update({"requests": [{"addSheet": {"properties": {"title": "售后"}}}]})
    assert "already exists" in api_error(exc)["message"]
    new_id = reply["sheetId"]
    sh.batch_update({"requests": [
        {"updateSheetProperties": {"properties": {"sheetId": new_id, "title": "售后单", "gridProperties": {"frozenRowCount": 2}},
                                   "fields": "title,gridProperties.frozenRowCount"}},
        {"setDataValidation": {"range": {"sheetId": ws.id, "startRowIndex": 1, "endRowIndex": 3, "startColumnIndex": 1,
                                         "endColumnIndex": 2},
                               "rule": {"condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": "待发货"},
                                                                                        {"userEnteredValue": "已发货"}]},
                                        "strict": True, "showCustomUi": True}}},
        {"setBasicFilter": {"filter": {"range": {"sheetId": ws.id, "startRowIndex": 0, "endRowIndex": 10,
                                                 "startColumnIndex": 0, "endColumnIndex": 5}}}},
        {"updateDimensionProperties": {"range": {"sheetId": ws.id, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 1},
                                       "properties": {"pixelSize": 180}, "fields": "pixelSize"}},
    ]})
    assert fake.sheet_properties(sid, "售后单")["gridProperties"]["frozenRowCount"] == 2
    assert fake.data_validation(sid, SHEET, 2, 2)["condition"]["values"][1] == {"userEnteredValue": "已发货"}  # type: ignore[index]
    assert fake.data_validation(sid, SHEET, 4, 2) is None
    fake.insert_rows(sid, SHEET, 1)  # a person's insert moves the rule and the filter with the rows
    assert fake.data_validation(sid, SHEET, 3, 2) is not None and fake.data_validation(sid, SHEET, 2, 2) is None
    assert fake.basic_filter(sid, SHEET)["range"]["endRowIndex"] == 11  # type: ignore[index]
    resource = sh.fetch_sheet_metadata(params={"includeGridData": "true", "ranges": "'订单'!A1:A2"})
    assert resource["sheets"][0]["basicFilter"]["range"]["startRowIndex"] == 1
    assert resource["sheets"][0]["data"][0]["columnMetadata"] == [{"pixelSize": 180}]
    with pytest.raises(APIError) as exc:
        sh.batch_update({"requests": [{"setDataValidation": {"range": {"sheetId": ws.id},
                                                             "rule": {"condition": {"type": "ONE_OF_LIST"}}}}]})
    assert "requires at least one ConditionValue" in api_error(exc)["message"]
    sh.batch_update({"requests": [{"deleteSheet": {"sheetId": new_id}}]})
    assert fake.sheet_titles(sid) == [SHEET, "看板"]


def test_dimension_requests_move_cells(fake: FakeSheets, ws: gspread.Worksheet, sid: str) -> None:
    ws.update([["a", "b"], ["c", "d"]], "A1")
    ws.spreadsheet.batch_update({"requests": [
        {"insertDimension": {"range": {"sheetId": ws.id, "dimension": "ROWS", "startIndex": 1, "endIndex": 2},
                             "inheritFromBefore": False}},
        {"insertDimension": {"range": {"sheetId": ws.id, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 1}}},
        {"deleteDimension": {"range": {"sheetId": ws.id, "dimension": "ROWS", "startIndex": 0, "endIndex": 1}}},
    ]})
    assert fake.values(sid, SHEET) == [[], ["", "c", "d"]]
    grid = fake.sheet_properties(sid, SHEET)["gridProperties"]
    assert (grid["rowCount"], grid["columnCount"]) == (1000, 27)
    with pytest.raises(APIError) as exc:
        ws.spreadsheet.batch_update({"requests": [{"deleteDimension": {"range": {
            "sheetId": ws.id, "dimension": "ROWS", "startIndex": 0, "endIndex": 1000}}}]})
    assert "You can't delete all the rows on the sheet." in api_error(exc)["message"]


def test_charts_and_formats_through_gspread(fake: FakeSheets, ws: gspread.Worksheet, sid: str) -> None:
    spec = {"title": "积压", "basicChart": {"chartType": "COLUMN", "series": [{"series": {"sourceRange": {"sources": [
        {"sheetId": ws.id, "startRowIndex": 0, "endRowIndex": 5, "startColumnIndex": 1, "endColumnIndex": 2}]}}}]}}
    position = {"overlayPosition": {"anchorCell": {"sheetId": ws.id, "rowIndex": 0, "columnIndex": 4}}}
    reply = ws.spreadsheet.batch_update({"requests": [{"addChart": {"chart": {"spec": spec, "position": position}}}]})
    chart = reply["replies"][0]["addChart"]["chart"]
    assert isinstance(chart["chartId"], int) and chart["spec"] == spec
    assert [c["chartId"] for c in fake.charts(sid, SHEET)] == [chart["chartId"]]
    ws.format("A1:B1", {"backgroundColor": {"red": 0.9, "green": 0.9, "blue": 0.9}, "textFormat": {"bold": True}})
    assert fake.format_of(sid, SHEET, 1, 2) == {"backgroundColor": {"red": 0.9, "green": 0.9, "blue": 0.9},
                                                "textFormat": {"bold": True}}
    ws.resize(rows=20, cols=5)
    assert fake.sheet_properties(sid, SHEET)["gridProperties"] == {"rowCount": 20, "columnCount": 5}
    ws.append_rows([["x", 1], ["y", 2]], value_input_option=ValueInputOption.user_entered)
    assert fake.values(sid, SHEET) == [["x", 1], ["y", 2]]


def test_unknown_request_kinds_are_refused(ws: gspread.Worksheet) -> None:
    with pytest.raises(APIError) as exc:
        ws.spreadsheet.batch_update({"requests": [{"makeItPretty": {}}]})
    assert api_error(exc)["message"] == ('Invalid JSON payload received. Unknown name "makeItPretty" at \'requests[0]\': '
                                         "Cannot find field.")
    with pytest.raises(APIError) as exc:
        ws.spreadsheet.batch_update({"requests": [{"updateCells": {}, "addSheet": {}}]})
    assert "oneof" in api_error(exc)["message"]


# --- what the server records --------------------------------------------------------------------------------


def test_every_request_is_recorded_with_its_answer(fake: FakeSheets, ws: gspread.Worksheet, sid: str) -> None:
    before = len(fake.requests)
    ws.spreadsheet.batch_update({"requests": [{"appendDimension": {"sheetId": ws.id, "dimension": "ROWS", "length": 3}}],
                                 "includeSpreadsheetInResponse": False})
    ws.get("A1:B2", value_render_option=ValueRenderOption.unformatted)
    write, read = fake.requests[before:]
    assert (write.method, write.path, write.status) == ("POST", f"/v4/spreadsheets/{sid}:batchUpdate", 200)
    assert write.json() == {"requests": [{"appendDimension": {"sheetId": 0, "dimension": "ROWS", "length": 3}}],
                            "includeSpreadsheetInResponse": False}
    assert json.loads(write.response) == {"spreadsheetId": sid, "replies": [{}]}
    assert (read.method, read.path) == ("GET", f"/v4/spreadsheets/{sid}/values/'订单'!A1:B2")
    assert read.query["valueRenderOption"] == ["UNFORMATTED_VALUE"] and read.body == b""
    assert len(read.response) > 0
