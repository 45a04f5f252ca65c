"""Phone first (issue 16, item 4): compression, what each dashboard puts first, the person's file,
the loan form, and where the user lands after saving money."""

import re

import pytest

ALL_ENCODINGS = {"Accept-Encoding": "gzip, deflate, br, zstd"}


@pytest.mark.parametrize("encoding", ["gzip", "br", "zstd"])
def test_a_large_page_goes_out_compressed(as_role, encoding):
    """On a poor connection the bytes are the wait: a page of the menu and forms shrinks."""
    chair = as_role("chair")
    plain = chair.get("/people")
    packed = chair.client.get("/people", headers={"Accept-Encoding": encoding})
    assert plain.headers.get("Content-Encoding") is None
    assert packed.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert len(packed.get_data()) * 2 < len(plain.get_data())


def test_htmx_goes_out_compressed(visitor):
    response = visitor.client.get("/static/htmx.min.js", headers=ALL_ENCODINGS)
    assert response.headers["Content-Encoding"] in ("zstd", "br")
    assert len(response.get_data()) < 20_000  # 52 KB as it is


def words(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
