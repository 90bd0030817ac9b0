"""Read the tables of an HTML page the way a reader sees them (for card and report tests)."""

from __future__ import annotations

from html.parser import HTMLParser


class Cell(str):
    """A cell's text, with its class attribute."""

    css: str = ""


class TableReader(HTMLParser):
    """Tables by id -> rows (header row first) of cells; also every element's text by id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[Cell]]] = {}
        self.texts: dict[str, str] = {}
        self.headings: list[str] = []
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._css = ""
        self._open_ids: list[tuple[str, str, list[str]]] = []
        self._in_h2: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "table":
            self._table = a.get("id", f"#{len(self.tables)}")
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag in ("td", "th"):
            self._cell, self._css = [], a.get("class", "")
        elif tag == "h2":
            self._in_h2 = []
        if "id" in a and tag != "table":
            self._open_ids.append((tag, a["id"], []))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._table is not None:
            cell = Cell("".join(self._cell).strip())
            cell.css = self._css
            self.tables[self._table][-1].append(cell)
            self._cell = None
        elif tag == "table":
            self._table = None
        elif tag == "h2" and self._in_h2 is not None:
            self.headings.append("".join(self._in_h2).strip())
            self._in_h2 = None
        if self._open_ids and self._open_ids[-1][0] == tag:
            _, ident, parts = self._open_ids.pop()
            self.texts[ident] = "".join(parts).strip()

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._in_h2 is not None:
            self._in_h2.append(data)
        for _, _, parts in self._open_ids:
            parts.append(data)


def read_html(text: str) -> TableReader:
    reader = TableReader()
    reader.feed(text)
    reader.close()
    return reader
