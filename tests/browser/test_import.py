"""Import from Excel as the chair does it: the template downloaded, a workbook with mistakes
uploaded and its errors listed by sheet, row and column, the corrected workbook checked and
imported, at a desk's width and a phone's, with no axe violation."""

import os
from pathlib import Path

from tests.browser.conftest import ARTIFACTS, axe_violations, log_in
from tests.conftest import PASSWORD
from tests.test_import import edited, good_rows, workbook

SHOTS = Path(os.environ.get("IMPORT_SHOTS_DIR", ARTIFACTS))


def test_the_chair_checks_corrects_and_imports_a_workbook(app, seed, page, live_server, problems, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with app.app_context():
        good = workbook(good_rows())
    bad = edited(good, {("Khoản đóng góp", 2, 2): "1,5tr", ("Khoản vay", 2, 8): "31/02/2024"})
    (tmp_path / "so-sach-loi.xlsx").write_bytes(bad)
    (tmp_path / "so-sach.xlsx").write_bytes(good)

    log_in(page, live_server, "chair", PASSWORD)
    page.click("nav >> summary:has-text('Quản trị')")  # the chair's administration entries
    page.click("nav >> text=Nhập dữ liệu từ Excel")
    with page.expect_download() as download:
        page.click("text=Tải mẫu Excel")
    assert download.value.suggested_filename == "mau-nhap-so-sach.xlsx"

    page.set_input_files("input[name=file]", str(tmp_path / "so-sach-loi.xlsx"))
    page.click("button:has-text('Kiểm tra tệp')")
    result = page.locator("#import-result")
    assert "2 lỗi cần sửa" in result.inner_text()
    rows = result.locator("tbody tr")
    assert rows.count() == 2
    assert "'1,5tr' không phải số tiền" in rows.nth(0).inner_text()
    assert page.locator("button:has-text('Nhập vào quỹ')").count() == 0
    for width, height in ((1280, 900), (360, 740)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"import-errors-{width}.png"), full_page=True)
        assert axe_violations(page) == []

    page.set_viewport_size({"width": 1280, "height": 900})
    page.set_input_files("input[name=file]", str(tmp_path / "so-sach.xlsx"))
    page.click("button:has-text('Kiểm tra tệp')")
    assert "Sẽ tạo: 2 thành viên tổ" in page.locator("#import-result").inner_text()
    for width, height in ((1280, 900), (360, 740)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"import-checked-{width}.png"), full_page=True)
        assert axe_violations(page) == []
    page.emulate_media(media="print")
    (SHOTS / "import-checked.pdf").write_bytes(page.pdf(format="A4"))
    page.emulate_media(media="screen")

    page.click("button:has-text('Nhập vào quỹ')")
    page.wait_for_url(f"{live_server}/import")
    assert "Đã nhập: 2 thành viên tổ" in page.inner_text("main")
    page.screenshot(path=str(SHOTS / "import-done-360.png"), full_page=True)
    page.goto(f"{live_server}/reports/cashbook?account=all&from=2024-01-01")
    assert "PT-2024-0001" in page.inner_text("main")
    assert problems == []
