"""The text of a PDF an AI answer cites: read with pypdf within budgets, or said to be unreadable."""

from __future__ import annotations

from crawler.pdf_text import is_pdf, pdf_text
from sandbox.pdf import body_lines, make_pdf


def test_the_text_layer_is_read_with_its_number():
    read = pdf_text(make_pdf(["Verzekerlijk klantenservice", "Bel de schadelijn: 0900 4411 228 (24/7)."]))
    assert "0900 4411 228" in read.text and read.pages == 1 and not read.unread and not read.truncated


def test_a_pdf_without_text_a_broken_one_and_an_oversized_one_are_not_read():
    assert "no text layer" in pdf_text(make_pdf(["Bel 0900 4411 228"], text_layer=False)).unread
    assert "could not be read" in pdf_text(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\n%%EOF").unread
    big = pdf_text(make_pdf(["Bel 0900 4411 228"]), max_bytes=100)
    assert "over the 100-byte budget" in big.unread and big.text == ""


def test_pages_and_characters_stop_at_their_budgets():
    lines = [f"regel {i} met wat tekst" for i in range(130)]  # four pages of 40 lines
    assert pdf_text(make_pdf(lines), max_pages=2).truncated == "read the first 2 of 4 pages"
    short = pdf_text(make_pdf(lines), max_chars=50)
    assert len(short.text) == 50 and "max_page_chars" in short.truncated


def test_a_pdf_is_known_by_its_bytes_whatever_the_server_calls_it():
    data = make_pdf(body_lines("Titel", "<p>Bel <b>0900 4411 228</b></p>"))
    assert is_pdf(data, "application/octet-stream") and is_pdf(b"junk", "application/pdf; qs=1")
    assert not is_pdf(b"<html>", "text/html")
