"""The chair copies a member's reminder into the clipboard, to paste into Zalo; a member sees the same
people on their dashboard."""

from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, log_in
from tests.conftest import PASSWORD
from tests.test_reminders import case  # noqa: F401 (the fixture)

SHOTS = Path("/work/briefs/shots-remind")


def shoot(page, name: str) -> None:
    if SHOTS.parent.exists():
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_the_copy_button_puts_the_reminder_on_the_clipboard(page, live_server, case, problems):  # noqa: F811
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    log_in(page, live_server, "chair", PASSWORD)
    page.goto(f"{live_server}/reminders")
    box = page.locator(f"#reminder-visits-{case['hoa_id']}")
    expect(box).to_contain_text("Chưa có tài khoản")
    text = box.locator("textarea").input_value()
    assert text.startswith(
        "Quỹ xã Hồng Sơn: nhắc thăm hỏi\nĐỗ Thị Hoa, tuần này cần thăm:\n- Vũ Văn Em: hạn "
    )

    box.get_by_role("button", name="Sao chép").click()
    expect(box.locator(".copy-status")).to_have_text("Đã sao chép. Dán vào Zalo hoặc tin nhắn SMS.")
    assert page.evaluate("navigator.clipboard.readText()") == text

    # another box copies its own text
    chair_box = page.locator("#reminder-chair-1")
    chair_box.get_by_role("button", name="Sao chép").click()
    expect(chair_box.locator(".copy-status")).to_contain_text("Đã sao chép")
    assert "Quá hạn thăm trên 30 ngày" in page.evaluate("navigator.clipboard.readText()")
    assert axe_violations(page) == []
    shoot(page, "reminders-1280")
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(page) == []
    shoot(page, "reminders-360")
    if SHOTS.exists():
        chair_box.screenshot(path=str(SHOTS / "reminders-360-chair-box.png"))
    # on a phone each text is shown whole: no box scrolls inside
    for area in page.locator("textarea.reminder-text").all():
        assert area.evaluate("el => el.scrollHeight <= el.clientHeight + 1"), area.input_value()
    page.emulate_media(media="print")
    if SHOTS.exists():
        page.pdf(path=str(SHOTS / "reminders.pdf"), format="A4")
    assert problems == []


def test_a_member_sees_their_week_on_the_dashboard(page, live_server, case, problems):  # noqa: F811
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, live_server, "member", PASSWORD)
    items = page.locator("#todo-visits li[data-person-id]")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("Nguyễn Văn An")
    expect(items.nth(0)).to_contain_text("Quá hạn 45 ngày")
    expect(items.nth(1)).to_contain_text("Trần Thị Cúc")
    shoot(page, "member-dashboard-360")
    assert problems == []
